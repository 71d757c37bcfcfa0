/**
 * The gateway add-on under the real engine: the core stack in gateway mode (ingress.mode left out, so the default
 * applies), Envoy Gateway's real chart (gateway-helm v1.9.0: its Gateway API and Envoy Gateway CRDs, the certgen hook
 * Job, the topology-injector webhook, the ValidatingAdmissionPolicy the API server enforces), the stand-in controller
 * (testing/sim/gateway.ts) programming the Gateway. Checks: Gateway Programmed with an address, AI Hub's HTTPRoute accepted,
 * no Ingress, the proxy pod's image relocated, the outputs.
 */
import { vendorChart, type AddOnEngineFixture } from "../../test/engine/addon-fixture";
import { UNANSWERED_ANNOTATION } from "../../testing/sim/webhooks";
import type { EngineScenario } from "../../test/engine/scenario";

function condition(obj: { status?: Record<string, unknown> } | undefined, type: string): boolean {
    const cs = (obj?.status?.conditions ?? []) as { type: string; status: string }[];
    return cs.some((c) => c.type === type && c.status === "True");
}

async function check(s: EngineScenario): Promise<void> {
    const gw = await s.view.get("gateway.networking.k8s.io/v1", "Gateway", "aihub", "gateway");
    if (!condition(gw, "Programmed"))
        throw new Error(`Gateway gateway/aihub is not Programmed: ${JSON.stringify(gw?.status)}`);
    const address = (gw!.status!.addresses as { value: string }[])[0].value;
    const route = await s.view.get("gateway.networking.k8s.io/v1", "HTTPRoute", "aihub", "aihub");
    const parents = (route?.status?.parents ?? []) as { conditions?: { type: string; status: string }[] }[];
    if (!parents.some((p) => condition({ status: { conditions: p.conditions } }, "Accepted")))
        throw new Error(`HTTPRoute aihub/aihub is not accepted: ${JSON.stringify(route?.status)}`);
    const ingresses = (await s.view.list("networking.k8s.io/v1", "Ingress")).map((i) => i.metadata.name);
    if (ingresses.length > 0) throw new Error(`gateway mode left Ingresses: ${ingresses.join(", ")}`);
    const proxy = (await s.podImages()).filter((p) => p.image.includes("envoyproxy/envoy:"));
    if (proxy.length === 0 || proxy.some((p) => !p.image.startsWith(`${s.registry.host}/`)))
        throw new Error(`Envoy proxy pods not on the private registry: ${JSON.stringify(proxy)}`);
    // Nothing serves the chart's topology injector here (no Envoy Gateway controller): the sim names it, and its
    // failure policy (Ignore) lets pods through, as on a cluster whose controller is down.
    const injector = await s.view.get(
        "admissionregistration.k8s.io/v1",
        "MutatingWebhookConfiguration",
        "envoy-gateway-topology-injector.gateway",
    );
    const note = injector?.metadata.annotations?.[UNANSWERED_ANNOTATION] ?? "";
    if (
        !note.includes(
            "topology.webhook.gateway.envoyproxy.io (service gateway/envoy-gateway:9443, failurePolicy Ignore)",
        )
    )
        throw new Error(`the topology injector webhook is not named unanswered: ${JSON.stringify(note)}`);
    const out = JSON.parse((await s.pulumiOk(["stack", "output", "--json"])).stdout) as Record<string, unknown>;
    if (out.gatewayAddress !== address)
        throw new Error(`gatewayAddress output ${String(out.gatewayAddress)} is not the Gateway's address ${address}`);
    const url = `https://${String(s.plain.aihub.domain)}`;
    if (out.aihubUrl !== url) throw new Error(`aihubUrl output ${String(out.aihubUrl)} is not ${url}`);
}

export const fixture: AddOnEngineFixture = {
    packageCharts: () => ({ gateway: vendorChart("gateway-helm-v1.9.0.tgz") }),
    adjustCore: (plain) => {
        delete plain.ingress.mode;
    },
    section: (stage) => ({ chart: stage.charts.gateway }),
    releases: ["gateway/envoy-gateway"],
    check,
};
