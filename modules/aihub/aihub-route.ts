import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { proxyBackend } from "./ingress";
import { aihubLayout } from "../../catalog/aihub-layout";
import { aihubRouteSpec, backendTlsPolicySpec } from "../../k8s/routes";
import type { Provided } from "../../platform/contracts";

/** ConfigMap in AI Hub's namespace holding the CA the Gateway verifies the proxy with. */
export const ROUTE_CA_CONFIGMAP = "aihub-gateway-ca";

/** Arguments of {@link AiHubRoute}. */
export interface AiHubRouteArgs {
    /** AI Hub chart version; selects the proxy Service (HTTPS on 443 in every mode but http). */
    version: string;
    /** Namespace of the AI Hub release; the route and its TLS policy live there beside the Service. */
    namespace: pulumi.Input<string>;
    /** Public host name (`aihub.domain`). */
    host: string;
    /** The shared Gateway (gateway add-on). */
    gateway: NonNullable<Provided["gateway"]>;
    /**
     * PEM of the CA the proxy's certificate chains to (the issuer's with the certManager add-on, else
     * `ingress.caCert`); absent: public roots. @default none
     */
    caCert?: pulumi.Input<string>;
}

/**
 * AI Hub behind the shared Gateway (`ingress.mode` gateway): an HTTPRoute for the host to the proxy Service and a
 * BackendTLSPolicy, since the proxy serves only HTTPS (port 80 merely redirects), so the Gateway re-encrypts and
 * verifies the proxy's certificate for the host.
 */
export class AiHubRoute extends pulumi.ComponentResource {
    /** Public host. */
    public readonly host: pulumi.Output<string>;

    constructor(name: string, args: AiHubRouteArgs, opts?: pulumi.ComponentResourceOptions) {
        super("aihub-airgap:aihub:AiHubRoute", name, {}, opts);
        const b = proxyBackend(aihubLayout(args.version), "https");
        const deps: pulumi.Resource[] = [];
        if (args.caCert) {
            deps.push(
                new k8s.core.v1.ConfigMap(
                    `${name}-ca`,
                    {
                        metadata: { name: ROUTE_CA_CONFIGMAP, namespace: args.namespace },
                        data: { "ca.crt": args.caCert },
                    },
                    { parent: this },
                ),
            );
        }
        deps.push(
            new k8s.apiextensions.CustomResource(
                `${name}-backend-tls`,
                {
                    apiVersion: "gateway.networking.k8s.io/v1",
                    kind: "BackendTLSPolicy",
                    metadata: { name: "aihub-proxy", namespace: args.namespace },
                    spec: backendTlsPolicySpec(b.service, args.host, args.caCert ? ROUTE_CA_CONFIGMAP : undefined),
                },
                { parent: this, dependsOn: [...deps, ...args.gateway.ready] },
            ),
        );
        new k8s.apiextensions.CustomResource(
            name,
            {
                apiVersion: "gateway.networking.k8s.io/v1",
                kind: "HTTPRoute",
                metadata: { name: "aihub", namespace: args.namespace },
                spec: aihubRouteSpec(args.gateway, args.host, b),
            },
            { parent: this, dependsOn: [...deps, ...args.gateway.ready] },
        );
        this.host = pulumi.output(args.host);
        this.registerOutputs({ host: this.host });
    }
}
