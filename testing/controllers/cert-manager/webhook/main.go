// Command webhook serves cert-manager's admission webhook (v1.21.1): the same admission chain (CertificateRequest
// identity and approval checks, validation of every cert-manager resource) as upstream's webhook, with its serving
// certificate from files, so that the API server can call it on a loopback URL.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/cert-manager/cert-manager/internal/apis/config/shared"
	config "github.com/cert-manager/cert-manager/internal/apis/config/webhook"
	"github.com/cert-manager/cert-manager/internal/webhook"
	logf "github.com/cert-manager/cert-manager/pkg/logs"
	"k8s.io/klog/v2"
	ctrllog "sigs.k8s.io/controller-runtime/pkg/log"
)

func main() {
	// A flag set of our own: controller-runtime registers --kubeconfig on the global one.
	fs := flag.NewFlagSet(os.Args[0], flag.ExitOnError)
	kubeconfig := fs.String("kubeconfig", "", "kubeconfig of the API server")
	port := fs.Int("secure-port", 0, "port of the HTTPS admission server")
	healthz := fs.Int("healthz-port", 0, "port of the plain-HTTP /healthz and /livez server")
	certFile := fs.String("tls-cert-file", "", "serving certificate (PEM)")
	keyFile := fs.String("tls-private-key-file", "", "serving key (PEM)")
	klog.InitFlags(fs)
	_ = fs.Parse(os.Args[1:])
	logf.InitLogs()
	if *port == 0 || *healthz == 0 || *certFile == "" || *keyFile == "" {
		fmt.Fprintln(os.Stderr, "cert-manager webhook: --secure-port, --healthz-port, --tls-cert-file and --tls-private-key-file are required")
		os.Exit(2)
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ctx = logf.NewContext(ctx, logf.Log, "webhook")
	ctrllog.SetLogger(logf.Log)
	opts := config.WebhookConfiguration{
		SecurePort:           int32(*port),
		HealthzPort:          int32(*healthz),
		KubeConfig:           *kubeconfig,
		MetricsListenAddress: "0",
		TLSConfig: shared.TLSConfig{
			Filesystem: shared.FilesystemServingConfig{CertFile: *certFile, KeyFile: *keyFile},
		},
	}
	srv, err := webhook.NewCertManagerWebhookServer(logf.FromContext(ctx), opts)
	if err == nil {
		err = srv.Run(ctx)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "cert-manager webhook:", err)
		os.Exit(1)
	}
}
