/** Kubeconfig files for the simulated cluster: written with embedded certificates, and read back for the API client. */
import * as fs from "node:fs";
import { parse as parseYaml, stringify as toYaml } from "yaml";
import type { CertFiles } from "./certs";

/** Everything a client needs to reach the API server: URL and PEM texts. */
export interface ClusterAccess {
    server: string;
    ca: string;
    cert: string;
    key: string;
}

/** The context (and cluster and user) name of the admin kubeconfig. */
export const SIM_CONTEXT = "sim";

/** Renders a kubeconfig with a single context `name`, certificates embedded (no path outside the file). */
export function renderKubeconfig(name: string, access: ClusterAccess): string {
    const b64 = (s: string) => Buffer.from(s).toString("base64");
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

/** Reads the current context of a kubeconfig with embedded certificates (as this module writes them). */
export function readKubeconfig(file: string): ClusterAccess {
    interface Named<T> {
        name: string;
        [key: string]: T | string;
    }
    const doc = parseYaml(fs.readFileSync(file, "utf8")) as {
        "current-context"?: string;
        contexts?: Named<{ cluster: string; user: string }>[];
        clusters?: Named<{ server: string; "certificate-authority-data": string }>[];
        users?: Named<{ "client-certificate-data": string; "client-key-data": string }>[];
    };
    const byName = <T>(list: Named<T>[] | undefined, name: string | undefined, field: string): T => {
        const entry = list?.find((x) => x.name === name)?.[field];
        if (!entry || typeof entry === "string") throw new Error(`${file}: no ${field} named "${name}"`);
        return entry;
    };
    const context = byName(doc.contexts, doc["current-context"], "context");
    const cluster = byName(doc.clusters, context.cluster, "cluster");
    const user = byName(doc.users, context.user, "user");
    const unb64 = (s: string | undefined, what: string) => {
        if (!s) throw new Error(`${file}: ${what} is not embedded`);
        return Buffer.from(s, "base64").toString("utf8");
    };
    return {
        server: cluster.server,
        ca: unb64(cluster["certificate-authority-data"], "certificate-authority-data"),
        cert: unb64(user["client-certificate-data"], "client-certificate-data"),
        key: unb64(user["client-key-data"], "client-key-data"),
    };
}
