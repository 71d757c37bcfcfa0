/**
 * `npm run preflight -- --stack <name> [--kubeconfig <file>] [--context <name>] [--password-stdin]`: checks the live
 * cluster against the stack's disk map (nodes Ready; each disk present, large enough, not mounted, OSD disks empty;
 * the Ceph image pullable) and prints a table. Runs in the Rook namespace when `pulumi up` already made it (with its
 * pull Secret); before that, in a temporary namespace with a pull Secret from the registry password
 * (`--password-stdin` or AIHUB_REGISTRY_PASSWORD), deleted afterwards. Exit 0 all fit, 1 problems, 2 bad usage.
 */
import * as fs from "node:fs";
import { dockerConfigJson } from "../k8s/pull-secret";
import { nodeProblems, renderPreflight, runPreflight } from "../ops/preflight";
import { clusterAccess, clusterClient, loadOpsTarget, type OpsTarget } from "../ops/target";
import type { ApiClient } from "../lib/kube-api";
import { CLUSTER_OPTIONS, parseCli, projectDirOf, runCli, STACK_OPTIONS, stackUsageExit } from "./run";

const USAGE =
    "usage: npm run preflight -- --stack <name> [--kubeconfig <file>] [--context <name>] [--password-stdin] [--dir <project dir>]";
const TEMP_NAMESPACE = "aihub-airgap-preflight";
const POD_SECURITY_ENFORCE = "pod-security.kubernetes.io/enforce";

/** The namespace and pull Secret to run in; `cleanup` removes what this run created. */
async function placeToRun(
    client: ApiClient,
    t: OpsTarget,
    password: () => string | undefined,
): Promise<{ namespace: string; cleanup: () => Promise<void> }> {
    const secret = t.registry.pullSecretName;
    if (await client.get(`/api/v1/namespaces/${t.rookNamespace}/secrets/${secret}`)) {
        return { namespace: t.rookNamespace, cleanup: async () => undefined };
    }
    const pw = password();
    if (!pw) {
        throw new Error(
            `${t.rookNamespace}/${secret} does not exist yet, so the check needs the registry password to pull the ` +
                "Ceph image: pipe it with --password-stdin or set AIHUB_REGISTRY_PASSWORD",
        );
    }
    await client.create("/api/v1/namespaces", {
        metadata: {
            name: TEMP_NAMESPACE,
            // The check pod is privileged with the host's PID namespace and /dev, which a baseline or restricted
            // cluster default refuses; the Rook namespace is labelled the same way.
            labels: { "app.kubernetes.io/name": "aihub-airgap", [POD_SECURITY_ENFORCE]: "privileged" },
        },
    });
    const cleanup = () => client.delete(`/api/v1/namespaces/${TEMP_NAMESPACE}`);
    try {
        await client.create(`/api/v1/namespaces/${TEMP_NAMESPACE}/secrets`, {
            metadata: { name: secret },
            type: "kubernetes.io/dockerconfigjson",
            stringData: { ".dockerconfigjson": dockerConfigJson(t.registry.server, t.registry.username, pw) },
        });
    } catch (e) {
        await cleanup();
        throw e;
    }
    return { namespace: TEMP_NAMESPACE, cleanup };
}

async function main(): Promise<number> {
    const parsed = parseCli(USAGE, {
        options: { ...STACK_OPTIONS, ...CLUSTER_OPTIONS, "password-stdin": { type: "boolean" } },
    });
    if (!parsed) return 2;
    const args = parsed.values;
    const stop = stackUsageExit(USAGE, args);
    if (stop !== undefined || !args.stack) return stop ?? 2;
    const target = loadOpsTarget(projectDirOf(args.dir), args.stack);
    const client = clusterClient(clusterAccess(args, target));
    try {
        const nodes = await nodeProblems(client, target.ceph);
        const password = () =>
            args["password-stdin"]
                ? fs.readFileSync(0, "utf8").replace(/\r?\n$/, "")
                : process.env.AIHUB_REGISTRY_PASSWORD;
        const place = await placeToRun(client, target, password);
        try {
            const rows = await runPreflight(
                client,
                {
                    ceph: target.ceph,
                    registry: target.registry.server,
                    namespace: place.namespace,
                    pullSecretName: target.registry.pullSecretName,
                },
                nodes.hosts,
            );
            console.log(renderPreflight(rows, nodes.lines));
            return nodes.lines.length || rows.some((r) => r.problems.length) ? 1 : 0;
        } finally {
            await place.cleanup();
        }
    } finally {
        client.close();
    }
}

runCli("preflight", main);
