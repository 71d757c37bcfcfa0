/**
 * `npm run status -- --stack <name> [--json] [--kubeconfig <file>] [--context <name>]`: one screen of health of the
 * live cluster. Exit 0 healthy, 1 anything unhealthy, 2 bad usage.
 */
import * as https from "node:https";
import * as http from "node:http";
import { collectStatus, statusProblems, type CephHealth, type UrlAnswer } from "../ops/status";
import { renderStatus } from "../ops/status-render";
import { clusterAccess, clusterClient, loadOpsTarget } from "../ops/target";
import { TOOLBOX_NAME } from "../catalog/rook-names";
import { Kubectl } from "../lib/kubectl";
import { CLUSTER_OPTIONS, parseCli, projectDirOf, runCli, STACK_OPTIONS, stackUsageExit } from "./run";

const USAGE =
    "usage: npm run status -- --stack <name> [--json] [--kubeconfig <file>] [--context <name>] [--dir <project dir>]";

/** `ceph health` in the toolbox through kubectl (the API's exec needs a streaming protocol kubectl speaks). */
function toolboxHealth(access: { kubeconfig: string; context?: string }, namespace: string): Promise<CephHealth> {
    return new Kubectl(access)
        .run(["-n", namespace, "exec", `deploy/${TOOLBOX_NAME}`, "--", "ceph", "health"], undefined, 30_000)
        .then(
            (out) => ({ health: out.trim() }),
            (e: Error) => ({ error: e.message.split("\n")[0] }),
        );
}

/** GET the URL; any HTTP answer counts as answering. */
function probe(url: string): Promise<UrlAnswer> {
    const get = url.startsWith("https:") ? https.get : http.get;
    return new Promise((resolve) => {
        const req = get(url, { timeout: 10_000 }, (res) => {
            res.resume();
            resolve({ status: res.statusCode ?? 0 });
        });
        req.on("timeout", () => req.destroy(new Error("no answer within 10 s")));
        req.on("error", (e) => resolve({ error: e.message }));
    });
}

async function main(): Promise<number> {
    const parsed = parseCli(USAGE, {
        options: { ...STACK_OPTIONS, ...CLUSTER_OPTIONS, json: { type: "boolean" } },
    });
    if (!parsed) return 2;
    const args = parsed.values;
    const stop = stackUsageExit(USAGE, args);
    if (stop !== undefined || !args.stack) return stop ?? 2;
    const target = loadOpsTarget(projectDirOf(args.dir), args.stack);
    const access = clusterAccess(args, target);
    const client = clusterClient(access);
    try {
        const t = {
            rookNamespace: target.rookNamespace,
            aihubNamespace: target.aihubNamespace,
            url: target.url,
            scaledDown: !target.running,
            backupConfigured: target.backupConfigured,
        };
        const status = await collectStatus(client, t, {
            cephHealth: () => toolboxHealth(access, target.rookNamespace),
            probeUrl: probe,
        });
        const problems = statusProblems(status, t);
        console.log(
            args.json
                ? JSON.stringify({ stack: target.stack, healthy: problems.length === 0, problems, ...status }, null, 2)
                : renderStatus(target.stack, status, problems),
        );
        return problems.length ? 1 : 0;
    } finally {
        client.close();
    }
}

runCli("status", main);
