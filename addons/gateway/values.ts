/** The gateway-helm chart values: every image (the data-plane one too) from the private registry. */
import { mapImage } from "../../lib/imageref";
import type { GatewayImages } from "./catalog";
import type { GatewaySection } from "./schema";

/** Inputs of {@link gatewayValues}. */
export interface GatewayValuesInput {
    images: GatewayImages;
    /** Private registry `host[:port][/project]`. */
    registry: string;
    /** Pull Secret in the release namespace. */
    pullSecretName: string;
    service: GatewaySection["service"];
}

/**
 * Values of gateway-helm v1.9: `global.imagePullSecrets` reaches the controller, the certgen Job and (through the
 * controller's EnvoyGateway config) every Envoy proxy pod; `global.images.envoyProxy.image` relocates the proxy
 * image the controller would otherwise take from its own binary; `config.envoyGateway.envoyProxy` is the default
 * EnvoyProxy spec (the proxies' Service). The chart installs the Gateway API and Envoy Gateway CRDs (`crds.enabled`).
 */
export function gatewayValues(i: GatewayValuesInput): Record<string, unknown> {
    const envoyService: Record<string, unknown> = { type: i.service.type };
    if (i.service.loadBalancerIP) envoyService.loadBalancerIP = i.service.loadBalancerIP;
    return {
        global: {
            imagePullSecrets: [{ name: i.pullSecretName }],
            images: {
                envoyGateway: { image: mapImage(i.images.controller, i.registry) },
                envoyProxy: { image: mapImage(i.images.proxy, i.registry) },
                ratelimit: { image: mapImage(i.images.ratelimit, i.registry) },
            },
        },
        crds: { enabled: true },
        config: {
            envoyGateway: {
                envoyProxy: { provider: { type: "Kubernetes", kubernetes: { envoyService } } },
            },
        },
    };
}
