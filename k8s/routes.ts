/**
 * Manifests that put an add-on's web UI under a path of the AI Hub host (`https://<aihub.domain>/addons/grafana`): same
 * host, same certificate and the same way in as AI Hub, so no extra DNS record or certificate is needed.
 */

/** Where the UI's traffic goes. */
export interface RouteTarget {
    /** Host users open (`aihub.domain`). */
    host: string;
    /** Path prefix, e.g. `/addons/grafana` (the UI must be configured to serve under it). */
    path: string;
    /** Service and port in the route's namespace. */
    service: string;
    port: number;
}

/** An HTTPRoute spec attached to the shared Gateway's HTTPS listener. */
export function httpRouteSpec(
    t: RouteTarget,
    gateway: { name: string; namespace: string; sectionName?: string },
): Record<string, unknown> {
    return {
        parentRefs: [
            {
                group: "gateway.networking.k8s.io",
                kind: "Gateway",
                name: gateway.name,
                namespace: gateway.namespace,
                ...(gateway.sectionName ? { sectionName: gateway.sectionName } : {}),
            },
        ],
        hostnames: [t.host],
        rules: [
            {
                matches: [{ path: { type: "PathPrefix", value: t.path } }],
                backendRefs: [{ name: t.service, port: t.port }],
            },
        ],
    };
}

/** An Ingress spec for class `className`; `tlsSecret` unset means plain HTTP (ingress.mode http). */
export function ingressSpec(t: RouteTarget, className: string, tlsSecret?: string): Record<string, unknown> {
    return {
        ingressClassName: className,
        ...(tlsSecret ? { tls: [{ hosts: [t.host], secretName: tlsSecret }] } : {}),
        rules: [
            {
                host: t.host,
                http: {
                    paths: [
                        {
                            path: t.path,
                            pathType: "Prefix",
                            backend: { service: { name: t.service, port: { number: t.port } } },
                        },
                    ],
                },
            },
        ],
    };
}

/** A cert-manager Certificate spec for the host, signed by a ClusterIssuer, written to `secretName`. */
export function certificateSpec(host: string, secretName: string, issuer: string): Record<string, unknown> {
    return {
        secretName,
        dnsNames: [host],
        issuerRef: { group: "cert-manager.io", kind: "ClusterIssuer", name: issuer },
        privateKey: { algorithm: "ECDSA", size: 256, rotationPolicy: "Always" },
    };
}

/** A Gateway parent reference for an HTTPRoute. */
export interface GatewayRef {
    name: string;
    namespace: string;
    sectionName: string;
}

/** The parentRef of a route attached to `g`. */
export function parentRef(g: GatewayRef): Record<string, unknown> {
    return {
        group: "gateway.networking.k8s.io",
        kind: "Gateway",
        name: g.name,
        namespace: g.namespace,
        sectionName: g.sectionName,
    };
}

/**
 * AI Hub's HTTPRoute: everything on `host` to the proxy Service. The request timeout matches the Ingress modes'
 * one hour (Envoy's default of 15 s would cut long uploads and downloads).
 */
export function aihubRouteSpec(
    gateway: GatewayRef,
    host: string,
    backend: { service: string; port: number },
): Record<string, unknown> {
    return {
        parentRefs: [parentRef(gateway)],
        hostnames: [host],
        rules: [
            {
                matches: [{ path: { type: "PathPrefix", value: "/" } }],
                backendRefs: [{ name: backend.service, port: backend.port }],
                timeouts: { request: "1h" },
            },
        ],
    };
}

/**
 * The BackendTLSPolicy for the proxy Service: the Gateway speaks HTTPS to it and checks its certificate for `host`
 * against the site CA (a ConfigMap `caConfigMap` with `ca.crt`) or, without one, the system's public roots.
 */
export function backendTlsPolicySpec(service: string, host: string, caConfigMap?: string): Record<string, unknown> {
    return {
        targetRefs: [{ group: "", kind: "Service", name: service }],
        validation: {
            hostname: host,
            ...(caConfigMap
                ? { caCertificateRefs: [{ group: "", kind: "ConfigMap", name: caConfigMap }] }
                : { wellKnownCACertificates: "System" }),
        },
    };
}
