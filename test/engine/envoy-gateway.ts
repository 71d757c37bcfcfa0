/**
 * What the real Envoy Gateway controller the sim runs (testing/sim/envoy-gateway.ts) decided: the status it wrote on
 * the Gateway API objects, and the configuration its xDS server serves the Gateway's proxies, read with xds-dump (built
 * from the same module, testing/controllers/envoy-gateway/xds-dump) as a proxy of that Gateway would ask for it.
 */
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { sleep } from "../../lib/async";
import type { KubeObject } from "../../lib/kube-api";
import { ENVOY_GATEWAY, upstreamBinary } from "../../testing/controllers-paths";
import { EG_SECRETS, EG_XDS_PORT } from "../../testing/sim/envoy-gateway";
import type { EngineScenario } from "./scenario";

/** Envoy Gateway's controller name (the GatewayClass's). */
export const EG_CONTROLLER = "gateway.envoyproxy.io/gatewayclass-controller";
const GW = "gateway.networking.k8s.io/v1";

/** One condition of a status. */
export interface Condition {
    type: string;
    status: string;
    reason: string;
    message?: string;
}

/** What xds-dump prints. */
export interface XdsDump {
    listeners: string[];
    /** Route configuration name → its virtual hosts. */
    routes: Record<
        string,
        { name: string; domains: string[]; routes: { match: string; cluster?: string; action: string }[] }[]
    >;
    clusters: { name: string; endpoints: string[]; tlsSni: string[] }[];
}

/** A Gateway by namespace and name. */
export interface GatewayId {
    namespace: string;
    name: string;
}

/** The conditions Envoy Gateway wrote for `parent` on a route (its entry in status.parents), by type. */
export function routeConditions(route: KubeObject | undefined, gateway: GatewayId): Map<string, Condition> {
    const parents = (route?.status?.parents ?? []) as {
        controllerName?: string;
        parentRef: { name: string; namespace?: string };
        conditions?: Condition[];
    }[];
    const p = parents.find(
        (x) =>
            x.controllerName === EG_CONTROLLER &&
            x.parentRef.name === gateway.name &&
            (x.parentRef.namespace ?? route?.metadata.namespace) === gateway.namespace,
    );
    return new Map((p?.conditions ?? []).map((c) => [c.type, c]));
}

const brief = (m: Map<string, Condition>) =>
    [...m.values()].map((c) => `${c.type}=${c.status} ${c.reason}`).join(", ") || "no status from Envoy Gateway";

/** Every HTTPRoute attached to `gateway` is Accepted with ResolvedRefs True (as Envoy Gateway wrote it); their names. */
export async function routesAccepted(s: EngineScenario, gateway: GatewayId): Promise<KubeObject[]> {
    const attached = (await s.view.list(GW, "HTTPRoute")).filter((r) =>
        ((r.spec?.parentRefs ?? []) as { name: string; namespace?: string }[]).some(
            (p) => p.name === gateway.name && (p.namespace ?? r.metadata.namespace) === gateway.namespace,
        ),
    );
    const problems = attached
        .map((r) => ({ r, c: routeConditions(r, gateway) }))
        .filter(({ c }) => c.get("Accepted")?.status !== "True" || c.get("ResolvedRefs")?.status !== "True")
        .map(({ r, c }) => `HTTPRoute ${r.metadata.namespace}/${r.metadata.name}: ${brief(c)}`);
    if (problems.length > 0) throw new Error(problems.join("\n"));
    return attached;
}

/** Every BackendTLSPolicy is Accepted (status.ancestors, written by Envoy Gateway for the Gateway). */
export async function backendTlsPoliciesAccepted(s: EngineScenario, gateway: GatewayId): Promise<KubeObject[]> {
    const policies = await s.view.list(GW, "BackendTLSPolicy");
    const problems: string[] = [];
    for (const p of policies) {
        const ancestors = (p.status?.ancestors ?? []) as {
            controllerName: string;
            ancestorRef: { name: string; namespace?: string };
            conditions?: Condition[];
        }[];
        const a = ancestors.find(
            (x) =>
                x.controllerName === EG_CONTROLLER &&
                x.ancestorRef.name === gateway.name &&
                (x.ancestorRef.namespace ?? p.metadata.namespace) === gateway.namespace,
        );
        const accepted = a?.conditions?.find((c) => c.type === "Accepted");
        if (accepted?.status !== "True")
            problems.push(`BackendTLSPolicy ${p.metadata.namespace}/${p.metadata.name}: ${JSON.stringify(p.status)}`);
    }
    if (problems.length > 0) throw new Error(problems.join("\n"));
    return policies;
}

/**
 * The xDS configuration Envoy Gateway serves the proxies of `gateway`: xds-dump with the proxies' client certificate
 * (Secret `envoy` of the controller's namespace) and their node cluster (the `--service-cluster` Envoy Gateway gave
 * the proxy Deployment).
 */
export async function xdsOf(s: EngineScenario, gateway: GatewayId, controllerNamespace: string): Promise<XdsDump> {
    const labels = `gateway.envoyproxy.io/owning-gateway-name=${gateway.name},gateway.envoyproxy.io/owning-gateway-namespace=${gateway.namespace}`;
    const deployments = await s.sim.client.list(
        `/apis/apps/v1/namespaces/${controllerNamespace}/deployments?labelSelector=${encodeURIComponent(labels)}`,
    );
    const args = deployments.flatMap((d) =>
        ((d.spec?.template as { spec: { containers: { args?: string[] }[] } }).spec.containers ?? []).flatMap(
            (c) => c.args ?? [],
        ),
    );
    const i = args.indexOf("--service-cluster");
    if (i < 0) throw new Error(`no proxy Deployment of ${gateway.namespace}/${gateway.name} with --service-cluster`);
    const secret = await s.sim.client.get(`/api/v1/namespaces/${controllerNamespace}/secrets/${EG_SECRETS.proxy}`);
    const data = (secret?.data ?? {}) as Record<string, string>;
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "xds-"));
    try {
        for (const k of ["tls.crt", "tls.key", "ca.crt"]) {
            fs.writeFileSync(path.join(tmp, k), Buffer.from(data[k] ?? "", "base64"), { mode: 0o600 });
        }
        const { stdout } = await promisify(execFile)(upstreamBinary(ENVOY_GATEWAY, "xds-dump"), [
            `--addr=127.0.0.1:${EG_XDS_PORT}`,
            `--cert=${path.join(tmp, "tls.crt")}`,
            `--key=${path.join(tmp, "tls.key")}`,
            `--ca=${path.join(tmp, "ca.crt")}`,
            `--cluster=${args[i + 1]}`,
        ]);
        return JSON.parse(stdout) as XdsDump;
    } finally {
        fs.rmSync(tmp, { recursive: true, force: true });
    }
}

/** The ready addresses of a Service's EndpointSlices. */
async function serviceAddresses(s: EngineScenario, namespace: string, service: string): Promise<string[]> {
    const slices = await s.sim.client.list(
        `/apis/discovery.k8s.io/v1/namespaces/${namespace}/endpointslices?labelSelector=${encodeURIComponent(`kubernetes.io/service-name=${service}`)}`,
    );
    return slices
        .flatMap((sl) => (sl.endpoints ?? []) as { addresses: string[]; conditions?: { ready?: boolean } }[])
        .filter((e) => e.conditions?.ready !== false)
        .flatMap((e) => e.addresses)
        .sort();
}

/**
 * Each rule of each route is served as declared: on a virtual host for every hostname of the route, a route with the
 * rule's path prefix goes to the rule's cluster (Envoy Gateway names it `httproute/<ns>/<name>/rule/<i>`,
 * internal/gatewayapi/helpers.go@v1.9.0 `irRouteDestinationName`), whose endpoints are the back-end Service's ready
 * endpoint addresses. Returns one line per rule checked.
 */
export async function routesServedAsDeclared(
    s: EngineScenario,
    dump: XdsDump,
    routes: KubeObject[],
): Promise<string[]> {
    const problems: string[] = [];
    const seen: string[] = [];
    const hosts = Object.values(dump.routes).flat();
    for (const r of routes) {
        const spec = r.spec as {
            hostnames?: string[];
            rules: {
                matches?: { path?: { value?: string } }[];
                backendRefs?: { name: string; namespace?: string }[];
            }[];
        };
        spec.rules.forEach((rule, i) => {
            if (!rule.backendRefs?.length) return;
            const cluster = `httproute/${r.metadata.namespace}/${r.metadata.name}/rule/${i}`;
            const prefix = `prefix ${rule.matches?.[0]?.path?.value ?? "/"}`;
            for (const host of spec.hostnames ?? []) {
                const served = hosts.some(
                    (vh) =>
                        vh.domains.includes(host) && vh.routes.some((x) => x.cluster === cluster && x.match === prefix),
                );
                if (!served) problems.push(`${host} ${prefix} is not routed to ${cluster}`);
                else seen.push(`${host} ${prefix} -> ${cluster}`);
            }
        });
        for (const [i, rule] of spec.rules.entries()) {
            const b = rule.backendRefs?.[0];
            if (!b) continue;
            const name = `httproute/${r.metadata.namespace}/${r.metadata.name}/rule/${i}`;
            const c = dump.clusters.find((x) => x.name === name);
            const want = await serviceAddresses(s, b.namespace ?? r.metadata.namespace!, b.name);
            const got = [...new Set((c?.endpoints ?? []).map((e) => e.replace(/:\d+$/, "")))].sort();
            if (!c) problems.push(`no cluster ${name}`);
            else if (want.length === 0 || JSON.stringify(got) !== JSON.stringify(want)) {
                problems.push(
                    `cluster ${name} has endpoints ${JSON.stringify(got)}, Service ${b.name}: ${JSON.stringify(want)}`,
                );
            }
        }
    }
    if (problems.length > 0) throw new Error(`${problems.join("\n")}\nxDS routes: ${JSON.stringify(dump.routes)}`);
    return seen;
}

/**
 * Routes that break a rule of the Gateway are refused by Envoy Gateway with its reason: each is created, its status
 * awaited, then deleted. `make(name)` gives a route's spec.
 */
export async function refusedRoutes(
    s: EngineScenario,
    gateway: GatewayId,
    namespace: string,
    cases: { name: string; spec: Record<string, unknown>; condition: string; reason: string }[],
): Promise<void> {
    const base = `/apis/${GW}/namespaces/${namespace}/httproutes`;
    const problems: string[] = [];
    for (const c of cases) {
        await s.sim.client.create(base, {
            apiVersion: GW,
            kind: "HTTPRoute",
            metadata: { name: c.name },
            spec: c.spec,
        });
        try {
            let conds = new Map<string, Condition>();
            for (let i = 0; i < 60 && !conds.has(c.condition); i++) {
                await sleep(1000);
                conds = routeConditions(await s.sim.client.get(`${base}/${c.name}`), gateway);
            }
            const got = conds.get(c.condition);
            if (got?.status !== "False" || got.reason !== c.reason) {
                problems.push(`${c.name}: want ${c.condition}=False ${c.reason}, got ${brief(conds)}`);
            }
        } finally {
            await s.sim.client.delete(`${base}/${c.name}`);
        }
    }
    if (problems.length > 0) throw new Error(problems.join("\n"));
}
