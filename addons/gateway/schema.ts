/** The `addons.gateway` section: Envoy Gateway, the GatewayClass and the shared Gateway in front of AI Hub. */
import { z } from "zod";
import { k8sName } from "../../config/schema";
import { GATEWAY_CATALOG, type GatewayVersion } from "./catalog";

const versions = Object.keys(GATEWAY_CATALOG) as [GatewayVersion, ...GatewayVersion[]];

/** How clients reach the Gateway's Envoy proxies. */
const serviceSchema = z.strictObject({
    /**
     * `LoadBalancer` (MetalLB when `addons.metallb` is on, else the cluster's own load balancer) or `NodePort`
     * (clients use a node address and the node port). @default LoadBalancer
     */
    type: z.enum(["LoadBalancer", "NodePort"], { error: "must be LoadBalancer or NodePort" }).default("LoadBalancer"),
    /** A fixed address from the load balancer's pool (LoadBalancer only). @default the load balancer chooses */
    loadBalancerIP: z.ipv4({ error: "must be an IPv4 address (e.g. 192.168.10.240)" }).optional(),
});

/** The `addons.gateway` keys. */
export const gatewaySchema = z.strictObject({
    /** Path of the packaged gateway-helm chart (`.tgz`), relative to the project directory. */
    chart: z
        .string()
        .min(1, { error: "must name the gateway-helm chart .tgz (e.g. ./bundle/charts/gateway-helm-v1.9.0.tgz)" }),
    /** Envoy Gateway version; selects the image catalog. @default v1.9.0 */
    version: z.enum(versions, { error: `is not a known version (use ${versions.join(", ")})` }).default("v1.9.0"),
    /** Namespace of the controller, its proxies, the Gateway and its TLS Secret (created here). @default gateway */
    namespace: k8sName.default("gateway"),
    /** Name of the shared Gateway every route attaches to. @default aihub */
    gatewayName: k8sName.default("aihub"),
    /** Name of the (cluster-scoped) GatewayClass. @default envoy-gateway */
    className: k8sName.default("envoy-gateway"),
    /** An HTTP listener on port 80 that redirects to HTTPS. @default true */
    httpRedirect: z.boolean({ error: "must be true or false" }).default(true),
    service: serviceSchema.prefault({}),
});

/** The validated section. */
export type GatewaySection = z.output<typeof gatewaySchema>;
