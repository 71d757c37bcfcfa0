/** The Ingress in front of the AI Hub proxy, per mode (facts aihub-chart §6). */
import type * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { PlatformConfig } from "../../platform/contracts";
import type { IngressConfig } from "../../config/schema";
import type { AiHubLayout } from "../../catalog/aihub-layout";

/** The arguments of a `kubernetes.io/tls` Secret; the key stays a secret Output. */
export function tlsSecretArgs(
    name: pulumi.Input<string>,
    namespace: pulumi.Input<string>,
    cert: string,
    key: pulumi.Input<string>,
): k8s.core.v1.SecretArgs {
    return {
        metadata: { name, namespace },
        type: "kubernetes.io/tls",
        stringData: { "tls.crt": cert, "tls.key": pulumi.secret(key) },
    };
}

/** Secret the Ingress terminates TLS with. */
export const INGRESS_TLS_SECRET = "aihub-ingress-tls";

/**
 * Where the TLS Secret for `aihub.domain` lives, the one place that says it (the add-ons that create or issue it
 * read it here): AI Hub's namespace beside its Ingress, or in `gateway` mode the Gateway's namespace, where the
 * listener reads it without a ReferenceGrant.
 */
export function aihubTlsSecret(cfg: Pick<PlatformConfig, "ingress" | "aihub" | "addons">): {
    name: string;
    namespace: string;
} {
    const gateway = cfg.ingress.mode === "gateway" ? cfg.addons.gateway : undefined;
    return { name: INGRESS_TLS_SECRET, namespace: gateway ? gateway.namespace : cfg.aihub.namespace };
}

/** Where the Ingress sends traffic. */
export interface ProxyBackend {
    service: string;
    port: number;
    protocol: "HTTP" | "HTTPS";
}

/**
 * The chart's proxy Service and port: in https modes it listens on 443 with TLS (the Ingress re-encrypts, since
 * plain HTTP on port 80 only redirects to HTTPS); in http mode (charts before 2025.0) on port 80.
 */
export function proxyBackend(l: AiHubLayout, mode: IngressConfig["mode"]): ProxyBackend {
    return mode === "http"
        ? { service: l.proxyService, port: 80, protocol: "HTTP" }
        : { service: l.proxyService, port: 443, protocol: "HTTPS" };
}

/** Metadata annotations and spec of the Ingress; throws for `http` with a chart that no longer serves it. */
export function ingressManifest(
    l: AiHubLayout,
    mode: IngressConfig["mode"],
    host: string,
    className: string,
): { annotations: Record<string, string>; spec: Record<string, unknown> } {
    // Validation rejects this earlier (ingress.mode); the guard keeps direct callers honest too.
    if (mode === "http" && l.publicCert) {
        throw new Error(`AI Hub ${l.version} no longer serves plain HTTP (use https or https-custom-ca)`);
    }
    const b = proxyBackend(l, mode);
    return {
        annotations: {
            "nginx.ingress.kubernetes.io/backend-protocol": b.protocol,
            // The proxy itself limits uploads (proxy.dataUploadLimit, 25GB); the ingress must not cut them earlier.
            "nginx.ingress.kubernetes.io/proxy-body-size": "0",
            "nginx.ingress.kubernetes.io/proxy-read-timeout": "3600",
            "nginx.ingress.kubernetes.io/ssl-redirect": mode === "http" ? "false" : "true",
        },
        spec: {
            ingressClassName: className,
            ...(mode === "http" ? {} : { tls: [{ hosts: [host], secretName: INGRESS_TLS_SECRET }] }),
            rules: [
                {
                    host,
                    http: {
                        paths: [
                            {
                                path: "/",
                                pathType: "Prefix",
                                backend: { service: { name: b.service, port: { number: b.port } } },
                            },
                        ],
                    },
                },
            ],
        },
    };
}
