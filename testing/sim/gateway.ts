/**
 * Stands in for Envoy Gateway's controller: for each Gateway of an Envoy Gateway class it creates the proxies'
 * Service and Deployment (from the controller's EnvoyGateway config, so the relocated proxy image and pull Secret
 * show on a pod), and once the Service has an address (testing/sim/controller.ts gives load balancers one; NodePort takes a
 * node's) writes the Gateway's status (Accepted, Programmed, addresses, listeners) and the status of HTTPRoutes
 * attached to it. No traffic flows: there is no Envoy.
 */
import { parse } from "yaml";
import type { ApiClient, KubeObject } from "../../lib/kube-api";
import type { Log } from "./log";

/** Envoy Gateway's controller name. */
export const EG_CONTROLLER = "gateway.envoyproxy.io/gatewayclass-controller";
const GW = "/apis/gateway.networking.k8s.io/v1";
const OWNER_NAME = "gateway.envoyproxy.io/owning-gateway-name";
const OWNER_NS = "gateway.envoyproxy.io/owning-gateway-namespace";

/** The part of the controller's EnvoyGateway config the stand-in reads. */
interface ProxyDefaults {
    image: string;
    pullSecrets: { name: string }[];
    serviceType: string;
}

async function proxyDefaults(client: ApiClient): Promise<{ namespace: string; proxy: ProxyDefaults } | undefined> {
    const cms = await client.list("/api/v1/configmaps?fieldSelector=metadata.name%3Denvoy-gateway-config");
    const cm = cms[0];
    if (!cm) return undefined;
    const data = (cm.data as Record<string, string> | undefined)?.["envoy-gateway.yaml"] ?? "";
    const k = parse(data)?.envoyProxy?.provider?.kubernetes ?? {};
    return {
        namespace: cm.metadata.namespace!,
        proxy: {
            image: k.envoyDeployment?.container?.image ?? "docker.io/envoyproxy/envoy:distroless-v1.39.0",
            pullSecrets: k.envoyDeployment?.pod?.imagePullSecrets ?? [],
            serviceType: k.envoyService?.type ?? "LoadBalancer",
        },
    };
}

function condition(type: string, reason: string, generation: number | undefined) {
    return {
        type,
        status: "True",
        reason,
        message: `sim: ${reason}`,
        observedGeneration: generation ?? 1,
        lastTransitionTime: new Date().toISOString(),
    };
}

/** The address of the proxies' Service: its load-balancer address, or for NodePort a node's internal address. */
async function serviceAddress(client: ApiClient, svc: KubeObject): Promise<string | undefined> {
    if (svc.spec?.type === "NodePort") {
        const nodes = await client.list("/api/v1/nodes");
        const addrs = (nodes[0]?.status?.addresses ?? []) as { type: string; address: string }[];
        return addrs.find((a) => a.type === "InternalIP")?.address;
    }
    const lb = svc.status?.loadBalancer as { ingress?: { ip?: string }[] } | undefined;
    return lb?.ingress?.[0]?.ip;
}

/** Envoy Gateway's part (see the file comment). */
export async function reconcileGateways(client: ApiClient, log: Log): Promise<void> {
    const classes = await client.list(`${GW}/gatewayclasses`).catch(() => [] as KubeObject[]);
    const ours = new Set(classes.filter((c) => c.spec?.controllerName === EG_CONTROLLER).map((c) => c.metadata.name));
    if (ours.size === 0) return;
    const eg = await proxyDefaults(client);
    if (!eg) return;
    const programmed = new Set<string>();
    for (const gw of await client.list(`${GW}/gateways`)) {
        if (!ours.has(gw.spec?.gatewayClassName as string) || gw.metadata.deletionTimestamp) continue;
        const ns = gw.metadata.namespace!;
        const name = `envoy-${ns}-${gw.metadata.name}`.slice(0, 63);
        const labels = { [OWNER_NAME]: gw.metadata.name, [OWNER_NS]: ns, app: name };
        const listeners = (gw.spec?.listeners ?? []) as { name: string; port: number }[];
        const svcPath = `/api/v1/namespaces/${eg.namespace}/services/${name}`;
        await client.create(
            `/api/v1/namespaces/${eg.namespace}/services`,
            {
                metadata: { name, namespace: eg.namespace, labels },
                spec: {
                    type: eg.proxy.serviceType,
                    selector: { app: name },
                    ports: listeners.map((l) => ({ name: l.name, port: l.port, targetPort: 10000 + l.port })),
                },
            },
            true,
        );
        await client.create(
            `/apis/apps/v1/namespaces/${eg.namespace}/deployments`,
            {
                metadata: { name, namespace: eg.namespace, labels },
                spec: {
                    replicas: 1,
                    selector: { matchLabels: { app: name } },
                    template: {
                        metadata: { labels },
                        spec: {
                            imagePullSecrets: eg.proxy.pullSecrets,
                            containers: [{ name: "envoy", image: eg.proxy.image }],
                        },
                    },
                },
            },
            true,
        );
        const svc = await client.get(svcPath);
        const address = svc && (await serviceAddress(client, svc));
        if (!address) continue;
        programmed.add(`${ns}/${gw.metadata.name}`);
        const status = gw.status as { addresses?: { value: string }[]; conditions?: { type: string }[] } | undefined;
        const done =
            status?.addresses?.[0]?.value === address && status.conditions?.some((c) => c.type === "Programmed");
        if (done) continue;
        const g = gw.metadata.generation;
        await client.mergePatch(`${GW}/namespaces/${ns}/gateways/${gw.metadata.name}/status`, {
            status: {
                addresses: [{ type: "IPAddress", value: address }],
                conditions: [condition("Accepted", "Accepted", g), condition("Programmed", "Programmed", g)],
                listeners: listeners.map((l) => ({
                    name: l.name,
                    attachedRoutes: 0,
                    supportedKinds: [{ group: "gateway.networking.k8s.io", kind: "HTTPRoute" }],
                    conditions: [
                        condition("Accepted", "Accepted", g),
                        condition("ResolvedRefs", "ResolvedRefs", g),
                        condition("Programmed", "Programmed", g),
                    ],
                })),
            },
        });
        log(`gateway ${ns}/${gw.metadata.name}: programmed at ${address}`);
    }
    for (const route of await client.list(`${GW}/httproutes`)) {
        const refs = (route.spec?.parentRefs ?? []) as { name: string; namespace?: string; sectionName?: string }[];
        const rns = route.metadata.namespace!;
        const attached = refs.filter((r) => programmed.has(`${r.namespace ?? rns}/${r.name}`));
        const seen = (route.status?.parents ?? []) as unknown[];
        if (attached.length === 0 || seen.length === attached.length) continue;
        const g = route.metadata.generation;
        await client.mergePatch(`${GW}/namespaces/${rns}/httproutes/${route.metadata.name}/status`, {
            status: {
                parents: attached.map((parentRef) => ({
                    parentRef,
                    controllerName: EG_CONTROLLER,
                    conditions: [condition("Accepted", "Accepted", g), condition("ResolvedRefs", "ResolvedRefs", g)],
                })),
            },
        });
        log(`httproute ${rns}/${route.metadata.name}: accepted`);
    }
}
