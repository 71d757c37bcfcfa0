/**
 * Watches a destroy for Rook's disk wipe: when each cleanup Job completed, and when the pull secret, the
 * `rook-ceph-default` ServiceAccount and the rook-ceph release's Helm record disappeared (polled every 250 ms).
 */
import type { ApiClient } from "../../lib/kube-api";
import { CLEANUP_SERVICE_ACCOUNT } from "../../testing/sim/controller";
import { CLEANUP_JOB_SELECTOR, type JobView } from "../../modules/ceph/cleanup";

/** Milliseconds since the epoch at which things were first seen. */
export interface CleanupTimeline {
    /** Job name → first seen Complete. */
    jobsComplete: Map<string, number>;
    pullSecretGone?: number;
    serviceAccountGone?: number;
    operatorReleaseGone?: number;
}

/** Starts polling; `stop()` ends it and returns what was seen. */
export function watchCleanup(
    client: ApiClient,
    namespace: string,
    pullSecretName: string,
): { stop: () => Promise<CleanupTimeline> } {
    const t: CleanupTimeline = { jobsComplete: new Map() };
    const ns = `/api/v1/namespaces/${namespace}`;
    const jobs = `/apis/batch/v1/namespaces/${namespace}/jobs?labelSelector=${encodeURIComponent(CLEANUP_JOB_SELECTOR)}`;
    const release = `${ns}/secrets?labelSelector=${encodeURIComponent("owner=helm,name=rook-ceph")}`;
    let running = true;
    const poll = async () => {
        while (running) {
            const now = Date.now();
            try {
                for (const j of await client.list<JobView>(jobs)) {
                    const done = (j.status?.conditions ?? []).some((c) => c.type === "Complete" && c.status === "True");
                    if (done && !t.jobsComplete.has(j.metadata.name)) t.jobsComplete.set(j.metadata.name, now);
                }
                if (t.pullSecretGone === undefined && !(await client.get(`${ns}/secrets/${pullSecretName}`))) {
                    t.pullSecretGone = now;
                }
                const sa = await client.get(`${ns}/serviceaccounts/${CLEANUP_SERVICE_ACCOUNT}`);
                if (t.serviceAccountGone === undefined && !sa) t.serviceAccountGone = now;
                if (t.operatorReleaseGone === undefined && (await client.list(release)).length === 0) {
                    t.operatorReleaseGone = now;
                }
            } catch {
                // The API server is busy during a destroy; the next poll sees the same state.
            }
            await new Promise((r) => setTimeout(r, 250));
        }
    };
    const done = poll();
    return {
        stop: async () => {
            running = false;
            await done;
            return t;
        },
    };
}
