/**
 * Calls the API server makes to a Service — admission webhooks, CRD conversion webhooks, aggregated APIs — go to the
 * Service's ClusterIP, an address that exists nowhere here (the sim runs in a loopback-only network namespace, so
 * such a dial fails at once). A webhook server that runs here (a real controller started beside the sim, or a
 * test's server) listens on 127.0.0.1 and registers its Service in the ConfigMap `kube-system/sim-loopback-endpoints`
 * (key `<namespace>.<service>.<port>` → `{url, caPem}`); this part of the sim's controller then points every webhook
 * of that Service at the loopback URL, with the CA that serves it.
 *
 * A webhook nothing answers for is left as the chart made it, so its failure policy decides as on a real cluster
 * whose webhook pod is down: `Fail` refuses what it guards, `Ignore` admits it. It is reported by name — in the
 * sim's log and in the annotation `sim.aihub-airgap/unanswered` of its configuration — never removed. An aggregated
 * API cannot be pointed at loopback (an APIService takes no URL, and the API server refuses loopback endpoints), so it
 * is only reported.
 */
import type { ApiClient, KubeObject } from "../../lib/kube-api";
import type { Log } from "./log";

/** The ConfigMap that maps Services to loopback webhook servers. */
export const LOOPBACK_ENDPOINTS = { namespace: "kube-system", name: "sim-loopback-endpoints" };
/** Annotation listing the webhooks of an object that nothing answers on loopback. */
export const UNANSWERED_ANNOTATION = "sim.aihub-airgap/unanswered";

/** Where a Service's webhook server listens here. */
export interface LoopbackEndpoint {
    /** Base URL, `https://127.0.0.1:<port>`; the webhook's `service.path` is appended. */
    url: string;
    /** PEM of the CA that signed the server's certificate. */
    caPem: string;
}

/** A Service reference as webhook client configs give it. */
interface ServiceRef {
    namespace: string;
    name: string;
    path?: string;
    port?: number;
}

const CONFIGMAP_PATH = `/api/v1/namespaces/${LOOPBACK_ENDPOINTS.namespace}/configmaps/${LOOPBACK_ENDPOINTS.name}`;

/** The ConfigMap key of a Service port (443 when the reference names none, as the API server assumes). */
export function serviceKey(ref: { namespace: string; name: string; port?: number }): string {
    return `${ref.namespace}.${ref.name}.${ref.port ?? 443}`;
}

/** A Service port as messages name it. */
function serviceText(ref: { namespace: string; name: string; port?: number }): string {
    return `${ref.namespace}/${ref.name}:${ref.port ?? 443}`;
}

/** Registers (or replaces) the loopback server of a Service. */
export async function registerLoopbackEndpoint(
    client: ApiClient,
    service: { namespace: string; name: string; port?: number },
    endpoint: LoopbackEndpoint,
): Promise<void> {
    const data = { [serviceKey(service)]: JSON.stringify(endpoint) };
    const created = await client.create(
        `/api/v1/namespaces/${LOOPBACK_ENDPOINTS.namespace}/configmaps`,
        { metadata: { name: LOOPBACK_ENDPOINTS.name }, data },
        true,
    );
    if (!created) await client.mergePatch(CONFIGMAP_PATH, { data });
}

async function endpoints(client: ApiClient): Promise<Map<string, LoopbackEndpoint>> {
    const cm = await client.get(CONFIGMAP_PATH);
    const data = (cm?.data ?? {}) as Record<string, string>;
    return new Map(Object.entries(data).map(([k, v]) => [k, JSON.parse(v) as LoopbackEndpoint]));
}

/** The client config that calls `ep` instead of the Service. */
function loopbackConfig(ref: ServiceRef, ep: LoopbackEndpoint): { url: string; caBundle: string } {
    return { url: ep.url.replace(/\/$/, "") + (ref.path ?? ""), caBundle: Buffer.from(ep.caPem).toString("base64") };
}

/** Sets or clears the annotation naming what nothing answers; logs each change. */
async function reportUnanswered(client: ApiClient, path: string, obj: KubeObject, unanswered: string[], log: Log) {
    const text = unanswered.join("; ");
    const current = obj.metadata.annotations?.[UNANSWERED_ANNOTATION] ?? "";
    if (text === current) return;
    await client.mergePatch(path, { metadata: { annotations: { [UNANSWERED_ANNOTATION]: text || null } } });
    if (text) log(`${obj.kind ?? "object"} ${obj.metadata.name}: nothing answers on loopback for ${text}`);
}

interface Webhook {
    name: string;
    failurePolicy?: string;
    clientConfig?: { service?: ServiceRef; url?: string; caBundle?: string };
}

async function reconcileWebhookConfigurations(client: ApiClient, eps: Map<string, LoopbackEndpoint>, log: Log) {
    const base = "/apis/admissionregistration.k8s.io/v1";
    for (const plural of ["validatingwebhookconfigurations", "mutatingwebhookconfigurations"]) {
        for (const cfg of await client.list(`${base}/${plural}`)) {
            if (cfg.metadata.deletionTimestamp) continue;
            const path = `${base}/${plural}/${cfg.metadata.name}`;
            const hooks = ((cfg as { webhooks?: Webhook[] }).webhooks ?? []).map((w) => ({ ...w }));
            const unanswered: string[] = [];
            let routed = false;
            for (const w of hooks) {
                const ref = w.clientConfig?.service;
                if (!ref) continue;
                const ep = eps.get(serviceKey(ref));
                if (!ep) {
                    unanswered.push(
                        `${w.name} (service ${serviceText(ref)}, failurePolicy ${w.failurePolicy ?? "Fail"})`,
                    );
                    continue;
                }
                w.clientConfig = loopbackConfig(ref, ep);
                routed = true;
                log(`webhook ${cfg.metadata.name}/${w.name}: service ${serviceText(ref)} -> ${w.clientConfig.url}`);
            }
            if (routed) await client.mergePatch(path, { webhooks: hooks });
            await reportUnanswered(client, path, { ...cfg, kind: cfg.kind ?? plural }, unanswered, log);
        }
    }
}

async function reconcileConversions(client: ApiClient, eps: Map<string, LoopbackEndpoint>, log: Log) {
    const base = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions";
    for (const crd of await client.list(base)) {
        const conversion = crd.spec?.conversion as
            { strategy?: string; webhook?: { clientConfig?: { service?: ServiceRef } } } | undefined;
        const ref = conversion?.strategy === "Webhook" ? conversion.webhook?.clientConfig?.service : undefined;
        if (!ref || crd.metadata.deletionTimestamp) continue;
        const path = `${base}/${crd.metadata.name}`;
        const ep = eps.get(serviceKey(ref));
        if (!ep) {
            await reportUnanswered(client, path, crd, [`conversion (service ${serviceText(ref)})`], log);
            continue;
        }
        const clientConfig = { ...loopbackConfig(ref, ep), service: null };
        await client.mergePatch(path, { spec: { conversion: { webhook: { clientConfig } } } });
        await reportUnanswered(client, path, crd, [], log);
        log(`conversion of ${crd.metadata.name}: service ${serviceText(ref)} -> ${clientConfig.url}`);
    }
}

async function reportAggregatedApis(client: ApiClient, log: Log) {
    const base = "/apis/apiregistration.k8s.io/v1/apiservices";
    for (const api of await client.list(base)) {
        const ref = api.spec?.service as ServiceRef | undefined;
        if (!ref) continue;
        await reportUnanswered(
            client,
            `${base}/${api.metadata.name}`,
            api,
            [`aggregated API (service ${serviceText(ref)})`],
            log,
        );
    }
}

/** One pass: routes what has a loopback server, reports what has none. */
export async function reconcileWebhooks(client: ApiClient, log: Log): Promise<void> {
    const eps = await endpoints(client);
    await reconcileWebhookConfigurations(client, eps, log);
    await reconcileConversions(client, eps, log);
    await reportAggregatedApis(client, log);
}
