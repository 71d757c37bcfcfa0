/**
 * The gateway add-on under the real engine: the core stack in gateway mode (ingress.mode left out, so the default
 * applies), Envoy Gateway's real chart (gateway-helm v1.9.0: its Gateway API and Envoy Gateway CRDs, the certgen hook
 * Job, the topology-injector webhook, the ValidatingAdmissionPolicy the API server enforces) and its real controller
 * v1.9.0, which the sim runs (testing/sim/envoy-gateway.ts). Checks, on what that controller decided: the Gateway
 * Programmed with its address, every HTTPRoute attached to it Accepted with its references resolved, the
 * BackendTLSPolicy accepted, the xDS configuration it serves the proxies routing `aihub.domain` to AI Hub's proxy
 * Service (re-encrypted, SNI the host) and each add-on path to its Service, routes that break the Gateway's rules
 * refused with Envoy Gateway's reasons, its topology-injector webhook answered on loopback, no Ingress, the proxy
 * pod's image relocated, the outputs.
 */
import { httpRouteSpec } from "../../k8s/routes";
import { vendorChart, type AddOnEngineFixture } from "../../test/engine/addon-fixture";
import {
    backendTlsPoliciesAccepted,
    refusedRoutes,
    routesAccepted,
    routesServedAsDeclared,
    xdsOf,
    type GatewayId,
} from "../../test/engine/envoy-gateway";
import { webhooksAnsweredOnLoopback } from "../../test/engine/webhooks";
import type { EngineScenario } from "../../test/engine/scenario";
import { sleep } from "../../lib/async";
import { HTTPS_LISTENER } from "./manifests";

function condition(obj: { status?: Record<string, unknown> } | undefined, type: string): boolean {
    const cs = (obj?.status?.conditions ?? []) as { type: string; status: string }[];
    return cs.some((c) => c.type === type && c.status === "True");
}

const NAMESPACE = "gateway";
const GATEWAY: GatewayId = { namespace: NAMESPACE, name: "aihub" };

async function check(s: EngineScenario): Promise<void> {
    const gw = await s.view.get("gateway.networking.k8s.io/v1", "Gateway", GATEWAY.name, GATEWAY.namespace);
    if (!condition(gw, "Programmed"))
        throw new Error(`Gateway ${NAMESPACE}/${GATEWAY.name} is not Programmed: ${JSON.stringify(gw?.status)}`);
    const address = (gw!.status!.addresses as { value: string }[])[0].value;
    const routes = await routesAccepted(s, GATEWAY);
    const names = routes.map((r) => `${r.metadata.namespace}/${r.metadata.name}`);
    if (!names.includes("aihub/aihub")) throw new Error(`AI Hub's HTTPRoute is not attached: ${names.join(", ")}`);
    await backendTlsPoliciesAccepted(s, GATEWAY);
    const domain = String(s.plain.aihub.domain);
    const dump = await xdsOf(s, GATEWAY, NAMESPACE);
    const served = await routesServedAsDeclared(s, dump, routes);
    console.log(`# gateway: route rules served as Envoy Gateway translated them: ${served.join("; ")}`);
    const aihub = dump.clusters.find((c) => c.name === "httproute/aihub/aihub/rule/0");
    if (!aihub?.tlsSni.includes(domain))
        throw new Error(`AI Hub's cluster does not re-encrypt for ${domain}: ${JSON.stringify(aihub)}`);
    // The stand-in's negative rules, now the real controller's: a parentRef to no listener, a hostname the listener
    // does not serve, a back end that does not exist.
    const ref = { name: GATEWAY.name, namespace: NAMESPACE, sectionName: HTTPS_LISTENER };
    const proxy = (
        routes.find((r) => r.metadata.name === "aihub")!.spec as { rules: { backendRefs: { name: string }[] }[] }
    ).rules[0].backendRefs[0].name;
    const target = { host: domain, path: "/wrong", service: proxy, port: 443 };
    await refusedRoutes(s, GATEWAY, "aihub", [
        {
            name: "wrong-section",
            spec: httpRouteSpec(target, { ...ref, sectionName: "htps" }),
            condition: "Accepted",
            reason: "NoMatchingParent",
        },
        {
            name: "wrong-host",
            spec: httpRouteSpec({ ...target, host: "other.invalid" }, ref),
            condition: "Accepted",
            reason: "NoMatchingListenerHostname",
        },
        {
            name: "wrong-backend",
            spec: httpRouteSpec({ ...target, service: "no-such-service" }, ref),
            condition: "ResolvedRefs",
            reason: "BackendNotFound",
        },
    ]);
    const ingresses = (await s.view.list("networking.k8s.io/v1", "Ingress")).map((i) => i.metadata.name);
    if (ingresses.length > 0) throw new Error(`gateway mode left Ingresses: ${ingresses.join(", ")}`);
    const envoys = (await s.podImages()).filter((p) => p.image.includes("envoyproxy/envoy:"));
    if (envoys.length === 0 || envoys.some((p) => !p.image.startsWith(`${s.registry.host}/`)))
        throw new Error(`Envoy proxy pods not on the private registry: ${JSON.stringify(envoys)}`);
    // The chart's topology injector, answered by the controller's own webhook server on loopback (its calls for the
    // controller's own pod and the certgen Job's, made before the controller runs, fail open as on any cluster).
    await webhooksAnsweredOnLoopback(s, [`envoy-gateway-topology-injector.${NAMESPACE}`], {
        routedOnly: true,
    });
    await topologyInjected(s);
    const out = JSON.parse((await s.pulumiOk(["stack", "output", "--json"])).stdout) as Record<string, unknown>;
    if (out.gatewayAddress !== address)
        throw new Error(`gatewayAddress output ${String(out.gatewayAddress)} is not the Gateway's address ${address}`);
    const url = `https://${domain}`;
    if (out.aihubUrl !== url) throw new Error(`aihubUrl output ${String(out.aihubUrl)} is not ${url}`);
}

const ZONE = "topology.kubernetes.io/zone";

/**
 * Envoy Gateway's topology injector answers for real: with a zone label on every node, a new proxy pod's binding
 * gets the zone as an annotation, which the API server copies onto the pod (internal/provider/kubernetes/
 * topology_injector.go@v1.9.0; nothing else writes it). The labels are taken off again.
 */
async function topologyInjected(s: EngineScenario): Promise<void> {
    const c = s.sim.client;
    const selector = encodeURIComponent(
        "app.kubernetes.io/name=envoy,app.kubernetes.io/component=proxy,app.kubernetes.io/managed-by=envoy-gateway",
    );
    const pods = `/api/v1/namespaces/${NAMESPACE}/pods`;
    const nodes = (await c.list("/api/v1/nodes")).filter((n) => !n.metadata.labels?.[ZONE]);
    const label = (value: string | null) =>
        Promise.all(
            nodes.map((n) =>
                c.mergePatch(`/api/v1/nodes/${n.metadata.name}`, { metadata: { labels: { [ZONE]: value } } }),
            ),
        );
    await label("sim-zone-a");
    try {
        const old = await c.list(`${pods}?labelSelector=${selector}`);
        if (old.length === 0) throw new Error("no Envoy proxy pod");
        for (const p of old) await c.delete(`${pods}/${p.metadata.name}`);
        const gone = new Set(old.map((p) => p.metadata.uid));
        let got: string | undefined;
        for (let i = 0; i < 90 && got === undefined; i++) {
            await sleep(1000);
            const fresh = (await c.list(`${pods}?labelSelector=${selector}`)).filter(
                (p) => !gone.has(p.metadata.uid) && p.spec?.nodeName,
            );
            got = fresh.map((p) => p.metadata.annotations?.[ZONE]).find((z) => z !== undefined);
            if (fresh.length > 0 && got === undefined && i > 20) break;
        }
        if (got !== '"sim-zone-a"')
            throw new Error(`the new proxy pod has no zone from the topology injector: ${JSON.stringify(got)}`);
    } finally {
        await label(null);
    }
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
