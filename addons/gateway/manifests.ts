/**
 * The Gateway API objects of the way into AI Hub (standard channel v1.6.1): the GatewayClass, the shared Gateway,
 * and the HTTP→HTTPS redirect. AI Hub's HTTPRoute and BackendTLSPolicy are built in k8s/routes.ts.
 */
import { parentRef, type GatewayRef } from "../../k8s/routes";

/** Envoy Gateway's controller name (its chart's `config.envoyGateway.gateway.controllerName`). */
export const ENVOY_GATEWAY_CONTROLLER = "gateway.envoyproxy.io/gatewayclass-controller";
/** The listener every HTTPS route attaches to. */
export const HTTPS_LISTENER = "https";
/** The redirecting HTTP listener. */
export const HTTP_LISTENER = "http";

/** The GatewayClass spec. */
export function gatewayClassSpec(): Record<string, unknown> {
    return { controllerName: ENVOY_GATEWAY_CONTROLLER };
}

/**
 * The shared Gateway: an HTTPS listener for `host` terminating with `tlsSecret` (in the Gateway's namespace) that
 * takes routes from every namespace (add-on UIs live in their own; the hostname keeps them on `host`), and an
 * optional HTTP listener for the redirect, which takes routes from the Gateway's namespace only.
 */
export function gatewaySpec(className: string, host: string, tlsSecret: string, httpRedirect: boolean) {
    const listeners: Record<string, unknown>[] = [
        {
            name: HTTPS_LISTENER,
            protocol: "HTTPS",
            port: 443,
            hostname: host,
            tls: { mode: "Terminate", certificateRefs: [{ group: "", kind: "Secret", name: tlsSecret }] },
            allowedRoutes: {
                namespaces: { from: "All" },
                kinds: [{ group: "gateway.networking.k8s.io", kind: "HTTPRoute" }],
            },
        },
    ];
    if (httpRedirect) {
        listeners.push({
            name: HTTP_LISTENER,
            protocol: "HTTP",
            port: 80,
            hostname: host,
            allowedRoutes: { namespaces: { from: "Same" } },
        });
    }
    return { gatewayClassName: className, listeners };
}

/** An HTTPRoute on the HTTP listener that answers every request with a redirect to HTTPS. */
export function redirectRouteSpec(gateway: GatewayRef, host: string): Record<string, unknown> {
    return {
        parentRefs: [parentRef(gateway)],
        hostnames: [host],
        rules: [{ filters: [{ type: "RequestRedirect", requestRedirect: { scheme: "https", statusCode: 301 } }] }],
    };
}
