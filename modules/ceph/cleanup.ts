/**
 * Rook's disk wipe on `pulumi destroy` (`ceph.wipeDisksOnDestroy`): after the CephCluster is deleted, Rook runs one
 * cleanup Job per node, named `cluster-cleanup-job-<node>` and labelled `app=rook-ceph-cleanup`
 * (rook/rook design/ceph/ceph-cluster-cleanup.md), as the `rook-ceph-default` ServiceAccount with the pull secret.
 * These functions decide when that wipe is over and what to wipe by hand when it is not.
 */
import type { CephConfig } from "../../config/schema";
import { cephDisks } from "../../config/disks";

/** The label selector of Rook's cleanup Jobs. */
export const CLEANUP_JOB_SELECTOR = "app=rook-ceph-cleanup";
/** Rook's cleanup Job name for a node (Rook shortens names longer than 63 characters with a hash). */
export function cleanupJobName(hostname: string): string {
    return `cluster-cleanup-job-${hostname}`;
}

/** A node Rook wipes, with what is on it. */
export interface CleanupNode {
    hostname: string;
    /** The node's OSD disks (Rook wipes them) and mon disk (Rook does not), as device paths. */
    osdDevices: string[];
    monDevice?: string;
}

/** Every configured node with a disk: Rook runs its cleanup Jobs where Ceph daemons ran. */
export function cleanupNodes(ceph: Pick<CephConfig, "nodes">): CleanupNode[] {
    const byHost = new Map<string, CleanupNode>();
    for (const d of cephDisks(ceph)) {
        const n = byHost.get(d.hostname) ?? { hostname: d.hostname, osdDevices: [] };
        if (d.role === "mon") n.monDevice = d.path;
        else n.osdDevices.push(d.path);
        byHost.set(d.hostname, n);
    }
    return [...byHost.values()];
}

/** The parts of a Job this module reads. */
export interface JobView {
    metadata: { name: string };
    spec?: { template?: { spec?: { nodeName?: string; nodeSelector?: Record<string, string> } } };
    status?: { active?: number; conditions?: { type: string; status: string }[] };
}

/** Where the wipe stands: nodes whose Job completed, failed, or is still missing or running. */
export interface CleanupProgress {
    complete: string[];
    failed: string[];
    pending: string[];
    /** True when every node's Job completed and no other cleanup Job is still running. */
    done: boolean;
}

/** The node a cleanup Job runs on: its pinned node or hostname selector, else the host in its name. */
function jobNode(job: JobView): string {
    const spec = job.spec?.template?.spec;
    return (
        spec?.nodeName ??
        spec?.nodeSelector?.["kubernetes.io/hostname"] ??
        job.metadata.name.replace(/^cluster-cleanup-job-/, "")
    );
}

function hasCondition(job: JobView, type: string): boolean {
    return (job.status?.conditions ?? []).some((c) => c.type === type && c.status === "True");
}

/** Matches the cleanup Jobs to the nodes. */
export function cleanupProgress(jobs: JobView[], nodes: CleanupNode[]): CleanupProgress {
    const byNode = new Map(jobs.map((j) => [jobNode(j), j]));
    const out: CleanupProgress = { complete: [], failed: [], pending: [], done: false };
    for (const { hostname } of nodes) {
        const job = byNode.get(hostname);
        if (job && hasCondition(job, "Complete")) out.complete.push(hostname);
        else if (job && hasCondition(job, "Failed")) out.failed.push(hostname);
        else out.pending.push(hostname);
    }
    const othersRunning = jobs.some((j) => (j.status?.active ?? 0) > 0);
    out.done = out.complete.length === nodes.length && !othersRunning;
    return out;
}

/** What the admin must wipe by hand on the nodes whose cleanup did not complete (and on every mon disk). */
export function manualWipeMessage(
    progress: CleanupProgress,
    nodes: CleanupNode[],
    dataDirHostPath: string,
    namespace: string,
    waitedSeconds: number,
): string {
    const unfinished = new Set([...progress.failed, ...progress.pending]);
    const lines = [
        `Rook's cleanup Jobs (${CLEANUP_JOB_SELECTOR}, namespace ${namespace}) did not all complete within ` +
            `${waitedSeconds} s: failed on [${progress.failed.join(", ")}], not finished on [${progress.pending.join(", ")}]. ` +
            `The operator, its service accounts and the pull secret are kept so that you can look ` +
            `(kubectl -n ${namespace} get jobs -l ${CLEANUP_JOB_SELECTOR}; kubectl -n ${namespace} logs job/<name>).`,
        "Wipe by hand, on each node:",
    ];
    for (const n of nodes) {
        const what: string[] = [];
        if (unfinished.has(n.hostname)) {
            what.push(`rm -rf ${dataDirHostPath}`);
            for (const d of n.osdDevices) what.push(`wipefs -a ${d} && sgdisk --zap-all ${d}`);
        }
        if (n.monDevice) what.push(`wipefs -a ${n.monDevice} (mon disk; Rook never wipes it)`);
        if (what.length > 0) lines.push(`  ${n.hostname}: ${what.join("; ")}`);
    }
    lines.push(
        "Then drop this wait from the state (pulumi stack --show-urns | grep CleanupWait; pulumi state delete '<urn>') " +
            "and run pulumi destroy again.",
    );
    return lines.join("\n");
}
