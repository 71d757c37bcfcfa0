/** The gateway add-on: Gateway API through Envoy Gateway, the default way into AI Hub (`ingress.mode` gateway). */
import { aihubTlsSecret } from "../../modules/aihub/ingress";
import type { AddOnProblems } from "../../platform/contracts";
import { defineAddOn } from "../shared/define";
import { GATEWAY_CATALOG } from "./catalog";
import { SharedGateway } from "./component";
import { HTTPS_LISTENER } from "./manifests";
import { gatewaySchema } from "./schema";

export const gateway = defineAddOn({
    name: "gateway",
    title: "Gateway API (Envoy Gateway): the shared Gateway in front of AI Hub and the add-on UIs",
    requires: ["metallb", "certManager"],
    schema: gatewaySchema,
    rules: (s, all) => {
        const out: Required<AddOnProblems> = { errors: [], warnings: [] };
        if (s.service.loadBalancerIP && s.service.type !== "LoadBalancer") {
            out.errors.push({
                path: "addons.gateway.service.loadBalancerIP",
                text: "needs addons.gateway.service.type LoadBalancer (remove it, or set the type)",
            });
        }
        const metallb = (all.addons as Record<string, unknown> | undefined)?.metallb !== undefined;
        if (s.service.type === "LoadBalancer" && !metallb) {
            out.warnings.push({
                path: "addons.gateway.service.type",
                text: "LoadBalancer without addons.metallb relies on the cluster's own load balancer; without one the Gateway gets no address and up waits until it times out (turn on addons.metallb, or use NodePort)",
            });
        }
        if (all.ingress && all.ingress.mode !== "gateway") {
            out.warnings.push({
                path: "addons.gateway",
                text: `is on but ingress.mode is ${all.ingress.mode}: AI Hub keeps its Ingress and only add-on UIs use the Gateway (remove ingress.mode to use the gateway)`,
            });
        }
        return out;
    },
    charts: (s) => [{ key: "addons.gateway.chart", path: s.chart }],
    images: (s) => [GATEWAY_CATALOG[s.version].controller, GATEWAY_CATALOG[s.version].proxy],
    build: (s, deps) => {
        const { cfg } = deps;
        const ingress = cfg.ingress;
        const issuer = deps.provided.issuer;
        const component = new SharedGateway(
            "gateway",
            {
                section: s,
                images: GATEWAY_CATALOG[s.version],
                chart: s.chart,
                host: cfg.aihub.domain,
                tlsSecretName: aihubTlsSecret(cfg).name,
                tls: ingress.tlsCert && ingress.tlsKey ? { cert: ingress.tlsCert, key: ingress.tlsKey } : undefined,
                issued: issuer && { issuer: issuer.name, ready: issuer.ready },
                registry: {
                    server: cfg.registry.server,
                    username: cfg.registry.username,
                    password: cfg.registry.password,
                    pullSecretName: cfg.registry.pullSecretName,
                },
                after: deps.mirror ? [deps.mirror] : [],
                addressReady: deps.provided.loadBalancer?.ready,
            },
            deps.kube,
        );
        return {
            component,
            provides: {
                gateway: {
                    name: s.gatewayName,
                    namespace: s.namespace,
                    sectionName: HTTPS_LISTENER,
                    address: component.address,
                    ready: [component.gateway],
                },
            },
            outputs: { gatewayAddress: component.address },
        };
    },
});
