import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { tlsSecretArgs } from "../../modules/aihub/ingress";
import { issuedCertificate } from "../../k8s/certificate";
import { namespacePullSecret } from "../../k8s/namespaced-pull-secret";
import type { GatewayImages } from "./catalog";
import { gatewayClassSpec, gatewaySpec, HTTP_LISTENER, HTTPS_LISTENER, redirectRouteSpec } from "./manifests";
import type { GatewaySection } from "./schema";
import { gatewayValues } from "./values";

/** The part of a Gateway's status read here. */
interface GatewayStatus {
    addresses?: { value: string }[];
}

/** Arguments of {@link SharedGateway}. */
export interface SharedGatewayArgs {
    /** The validated `addons.gateway` section (namespace, names, chart, Service type). */
    section: GatewaySection;
    /** Images of the configured version (catalog.ts). */
    images: GatewayImages;
    /** Chart path as given in config (relative to the project directory, like the core charts). */
    chart: string;
    /** Host the HTTPS listener serves (`aihub.domain`). */
    host: string;
    /** Name of the TLS Secret in the Gateway's namespace (modules/aihub/ingress.ts `aihubTlsSecret`). */
    tlsSecretName: string;
    /**
     * The site certificate and key (`ingress.tlsCert`/`tlsKey`) written into that Secret; absent when another
     * add-on (cert-manager) issues it. @default none
     */
    tls?: { cert: string; key: pulumi.Input<string> };
    /** Without `tls`: the ClusterIssuer (certManager add-on) that issues that Secret. @default none */
    issued?: { issuer: string; ready: pulumi.Resource[] };
    /** Private registry `host[:port][/project]`, its user, password and the pull Secret's name. */
    registry: { server: string; username: string; password: pulumi.Input<string>; pullSecretName: string };
    /** What the release waits for (the registry mirror push). @default [] */
    after?: pulumi.Input<pulumi.Resource>[];
    /** What the Gateway waits for before it can get an address (MetalLB's pool and advertisement). @default [] */
    addressReady?: pulumi.Resource[];
}

/**
 * Envoy Gateway from its chart, the GatewayClass, the shared Gateway (HTTPS for `host`, optional HTTP redirect) and
 * its TLS Secret. The Gateway is awaited until Envoy Gateway reports it Programmed, which needs an address.
 */
export class SharedGateway extends pulumi.ComponentResource {
    /** The Gateway. */
    public readonly gateway: k8s.apiextensions.CustomResource;
    /** The address the Gateway reports (its Service's load-balancer address or a node address). */
    public readonly address: pulumi.Output<string>;

    constructor(name: string, args: SharedGatewayArgs, opts?: pulumi.ComponentResourceOptions) {
        super("aihub-airgap:addons:SharedGateway", name, {}, opts);
        const s = args.section;
        const ns = new k8s.core.v1.Namespace(`${name}-ns`, { metadata: { name: s.namespace } }, { parent: this });
        const namespace = ns.metadata.name;
        const pull = namespacePullSecret(this, name, namespace, args.registry);
        const release = new k8s.helm.v3.Release(
            `${name}-envoy-gateway`,
            {
                name: "envoy-gateway",
                chart: args.chart,
                namespace,
                values: gatewayValues({
                    images: args.images,
                    registry: args.registry.server,
                    pullSecretName: args.registry.pullSecretName,
                    service: s.service,
                }),
                timeout: 600,
            },
            { parent: this, dependsOn: [pull, ...(args.after ?? [])] },
        );
        const tlsSecret = args.tls
            ? [
                  new k8s.core.v1.Secret(
                      `${name}-tls`,
                      tlsSecretArgs(args.tlsSecretName, namespace, args.tls.cert, args.tls.key),
                      { parent: this },
                  ),
              ]
            : args.issued
              ? [
                    issuedCertificate(
                        `${name}-tls`,
                        {
                            namespace,
                            host: args.host,
                            secretName: args.tlsSecretName,
                            issuer: args.issued.issuer,
                            dependsOn: args.issued.ready,
                        },
                        { parent: this },
                    ),
                ]
              : [];
        const gatewayClass = new k8s.apiextensions.CustomResource(
            `${name}-class`,
            {
                apiVersion: "gateway.networking.k8s.io/v1",
                kind: "GatewayClass",
                metadata: { name: s.className },
                spec: gatewayClassSpec(),
            },
            { parent: this, dependsOn: [release] },
        );
        this.gateway = new k8s.apiextensions.CustomResource(
            name,
            {
                apiVersion: "gateway.networking.k8s.io/v1",
                kind: "Gateway",
                metadata: {
                    name: s.gatewayName,
                    namespace,
                    // Programmed: Envoy Gateway has deployed the proxies and the Service has an address.
                    annotations: { "pulumi.com/waitFor": "condition=Programmed" },
                },
                spec: gatewaySpec(s.className, args.host, args.tlsSecretName, s.httpRedirect),
                // Listed so the live status (written by Envoy Gateway) becomes an output; never sent.
                status: undefined,
            },
            {
                parent: this,
                dependsOn: [release, gatewayClass, ...tlsSecret, ...(args.addressReady ?? [])],
                customTimeouts: { create: "15m", update: "15m" },
            },
        );
        if (s.httpRedirect) {
            new k8s.apiextensions.CustomResource(
                `${name}-redirect`,
                {
                    apiVersion: "gateway.networking.k8s.io/v1",
                    kind: "HTTPRoute",
                    metadata: { name: `${s.gatewayName}-https-redirect`, namespace },
                    spec: redirectRouteSpec(
                        { name: s.gatewayName, namespace: s.namespace, sectionName: HTTP_LISTENER },
                        args.host,
                    ),
                },
                { parent: this, dependsOn: [this.gateway] },
            );
        }
        const status = (this.gateway as unknown as { status: pulumi.Output<GatewayStatus | undefined> }).status;
        this.address = status.apply((st) => st?.addresses?.[0]?.value ?? "");
        this.registerOutputs({ address: this.address, listener: HTTPS_LISTENER });
    }
}
