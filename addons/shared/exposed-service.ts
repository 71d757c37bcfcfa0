import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { tlsSecretArgs } from "../../modules/aihub/ingress";
import type { PlatformConfig } from "../../platform/contracts";
import type { Provided } from "../../platform/contracts";
import { issuedCertificate } from "../../k8s/certificate";
import { httpRouteSpec, ingressSpec, type RouteTarget } from "../../k8s/routes";

/** How the UI is reached: through the shared Gateway, or an Ingress of the cluster's controller. */
export type Exposure =
    | { gateway: NonNullable<Provided["gateway"]> }
    | {
          ingress: {
              /** Ingress class (`ingress.className`). */
              className: string;
              /**
               * TLS for the host: the site certificate (`ingress.tlsCert`/`tlsKey`) copied into the namespace, a
               * Certificate from the cert-manager issuer, or none (`ingress.mode` http).
               */
              tls?: { cert: string; key: pulumi.Input<string> } | { issuer: string };
          };
      };

/** Arguments of {@link ExposedService}. */
export interface ExposedServiceArgs extends RouteTarget {
    /** Namespace of the Service; the route (and any TLS Secret) is created there. */
    namespace: pulumi.Input<string>;
    /** Gateway or Ingress (see {@link exposureOf}). */
    via: Exposure;
    /** What the route waits for (the release serving the Service, the Gateway). @default [] */
    dependsOn?: pulumi.Input<pulumi.Resource>[];
}

/** An add-on's web UI under a path of the AI Hub host: an HTTPRoute on the shared Gateway, or an Ingress. */
export class ExposedService extends pulumi.ComponentResource {
    /** The URL users open. */
    public readonly url: pulumi.Output<string>;

    constructor(name: string, args: ExposedServiceArgs, opts?: pulumi.ComponentResourceOptions) {
        super("aihub-airgap:addons:ExposedService", name, {}, opts);
        const deps = [...(args.dependsOn ?? [])];
        let https = true;
        if ("gateway" in args.via) {
            new k8s.apiextensions.CustomResource(
                name,
                {
                    apiVersion: "gateway.networking.k8s.io/v1",
                    kind: "HTTPRoute",
                    metadata: { name, namespace: args.namespace },
                    spec: httpRouteSpec(args, args.via.gateway),
                },
                { parent: this, dependsOn: [...deps, ...args.via.gateway.ready] },
            );
        } else {
            const tls = args.via.ingress.tls;
            const secretName = tls ? `${name}-tls` : undefined;
            if (tls && "cert" in tls) {
                deps.push(
                    new k8s.core.v1.Secret(
                        `${name}-tls`,
                        tlsSecretArgs(secretName!, args.namespace, tls.cert, tls.key),
                        { parent: this },
                    ),
                );
            } else if (tls) {
                deps.push(
                    issuedCertificate(
                        `${name}-tls`,
                        {
                            namespace: args.namespace,
                            host: args.host,
                            secretName: secretName!,
                            issuer: tls.issuer,
                            awaitReady: false,
                        },
                        { parent: this },
                    ),
                );
            }
            https = tls !== undefined;
            new k8s.networking.v1.Ingress(
                name,
                {
                    metadata: { name, namespace: args.namespace },
                    spec: ingressSpec(args, args.via.ingress.className, secretName),
                },
                { parent: this, dependsOn: deps },
            );
        }
        this.url = pulumi.output(`${https ? "https" : "http"}://${args.host}${args.path}`);
        this.registerOutputs({ url: this.url });
    }
}

/**
 * How the stack exposes add-on UIs: through the shared Gateway in `ingress.mode` gateway, else an Ingress with the
 * site certificate, a Certificate from the cert-manager issuer when the stack gives none, or plain HTTP.
 */
export function exposureOf(cfg: PlatformConfig, provided: Provided): Exposure {
    const i = cfg.ingress;
    if (String(i.mode) === "gateway") {
        if (!provided.gateway)
            throw new Error("ingress.mode gateway needs the gateway add-on (validation checks this)");
        return { gateway: provided.gateway };
    }
    if (i.mode === "http") return { ingress: { className: i.className } };
    if (i.tlsCert && i.tlsKey) return { ingress: { className: i.className, tls: { cert: i.tlsCert, key: i.tlsKey } } };
    if (provided.issuer) return { ingress: { className: i.className, tls: { issuer: provided.issuer.name } } };
    throw new Error(`ingress.mode ${i.mode} needs ingress.tlsCert or the certManager add-on (validation checks this)`);
}

/**
 * The private CA the AI Hub host's certificate chains to, which in-cluster clients of that host (JupyterHub's OIDC
 * calls to AI Hub's Keycloak) must trust: cert-manager's when it issues the certificate, else `ingress.caCert`;
 * undefined for a publicly trusted certificate.
 */
export function siteCaOf(cfg: PlatformConfig, provided: Provided): pulumi.Input<string> | undefined {
    const i = cfg.ingress;
    if (!i.tlsCert && provided.issuer) return provided.issuer.caCert;
    return i.caCert;
}
