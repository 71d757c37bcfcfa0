/**
 * Waits for Rook's cleanup Jobs after an armed CephCluster was deleted; run by the CleanupWait dynamic resource's
 * delete (modules/ceph/cleanup-wait.ts) as `node scripts/cli-bundle.cjs cleanup-wait`, its input as JSON on stdin
 * (nothing secret: a kubeconfig path and context, names and device paths). Exits 0 once every node's Job completed,
 * 1 with what to wipe by hand when one failed or the time ran out.
 */
import {
    CLEANUP_JOB_SELECTOR,
    cleanupProgress,
    expectedCleanupJobs,
    manualWipeMessage,
    type CleanupNode,
    type JobView,
} from "../modules/ceph/cleanup";
import { sleep } from "../lib/async";
import { runKubeWait } from "./kube-wait";

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

if (require.main === module) {
    runKubeWait<CleanupWaitInput>((client, input, log) => {
        const jobsPath = `/apis/batch/v1/namespaces/${input.namespace}/jobs?labelSelector=${encodeURIComponent(CLEANUP_JOB_SELECTOR)}`;
        return waitForCleanup(() => client.list<JobView>(jobsPath), input, log);
    });
}
