/**
 * Waits for Rook's cleanup Jobs after an armed CephCluster was deleted; run by the CleanupWait dynamic resource's
 * delete (modules/ceph/cleanup-wait.ts) as `node --import tsx cli/cleanup-wait.ts`, its input as JSON on stdin
 * (nothing secret: a kubeconfig path and context, names and device paths). Exits 0 once every node's Job completed,
 * 1 with what to wipe by hand when one failed or the time ran out.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { ApiClient } from "../lib/kube-api";
import {
    CLEANUP_JOB_SELECTOR,
    cleanupProgress,
    expectedCleanupJobs,
    manualWipeMessage,
    type CleanupNode,
    type JobView,
} from "../modules/ceph/cleanup";
import { sleep } from "../lib/async";

/** What the wait needs. */
export interface CleanupWaitInput {
    namespace: string;
    nodes: CleanupNode[];
    dataDirHostPath: string;
    timeoutSeconds: number;
    /** Kubeconfig path (relative to the project directory); @default $KUBECONFIG, then ~/.kube/config. */
    kubeconfig?: string;
    /** Context; @default the kubeconfig's current one. */
    context?: string;
}

/** The kubeconfig file the explicit provider uses for the same settings. */
export function kubeconfigFile(kubeconfig: string | undefined, env = process.env, cwd = process.cwd()): string {
    const home = (p: string) => p.replace(/^~(?=$|\/)/, os.homedir());
    if (kubeconfig) return path.resolve(cwd, home(kubeconfig));
    const fromEnv = env.KUBECONFIG?.split(path.delimiter).find((p) => p !== "");
    return fromEnv ? path.resolve(cwd, fromEnv) : path.join(os.homedir(), ".kube", "config");
}

/** Polls the cleanup Jobs every `pollMs` until done, failed or out of time; resolves to the failure text or undefined. */
export async function waitForCleanup(
    listJobs: () => Promise<JobView[]>,
    input: CleanupWaitInput,
    log: (line: string) => void,
    pollMs = 2000,
): Promise<string | undefined> {
    const t0 = Date.now();
    log(`rook cleanup: ${expectedCleanupJobs(input.nodes)}`);
    let last = "";
    for (;;) {
        // A failed poll (API server busy, connection reset) counts as no progress, not as the end of the wait.
        const jobs = await listJobs().catch((e: Error) => (log(`rook cleanup: ${e.message}`), undefined));
        const progress = cleanupProgress(jobs ?? [], input.nodes);
        const line = `complete [${progress.complete}] failed [${progress.failed}] waiting [${progress.pending}]`;
        if (line !== last) log(`rook cleanup: ${line}`);
        last = line;
        if (progress.done) return undefined;
        const waited = Math.round((Date.now() - t0) / 1000);
        if ((progress.pending.length === 0 && progress.failed.length > 0) || waited >= input.timeoutSeconds) {
            return manualWipeMessage(progress, input.nodes, input.dataDirHostPath, input.namespace, waited);
        }
        await sleep(pollMs);
    }
}

/**
 * The body of a wait run by a dynamic resource: reads its JSON input from stdin, connects where the explicit provider
 * points, runs `wait` (progress on stdout) and exits 0, or 1 with the failure text on stderr.
 */
export function runKubeWait<I extends { kubeconfig?: string; context?: string }>(
    wait: (client: ApiClient, input: I, log: (line: string) => void) => Promise<string | undefined>,
): void {
    const run = async (): Promise<number> => {
        const input = JSON.parse(fs.readFileSync(0, "utf8")) as I;
        const client = ApiClient.fromKubeconfig(kubeconfigFile(input.kubeconfig), input.context);
        try {
            const failure = await wait(client, input, (l) => console.log(l));
            if (failure) console.error(failure);
            return failure ? 1 : 0;
        } finally {
            client.close();
        }
    };
    run().then(
        (code) => process.exit(code),
        (e) => {
            console.error((e as Error).message);
            process.exit(1);
        },
    );
}

if (require.main === module) {
    runKubeWait<CleanupWaitInput>((client, input, log) => {
        const jobsPath = `/apis/batch/v1/namespaces/${input.namespace}/jobs?labelSelector=${encodeURIComponent(CLEANUP_JOB_SELECTOR)}`;
        return waitForCleanup(() => client.list<JobView>(jobsPath), input, log);
    });
}
