/**
 * Envoy Gateway images per chart version (envoyproxy/gateway `charts/gateway-helm`). The data-plane proxy image is
 * compiled into the controller, so no rendered `image:` field shows it: the chart's `global.images.envoyProxy` puts
 * the relocated reference into the controller's EnvoyGateway config instead.
 */

/** The images of one Envoy Gateway release. */
export interface GatewayImages {
    /** The controller (also the certgen Job and the shutdown manager beside each proxy). */
    controller: string;
    /** The Envoy data plane the controller starts for each Gateway. */
    proxy: string;
    /** The rate limiter; only started when rate limiting is configured (it is not), so not carried. */
    ratelimit: string;
}

/** Images by Envoy Gateway version (the chart version equals the app version). */
export const GATEWAY_CATALOG = {
    "v1.9.0": {
        controller: "docker.io/envoyproxy/gateway:v1.9.0",
        proxy: "docker.io/envoyproxy/envoy:distroless-v1.39.0",
        ratelimit: "docker.io/envoyproxy/ratelimit:17b1956c",
    },
} as const satisfies Record<string, GatewayImages>;

/** A version the catalog knows. */
export type GatewayVersion = keyof typeof GATEWAY_CATALOG;

/** The Gateway API release whose CRDs the chart installs (experimental channel, a superset of standard). */
export const GATEWAY_API_VERSION = "v1.6.1";
