/**
 * The kubeconfigs of an engine test: the stack's (the sim's admin kubeconfig plus a decoy context made current, so
 * only `kubernetes.context` reaches the sim) and the environment's `KUBECONFIG` (only the decoy). A run that ignored
 * the stack's `aihub-airgap:kubernetes` would talk to the decoy, where nothing listens.
 */
import * as fs from "node:fs";
import YAML from "yaml";
import { SIM_CONTEXT } from "../../testing/sim/kubeconfig";

/** The decoy: a cluster on a loopback port nobody listens on. */
export const DECOY_CONTEXT = "decoy";
const DECOY_SERVER = "https://127.0.0.1:1";

function decoyEntries() {
    return {
        cluster: { name: DECOY_CONTEXT, cluster: { server: DECOY_SERVER, "insecure-skip-tls-verify": true } },
        user: { name: DECOY_CONTEXT, user: { token: "decoy" } },
        context: { name: DECOY_CONTEXT, context: { cluster: DECOY_CONTEXT, user: DECOY_CONTEXT } },
    };
}

/** Writes both files; returns the stack's `kubernetes` config and the environment's KUBECONFIG path. */
export function engineKubeconfigs(
    simKubeconfig: string,
    stackFile: string,
    envFile: string,
): { kubernetes: { kubeconfig: string; context: string }; envKubeconfig: string } {
    const d = decoyEntries();
    const doc = YAML.parse(fs.readFileSync(simKubeconfig, "utf8"));
    doc.clusters.push(d.cluster);
    doc.users.push(d.user);
    doc.contexts.push(d.context);
    doc["current-context"] = DECOY_CONTEXT;
    fs.writeFileSync(stackFile, YAML.stringify(doc), { mode: 0o600 });
    const env = {
        apiVersion: "v1",
        kind: "Config",
        clusters: [d.cluster],
        users: [d.user],
        contexts: [d.context],
        "current-context": DECOY_CONTEXT,
    };
    fs.writeFileSync(envFile, YAML.stringify(env), { mode: 0o600 });
    return { kubernetes: { kubeconfig: stackFile, context: SIM_CONTEXT }, envKubeconfig: envFile };
}
