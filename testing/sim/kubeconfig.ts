/** Kubeconfig files for the simulated cluster, written with embedded certificates (read back by lib/kubeconfig.ts). */
import * as fs from "node:fs";
import { stringify as toYaml } from "yaml";
import type { ClusterAccess } from "../../lib/kubeconfig";
import type { CertFiles } from "./certs";

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
