// Command xds-dump asks a running Envoy Gateway's xDS server (aggregated discovery, state of the world) for the
// configuration it serves one proxy fleet, as an Envoy proxy of that fleet would (mutual TLS with the `envoy` client
// certificate, node cluster = the fleet's key), and prints what the engine tests check as one JSON document: each
// route configuration's virtual hosts (domains, and per route its path match and cluster), each cluster's endpoints
// and its upstream TLS (SNI), and the listeners' names.
package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"time"

	clusterv3 "github.com/envoyproxy/go-control-plane/envoy/config/cluster/v3"
	corev3 "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	endpointv3 "github.com/envoyproxy/go-control-plane/envoy/config/endpoint/v3"
	listenerv3 "github.com/envoyproxy/go-control-plane/envoy/config/listener/v3"
	routev3 "github.com/envoyproxy/go-control-plane/envoy/config/route/v3"
	tlsv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/transport_sockets/tls/v3"
	discoveryv3 "github.com/envoyproxy/go-control-plane/envoy/service/discovery/v3"
	resourcev3 "github.com/envoyproxy/go-control-plane/pkg/resource/v3"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	"google.golang.org/protobuf/types/known/anypb"
)

type route struct {
	Match   string `json:"match"`
	Cluster string `json:"cluster,omitempty"`
	Action  string `json:"action"`
}

type virtualHost struct {
	Name    string   `json:"name"`
	Domains []string `json:"domains"`
	Routes  []route  `json:"routes"`
}

type cluster struct {
	Name      string   `json:"name"`
	Endpoints []string `json:"endpoints"`
	TLSSNI    []string `json:"tlsSni"`
}

type dump struct {
	Listeners    []string                 `json:"listeners"`
	Routes       map[string][]virtualHost `json:"routes"`
	Clusters     []cluster                `json:"clusters"`
	Unrecognised []string                 `json:"unrecognised,omitempty"`
}

func main() {
	addr := flag.String("addr", "127.0.0.1:18000", "the xDS server")
	certFile := flag.String("cert", "", "client certificate (PEM)")
	keyFile := flag.String("key", "", "client key (PEM)")
	caFile := flag.String("ca", "", "CA of the server (PEM)")
	serverName := flag.String("server-name", "", "name the server's certificate must carry")
	fleet := flag.String("cluster", "", "node cluster: the proxy fleet's key (the proxy Deployment's --service-cluster)")
	timeout := flag.Duration("timeout", 20*time.Second, "how long to wait for the answers")
	flag.Parse()
	if err := run(*addr, *certFile, *keyFile, *caFile, *serverName, *fleet, *timeout); err != nil {
		_, _ = fmt.Fprintln(os.Stderr, "xds-dump:", err)
		os.Exit(1)
	}
}

func run(addr, certFile, keyFile, caFile, serverName, fleet string, timeout time.Duration) error {
	cert, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		return err
	}
	caPem, err := os.ReadFile(caFile)
	if err != nil {
		return err
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(caPem) {
		return fmt.Errorf("%s: no certificate", caFile)
	}
	creds := credentials.NewTLS(&tls.Config{
		Certificates: []tls.Certificate{cert},
		RootCAs:      pool,
		ServerName:   serverName,
		MinVersion:   tls.VersionTLS13,
	})
	conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(creds))
	if err != nil {
		return err
	}
	defer func() { _ = conn.Close() }()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	stream, err := discoveryv3.NewAggregatedDiscoveryServiceClient(conn).StreamAggregatedResources(ctx)
	if err != nil {
		return err
	}
	node := &corev3.Node{Id: "xds-dump", Cluster: fleet}
	fetch := func(typeURL string) ([]*anypb.Any, error) {
		if err := stream.Send(&discoveryv3.DiscoveryRequest{Node: node, TypeUrl: typeURL}); err != nil {
			return nil, err
		}
		res, err := stream.Recv()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", typeURL, err)
		}
		if res.GetTypeUrl() != typeURL {
			return nil, fmt.Errorf("asked for %s, got %s", typeURL, res.GetTypeUrl())
		}
		return res.GetResources(), nil
	}
	out := dump{Listeners: []string{}, Routes: map[string][]virtualHost{}, Clusters: []cluster{}}
	endpoints := map[string][]string{}
	for _, typeURL := range []string{resourcev3.ListenerType, resourcev3.RouteType, resourcev3.ClusterType, resourcev3.EndpointType} {
		resources, err := fetch(typeURL)
		if err != nil {
			return err
		}
		for _, a := range resources {
			if err := add(&out, endpoints, a); err != nil {
				return err
			}
		}
	}
	for i := range out.Clusters {
		out.Clusters[i].Endpoints = append([]string{}, endpoints[out.Clusters[i].Name]...)
	}
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

func add(out *dump, endpoints map[string][]string, a *anypb.Any) error {
	switch a.GetTypeUrl() {
	case resourcev3.ListenerType:
		var l listenerv3.Listener
		if err := a.UnmarshalTo(&l); err != nil {
			return err
		}
		out.Listeners = append(out.Listeners, l.GetName())
	case resourcev3.RouteType:
		var rc routev3.RouteConfiguration
		if err := a.UnmarshalTo(&rc); err != nil {
			return err
		}
		hosts := []virtualHost{}
		for _, vh := range rc.GetVirtualHosts() {
			h := virtualHost{Name: vh.GetName(), Domains: vh.GetDomains(), Routes: []route{}}
			for _, r := range vh.GetRoutes() {
				h.Routes = append(h.Routes, describeRoute(r))
			}
			hosts = append(hosts, h)
		}
		out.Routes[rc.GetName()] = hosts
	case resourcev3.ClusterType:
		var c clusterv3.Cluster
		if err := a.UnmarshalTo(&c); err != nil {
			return err
		}
		sni := []string{}
		sockets := []*corev3.TransportSocket{c.GetTransportSocket()}
		for _, m := range c.GetTransportSocketMatches() {
			sockets = append(sockets, m.GetTransportSocket())
		}
		for _, s := range sockets {
			var t tlsv3.UpstreamTlsContext
			if s.GetTypedConfig() != nil && s.GetTypedConfig().MessageIs(&t) {
				if err := s.GetTypedConfig().UnmarshalTo(&t); err != nil {
					return err
				}
				sni = append(sni, t.GetSni())
			}
		}
		out.Clusters = append(out.Clusters, cluster{Name: c.GetName(), TLSSNI: sni})
	case resourcev3.EndpointType:
		var cla endpointv3.ClusterLoadAssignment
		if err := a.UnmarshalTo(&cla); err != nil {
			return err
		}
		for _, l := range cla.GetEndpoints() {
			for _, e := range l.GetLbEndpoints() {
				sa := e.GetEndpoint().GetAddress().GetSocketAddress()
				endpoints[cla.GetClusterName()] = append(endpoints[cla.GetClusterName()],
					fmt.Sprintf("%s:%d", sa.GetAddress(), sa.GetPortValue()))
			}
		}
	default:
		out.Unrecognised = append(out.Unrecognised, a.GetTypeUrl())
	}
	return nil
}

func describeRoute(r *routev3.Route) route {
	m := r.GetMatch()
	match := "?"
	switch {
	case m.GetPrefix() != "":
		match = "prefix " + m.GetPrefix()
	case m.GetPathSeparatedPrefix() != "":
		match = "prefix " + m.GetPathSeparatedPrefix()
	case m.GetPath() != "":
		match = "exact " + m.GetPath()
	case m.GetSafeRegex() != nil:
		match = "regex " + m.GetSafeRegex().GetRegex()
	}
	switch {
	case r.GetRoute() != nil:
		return route{Match: match, Cluster: r.GetRoute().GetCluster(), Action: "route"}
	case r.GetRedirect() != nil:
		rd := r.GetRedirect()
		return route{Match: match, Action: fmt.Sprintf("redirect scheme %s code %s", rd.GetSchemeRedirect(), rd.GetResponseCode())}
	case r.GetDirectResponse() != nil:
		return route{Match: match, Action: fmt.Sprintf("direct %d", r.GetDirectResponse().GetStatus())}
	}
	return route{Match: match, Action: "other"}
}
