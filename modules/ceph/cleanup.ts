/**
 * Rook's disk wipe on `pulumi destroy` (`ceph.wipeDisksOnDestroy`): after the CephCluster is deleted, Rook runs one
 * cleanup Job per node, named `cluster-cleanup-job-<node>` and labelled `app=rook-ceph-cleanup`
 * (rook/rook design/ceph/ceph-cluster-cleanup.md), as the `rook-ceph-default` ServiceAccount with the pull secret.
 * These functions decide when that wipe is over and what to wipe by hand when it is not.
 *
 * Which nodes get a Job: Rook v1.20.6 pkg/operator/ceph/cluster/cleanup.go, `getCephHosts` (called from
 * controller.go when the CephCluster is deleted), lists the nodes of the pods labelled `app=` rook-ceph-mon, -mgr,
 * -osd, -rgw, -mds, -rbd-mirror or -cephfs-mirror, and `startCleanUpJobs` makes one Job per such node, no other. A
 * node with OSD disks runs its OSDs (their local PVs pin them there); a node with a mon disk runs a mon only when
 * every mon disk holds one (`monCount` equal to the mon disks): with fewer mons, which mon disks the scheduler used is
 * not known from the config, and a node with only an unused mon disk gets no Job.
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
    /**
     * True for a node with only a mon disk while there are fewer mons than mon disks: Rook runs a cleanup Job there
     * only if a Ceph daemon ran there, so the wait expects one only once it exists. Absent (state written before
     * this field): expected.
     */
    ifDaemonRan?: boolean;
}

/** Every configured node with a disk, and whether Rook certainly runs a cleanup Job there (see the module comment). */
export function cleanupNodes(ceph: Pick<CephConfig, "nodes" | "monCount">): CleanupNode[] {
    const byHost = new Map<string, CleanupNode>();
    for (const d of cephDisks(ceph)) {
        const n = byHost.get(d.hostname) ?? { hostname: d.hostname, osdDevices: [] };
        if (d.role === "mon") n.monDevice = d.path;
        else n.osdDevices.push(d.path);
        byHost.set(d.hostname, n);
    }
    const monDisks = [...byHost.values()].filter((n) => n.monDevice).length;
    for (const n of byHost.values()) {
        if (n.osdDevices.length === 0 && ceph.monCount < monDisks) n.ifDaemonRan = true;
    }
    return [...byHost.values()];
}

/** The nodes the wait expects a Job on, and those it expects one on only if it appears; for the messages. */
export function expectedCleanupJobs(nodes: CleanupNode[]): string {
    const sure = nodes.filter((n) => !n.ifDaemonRan).map((n) => n.hostname);
    const maybe = nodes.filter((n) => n.ifDaemonRan).map((n) => n.hostname);
    return (
        `Rook's cleanup Jobs are expected on [${sure.join(", ")}] (the nodes running an OSD or a mon)` +
        (maybe.length
            ? `, and on [${maybe.join(", ")}] (a mon disk only, fewer mons than mon disks) only if Rook ran a Ceph daemon there`
            : "") +
        "; a Job Rook starts on any other node (a mgr or MDS ran there) is waited for too"
    );
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
    /** True when every expected node's Job and every other cleanup Job completed. */
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

/**
 * Matches the cleanup Jobs to the nodes: the expected nodes (a Job missing there is pending), a node that gets a Job
 * only if a daemon ran there once its Job exists, and any other node with a cleanup Job.
 */
export function cleanupProgress(jobs: JobView[], nodes: CleanupNode[]): CleanupProgress {
    const byNode = new Map(jobs.map((j) => [jobNode(j), j]));
    const hosts = nodes.filter((n) => !n.ifDaemonRan || byNode.has(n.hostname)).map((n) => n.hostname);
    for (const h of byNode.keys()) if (!hosts.includes(h)) hosts.push(h);
    const out: CleanupProgress = { complete: [], failed: [], pending: [], done: false };
    for (const hostname of hosts) {
        const job = byNode.get(hostname);
        if (job && hasCondition(job, "Complete")) out.complete.push(hostname);
        else if (job && hasCondition(job, "Failed")) out.failed.push(hostname);
        else out.pending.push(hostname);
    }
    out.done = hosts.length > 0 && out.complete.length === hosts.length;
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
            `${expectedCleanupJobs(nodes)}. ` +
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
    const configured = new Set(nodes.map((n) => n.hostname));
    for (const h of unfinished) if (!configured.has(h)) lines.push(`  ${h}: rm -rf ${dataDirHostPath}`);
    lines.push(
        "Then drop this wait from the state (pulumi stack --show-urns | grep CleanupWait; pulumi state delete '<urn>') " +
            "and run pulumi destroy again.",
    );
    return lines.join("\n");
}
