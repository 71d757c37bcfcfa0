// Command envoy-gateway is Envoy Gateway's own command (github.com/envoyproxy/gateway cmd/envoy-gateway, the root
// command of cmd/envoy-gateway/root, unchanged: `envoy-gateway server --config-path <file>`), with two listen
// addresses that upstream fixes in code set from the environment, because the simulated cluster runs it as a process
// beside others in one network namespace rather than in a pod of its own: the topology injector's webhook port
// (internal/provider/kubernetes/kubernetes.go@v1.9.0 `webhookTLSPort = 9443`, which MetalLB's controller also takes)
// and the health probe address (same file, `healthProbeBindAddress = ":8081"`). Both are package variables that
// upstream's own tests override. The version it reports is stamped as upstream's build does (tools/make/golang.mk
// sets internal/cmd/version.envoyGatewayVersion), here from the module version this binary was built with.
package main

import (
	"fmt"
	"os"
	"runtime/debug"
	"strconv"
	_ "unsafe" // go:linkname

	ctrl "sigs.k8s.io/controller-runtime"

	"github.com/envoyproxy/gateway/cmd/envoy-gateway/root"
)

//go:linkname webhookTLSPort github.com/envoyproxy/gateway/internal/provider/kubernetes.webhookTLSPort
var webhookTLSPort int

//go:linkname healthProbeBindAddress github.com/envoyproxy/gateway/internal/provider/kubernetes.healthProbeBindAddress
var healthProbeBindAddress string

//go:linkname envoyGatewayVersion github.com/envoyproxy/gateway/internal/cmd/version.envoyGatewayVersion
var envoyGatewayVersion string

func main() {
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, dep := range bi.Deps {
			if dep.Path == "github.com/envoyproxy/gateway" {
				envoyGatewayVersion = dep.Version
			}
		}
	}
	if v := os.Getenv("EG_SIM_WEBHOOK_PORT"); v != "" {
		port, err := strconv.Atoi(v)
		if err != nil {
			_, _ = fmt.Fprintf(os.Stderr, "EG_SIM_WEBHOOK_PORT=%q: not a port number\n", v)
			os.Exit(2)
		}
		webhookTLSPort = port
	}
	if v := os.Getenv("EG_SIM_HEALTH_PROBE_ADDRESS"); v != "" {
		healthProbeBindAddress = v
	}
	if err := root.GetRootCommand(nil).ExecuteContext(ctrl.SetupSignalHandler()); err != nil {
		_, _ = fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
