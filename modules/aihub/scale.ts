/**
 * The AI Hub workloads in scale-down order (`aihub.running`): proxy and front ends first, then the servers and
 * agents, the databases last; scale-up is the reverse. Names and replica sources as the vendor charts render them
 * (read from `helm template` of 10.3.2, 2024.0.1, 2024.1.2, 2025.0.1, 2025.1.1 and 2026.0.2), filtered by
 * `deploymentProfiles` (2024.0+) and taking the agents from the values, since each agent is a StatefulSet.
 */
import type { AiHubLayout } from "../../catalog/aihub-layout";
import { isMapping } from "../../lib/merge";

/** The three steps, in scale-down order. */
export const TIERS = ["front", "servers", "databases"] as const;
export type Tier = (typeof TIERS)[number];

/** One workload of the release. */
export interface Workload {
    kind: "Deployment" | "StatefulSet";
    name: string;
    /** Replicas while running. */
    replicas: number;
    tier: Tier;
}

type Fixed = [name: string, profile: string, tier: Tier, replicasAt?: string];
/** Deployments with fixed names (and the panopticon StatefulSets), with the profile that renders them. */
const FIXED: Fixed[] = [
    ["proxy-dep", "proxy", "front"],
    ["aihub-frontend-dep", "aihub-frontend", "front"],
    ["landing-page-dep", "landing-page", "front"],
    ["token-tool-dep", "token-tool", "front"],
    ["grafana-proxy-dep", "grafana", "front", "grafanaProxy.replicas"],
    ["grafana-anonymous-proxy-dep", "grafana", "front", "grafanaAnonProxy.replicas"],
    ["aihub-backend-dep", "aihub-backend", "servers"],
    ["activemq-dep", "aihub-activemq", "servers"],
    ["keycloak-dep", "keycloak", "servers"],
    ["license-proxy-dep", "altair-license", "servers"],
    ["jupyterhub-dep", "jupyter", "servers"],
    ["platform-admin-webui-dep", "platform-admin", "servers"],
    ["grafana-dep", "grafana", "servers"],
    ["rapidminer-coding-environment-storage-dep", "ces", "servers"],
    ["webapi-gateway-dep", "aihub-webapi-gateway", "servers"],
    ["panopticon-rserve", "panopticon", "servers"],
    ["aihub-db-dep", "aihub-backend", "databases"],
    ["keycloak-db-dep", "keycloak", "databases"],
    ["jupyterhub-db-dep", "jupyter", "databases"],
];
const STATEFUL: Fixed[] = [
    ["panopticon-vizapp", "panopticon", "front"],
    ["scoring-agents", "scoring-agent", "servers", "scoringAgent.replicas"],
    ["panopticon-monetdb", "panopticon", "databases"],
];

function at(values: Record<string, unknown>, path: string): unknown {
    return path.split(".").reduce<unknown>((v, k) => (isMapping(v) ? v[k] : undefined), values);
}

function count(v: unknown): number {
    const n = Number(v ?? 1);
    return Number.isInteger(n) && n >= 0 ? n : 1;
}

/**
 * The agent StatefulSets: `<key>.agents[]` from the values or the chart's own list (`layout.defaultAgents`), else the
 * single block's.
 */
function agents(
    values: Record<string, unknown>,
    layout: AiHubLayout,
    key: AiHubLayout["jobAgentKey"] | AiHubLayout["webApiAgentKey"],
    single: string,
    field: string,
): Workload[] {
    const given = at(values, `${key}.agents`);
    const chart = key === "jobagents" || key === "webApiAgents" ? layout.defaultAgents[key] : undefined;
    const list = Array.isArray(given) ? given : chart?.map((statefulsetName) => ({ statefulsetName }));
    if (Array.isArray(list)) {
        return list.filter(isMapping).map((a) => ({
            kind: "StatefulSet",
            name: String(a.statefulsetName),
            replicas: count(a[field]),
            tier: "servers",
        }));
    }
    return [{ kind: "StatefulSet", name: single, replicas: count(at(values, `${key}.${field}`)), tier: "servers" }];
}

/**
 * Every workload the release runs, in scale-down order. `values` are the release values (vendor file and inline
 * values over the chart's defaults for `deploymentProfiles` and the agent lists).
 */
export function aihubWorkloads(layout: AiHubLayout, values: Record<string, unknown>): Workload[] {
    const profiles = at(values, "deploymentProfiles");
    const on = (p: string) => !Array.isArray(profiles) || profiles.includes(p);
    const fixed = (kind: Workload["kind"]) => (f: Fixed) =>
        on(f[1]) ? [{ kind, name: f[0], tier: f[2], replicas: f[3] ? count(at(values, f[3])) : 1 }] : [];
    const all: Workload[] = [
        ...FIXED.flatMap(fixed("Deployment")),
        ...STATEFUL.flatMap(fixed("StatefulSet")),
        ...(on("aihub-job-agent") ? agents(values, layout, layout.jobAgentKey, "job-agents", "replicas") : []),
        ...(on("aihub-webapi-agent")
            ? agents(values, layout, layout.webApiAgentKey, "webapi-agents", "replicasNumber")
            : []),
    ];
    return TIERS.flatMap((t) => all.filter((w) => w.tier === t));
}
