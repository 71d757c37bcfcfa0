/** Kubeconfig files for the simulated cluster: written with embedded certificates, and read back for the API client. */
import * as fs from "node:fs";
import * as path from "node:path";
import { parse as parseYaml, stringify as toYaml } from "yaml";
import type { CertFiles } from "./certs";

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

/** The context (and cluster and user) name of the admin kubeconfig. */
export const SIM_CONTEXT = "sim";

/** Renders a kubeconfig with a single context `name`, certificates embedded (no path outside the file). */
export function renderKubeconfig(name: string, access: ClusterAccess): string {
    const b64 = (s: string | undefined) => Buffer.from(s ?? "").toString("base64");
    return toYaml({
        apiVersion: "v1",
        kind: "Config",
        clusters: [{ name, cluster: { server: access.server, "certificate-authority-data": b64(access.ca) } }],
        users: [{ name, user: { "client-certificate-data": b64(access.cert), "client-key-data": b64(access.key) } }],
        contexts: [{ name, context: { cluster: name, user: name } }],
        "current-context": name,
        preferences: {},
    });
}

/** Writes a kubeconfig for `user` (a client certificate signed by the CA) and returns its path. */
export function writeKubeconfig(file: string, name: string, server: string, ca: string, user: CertFiles): string {
    const access = {
        server,
        ca: fs.readFileSync(ca, "utf8"),
        cert: fs.readFileSync(user.cert, "utf8"),
        key: fs.readFileSync(user.key, "utf8"),
    };
    fs.writeFileSync(file, renderKubeconfig(name, access), { mode: 0o600 });
    return file;
}

/** A kubeconfig entry as kubectl writes it: certificates and keys embedded (`-data`) or as file paths. */
interface KubeconfigDoc {
    "current-context"?: string;
    contexts?: { name: string; context?: { cluster: string; user: string } }[];
    clusters?: { name: string; cluster?: Record<string, string> }[];
    users?: { name: string; user?: Record<string, string> }[];
}

/**
 * Reads one context of a kubeconfig (`context`, default its current context): the server, the CA, and either a client
 * certificate and key or a bearer token, each embedded (`…-data`) or given as a file path (relative to the
 * kubeconfig). Exec and auth-provider plugins are not supported.
 */
export function readKubeconfig(file: string, context?: string): ClusterAccess {
    const doc = parseYaml(fs.readFileSync(file, "utf8")) as KubeconfigDoc;
    const name = context ?? doc["current-context"];
    const ctx = doc.contexts?.find((x) => x.name === name)?.context;
    if (!ctx) throw new Error(`${file}: no context named "${name}"`);
    const cluster = doc.clusters?.find((x) => x.name === ctx.cluster)?.cluster;
    if (!cluster) throw new Error(`${file}: no cluster named "${ctx.cluster}"`);
    const user = doc.users?.find((x) => x.name === ctx.user)?.user ?? {};
    const dir = path.dirname(file);
    const read = (entry: Record<string, string>, key: string): string | undefined => {
        if (entry[`${key}-data`]) return Buffer.from(entry[`${key}-data`], "base64").toString("utf8");
        return entry[key] ? fs.readFileSync(path.resolve(dir, entry[key]), "utf8") : undefined;
    };
    const token = user.token ?? (user.tokenFile ? fs.readFileSync(path.resolve(dir, user.tokenFile), "utf8") : "");
    const access: ClusterAccess = {
        server: cluster.server,
        ca: read(cluster, "certificate-authority"),
        cert: read(user, "client-certificate"),
        key: read(user, "client-key"),
        token: token.trim() || undefined,
    };
    if (!access.token && !(access.cert && access.key)) {
        throw new Error(`${file}: user "${ctx.user}" has neither a client certificate and key nor a token`);
    }
    return access;
}
