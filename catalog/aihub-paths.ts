/**
 * The URL paths the AI Hub chart serves on `aihub.domain` besides its root, per chart version: the `*Suffix` keys of
 * its values (the chart's proxy routes them, and builds e.g. Grafana's `GF_SERVER_ROOT_URL` from
 * `grafana.proxyURLSuffix`) and the paths its templates fix (Keycloak's `KC_HTTP_RELATIVE_PATH: /auth`, Panopticon's
 * `/panopticon`). The chart .tgz is not read at plan time, so this is a record; test/app/aihub-paths.test.ts checks it
 * against every real chart in ../shared/charts (values keys and the rendered ConfigMaps and probes).
 */
import { deepMerge } from "../lib/merge";

/** A path AI Hub serves: the values key that sets it (undefined for a fixed path), what it is, the default path. */
export interface AihubServedPath {
    /** Dotted values key, e.g. `grafana.proxyURLSuffix`; undefined when the chart fixes the path. */
    key?: string;
    /** What AI Hub serves there, for messages. */
    what: string;
    path: string;
}

/** The same in every chart from 10.3.1 to 2026.0.2 (checked per version by the test). */
const PATHS: readonly AihubServedPath[] = [
    { key: "grafana.proxyURLSuffix", what: "AI Hub's Grafana (its dashboards and sign-in callback)", path: "/grafana" },
    { key: "jupyterHub.proxyURLSuffix", what: "AI Hub's JupyterHub (its notebooks)", path: "/jupyter" },
    { key: "platformAdmin.proxyURLSuffix", what: "AI Hub's platform admin", path: "/platform-admin" },
    { key: "platformAdmin.proxyRTSWebUISuffix", what: "the scoring agents' admin UI", path: "/rts-admin" },
    { key: "scoringAgent.proxyURLSuffix", what: "AI Hub's real-time scoring agents", path: "/rts" },
    { key: "tokenTool.proxyURLSuffix", what: "AI Hub's token tool", path: "/get-token" },
    { what: "AI Hub's Keycloak (sign-in for AI Hub and its UIs)", path: "/auth" },
    { what: "AI Hub's Panopticon", path: "/panopticon" },
];

/** Served paths per chart version. */
export const AIHUB_SERVED_PATHS: Readonly<Record<string, readonly AihubServedPath[]>> = Object.fromEntries(
    [
        "10.3.1",
        "10.3.2",
        "2024.0.0",
        "2024.0.1",
        "2024.0.3",
        "2024.1.0",
        "2024.1.1",
        "2024.1.2",
        "2025.0.0",
        "2025.0.1",
        "2025.1.0",
        "2025.1.1",
        "2026.0.0",
        "2026.0.2",
    ].map((v) => [v, PATHS]),
);

function at(values: Record<string, unknown>, key: string): unknown {
    let o: unknown = values;
    for (const k of key.split(".")) o = o && typeof o === "object" ? (o as Record<string, unknown>)[k] : undefined;
    return o;
}

/**
 * The paths a release of `version` serves, with the stack's values (the values file, then inline values) applied
 * over the chart's defaults; empty for a version the record does not know.
 */
export function aihubServedPaths(
    version: string,
    ...values: Record<string, unknown>[]
): { key?: string; what: string; path: string }[] {
    const merged = deepMerge(...values);
    return (AIHUB_SERVED_PATHS[version.replace(/^v/, "")] ?? []).map((p) => {
        const v = p.key ? at(merged, p.key) : undefined;
        return { ...p, path: typeof v === "string" && v.startsWith("/") ? v.replace(/\/+$/, "") || "/" : p.path };
    });
}

/** Path segments of `/a/b`: `["a", "b"]`. */
const segments = (p: string): string[] => p.split("/").filter(Boolean);

/**
 * True when two path prefixes collide on one host: equal, or one is a prefix of the other by whole segments (how
 * Gateway API `PathPrefix` and ingress-nginx `Prefix` match, the longer prefix winning).
 */
export function pathsCollide(a: string, b: string): boolean {
    const [x, y] = [segments(a), segments(b)];
    const n = Math.min(x.length, y.length);
    return x.slice(0, n).every((s, i) => s === y[i]);
}
