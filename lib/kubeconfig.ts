/** Reads a kubeconfig context into what the API client needs (lib/kube-api.ts). */
import * as fs from "node:fs";
import * as path from "node:path";
import { parse as parseYaml } from "yaml";

/** Everything a client needs to reach the API server: URL and PEM texts. */
export interface ClusterAccess {
    server: string;
    /** CA of the API server; Node's default CAs when absent. */
    ca?: string;
    /** Client certificate and key (PEM), when the user authenticates by certificate. */
    cert?: string;
    key?: string;
    /** Bearer token, when the user authenticates by token. */
    token?: string;
}

/**
 * Reads one context of a kubeconfig (default: its current context). Certificates may be embedded (`*-data`) or
 * files (relative to the kubeconfig); a bearer `token` works instead of a client certificate. Exec and auth-provider
 * plugins are not supported (the error says so).
 */
export function readKubeconfig(file: string, contextName?: string): ClusterAccess {
    interface Named<T> {
        name: string;
        [key: string]: T | string;
    }
    type Pem = "certificate-authority" | "client-certificate" | "client-key";
    const doc = parseYaml(fs.readFileSync(file, "utf8")) as {
        "current-context"?: string;
        contexts?: Named<{ cluster: string; user: string }>[];
        clusters?: Named<{ server: string } & Partial<Record<Pem | `${Pem}-data`, string>>>[];
        users?: Named<Partial<Record<Pem | `${Pem}-data` | "token", string>> & { exec?: unknown }>[];
    };
    const byName = <T>(list: Named<T>[] | undefined, name: string | undefined, field: string): T => {
        const entry = list?.find((x) => x.name === name)?.[field];
        if (!entry || typeof entry === "string") throw new Error(`${file}: no ${field} named "${name}"`);
        return entry;
    };
    const context = byName(doc.contexts, contextName ?? doc["current-context"], "context");
    const cluster = byName(doc.clusters, context.cluster, "cluster");
    const user = byName(doc.users, context.user, "user");
    const pem = (entry: Partial<Record<Pem | `${Pem}-data`, string>>, key: Pem): string | undefined => {
        const data = entry[`${key}-data`];
        if (data) return Buffer.from(data, "base64").toString("utf8");
        const ref = entry[key];
        return ref ? fs.readFileSync(path.resolve(path.dirname(file), ref), "utf8") : undefined;
    };
    const ca = pem(cluster, "certificate-authority");
    const cert = pem(user, "client-certificate");
    const key = pem(user, "client-key");
    if (!user.token && (!cert || !key)) {
        const what = user.exec ? "an exec plugin, which this tool does not run" : "no client certificate or token";
        throw new Error(
            `${file}: user "${context.user}" has ${what} (use a context with a client certificate or token)`,
        );
    }
    return { server: cluster.server, ca, cert, key, token: user.token };
}
