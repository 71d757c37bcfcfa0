/**
 * `npm run status`: one look at the live cluster. `collectStatus` reads it through the API (Ceph's own view comes
 * from an injected toolbox call, the URL check from an injected probe, so both can be replaced in tests);
 * `statusProblems` says what is unhealthy.
 */
import { CRONJOB_LABEL } from "../modules/backup/job-manifests";
import type { ApiClient, KubeObject } from "../lib/kube-api";

/** What the status looks at, from the stack file. */
export interface StatusTarget {
    /** Rook namespace (`rook.namespace`), where the CephCluster and its CRs live. */
    rookNamespace: string;
    /** AI Hub namespace (`aihub.namespace`). */
    aihubNamespace: string;
    /** Public URL of AI Hub. */
    url: string;
    /** True when `aihub.running` is false: AI Hub workloads at 0 replicas are expected. */
    scaledDown: boolean;
    /** True when `aihub-airgap:backup` is configured. */
    backupConfigured: boolean;
}

/** The answer of `ceph health` in the toolbox, or why there is none. */
export type CephHealth = { health: string } | { error: string };
/** The answer of the URL, or why there is none. */
export type UrlAnswer = { status: number } | { error: string };

/** The injected parts. */
export interface StatusDeps {
    cephHealth: () => Promise<CephHealth>;
    probeUrl: (url: string) => Promise<UrlAnswer>;
    now?: Date;
}

export interface RookCr {
    kind: string;
    name: string;
    phase: string;
}
export interface ReleaseInfo {
    namespace: string;
    name: string;
    revision: number;
    status: string;
}
export interface NotReady {
    kind: string;
    namespace: string;
    name: string;
    ready: string;
    reason: string;
}
export interface PvcInfo {
    namespace: string;
    name: string;
    phase: string;
    storageClass: string;
}
export interface BackupInfo {
    name: string;
    lastSuccess?: string;
    ageHours?: number;
    lastRunFailed: boolean;
}

/** Everything `status` prints. */
export interface Status {
    ceph: { crHealth?: string; toolbox: CephHealth };
    rook: RookCr[];
    releases: ReleaseInfo[];
    notReady: NotReady[];
    workloads: number;
    pendingPvcs: PvcInfo[];
    pvcs: number;
    url: { url: string; answer: UrlAnswer };
    backups: BackupInfo[];
}

const ROOK_KINDS = ["cephclusters", "cephfilesystems", "cephfilesystemsubvolumegroups", "cephblockpools"];
/** Label of the backup CronJobs (the backup feature's contract with this command). */
export const BACKUP_SELECTOR = CRONJOB_LABEL.join("=");

/** Why a pod is not ready, in a few words: the first waiting/terminated container reason, else the pod's. */
export function podReason(pod: KubeObject): string {
    const statuses = [
        ...((pod.status?.initContainerStatuses ?? []) as ContainerStatus[]),
        ...((pod.status?.containerStatuses ?? []) as ContainerStatus[]),
    ];
    for (const c of statuses) {
        const w = c.state?.waiting;
        if (w?.reason) return `${c.name}: ${w.reason}${w.message ? ` (${w.message})` : ""}`;
        const t = c.state?.terminated;
        if (t && t.exitCode !== 0) return `${c.name}: ${t.reason ?? "terminated"} exit ${t.exitCode}`;
    }
    const conds = (pod.status?.conditions ?? []) as {
        type: string;
        status: string;
        reason?: string;
        message?: string;
    }[];
    const bad = conds.find((c) => c.status !== "True" && (c.reason || c.message));
    if (bad) return `${bad.type}: ${bad.reason ?? ""}${bad.message ? ` (${bad.message})` : ""}`.trim();
    return String(pod.status?.phase ?? "no pod status");
}

interface ContainerStatus {
    name: string;
    state?: {
        waiting?: { reason?: string; message?: string };
        terminated?: { exitCode: number; reason?: string };
    };
}

function selectorQuery(obj: KubeObject): string {
    const labels = ((obj.spec?.selector as { matchLabels?: Record<string, string> })?.matchLabels ?? {}) as Record<
        string,
        string
    >;
    return encodeURIComponent(
        Object.entries(labels)
            .map(([k, v]) => `${k}=${v}`)
            .join(","),
    );
}

async function workloadsNotReady(client: ApiClient, ns: string): Promise<{ total: number; notReady: NotReady[] }> {
    const out: NotReady[] = [];
    let total = 0;
    for (const [kind, plural] of [
        ["Deployment", "deployments"],
        ["StatefulSet", "statefulsets"],
    ]) {
        for (const w of await client.list(`/apis/apps/v1/namespaces/${ns}/${plural}`)) {
            total++;
            const want = Number(w.spec?.replicas ?? 1);
            const ready = Number(w.status?.readyReplicas ?? 0);
            if (ready >= want) continue;
            const pods = await client.list(`/api/v1/namespaces/${ns}/pods?labelSelector=${selectorQuery(w)}`);
            const pod = pods.find((p) => !p.metadata.deletionTimestamp && p.status?.phase !== "Succeeded");
            const reason = pod ? podReason(pod) : "no pod (see kubectl describe)";
            out.push({ kind, namespace: ns, name: w.metadata.name, ready: `${ready}/${want}`, reason });
        }
    }
    return { total, notReady: out };
}

/** The newest revision of every Helm release in the namespaces (from Helm's own release Secrets). */
async function releases(client: ApiClient, namespaces: string[]): Promise<ReleaseInfo[]> {
    const latest = new Map<string, ReleaseInfo>();
    for (const ns of namespaces) {
        const secrets = await client.list(`/api/v1/namespaces/${ns}/secrets?labelSelector=owner%3Dhelm`);
        for (const s of secrets) {
            const l = s.metadata.labels ?? {};
            const info = { namespace: ns, name: l.name, revision: Number(l.version), status: l.status };
            const key = `${ns}/${l.name}`;
            if ((latest.get(key)?.revision ?? 0) < info.revision) latest.set(key, info);
        }
    }
    return [...latest.values()].sort((a, b) => `${a.namespace}/${a.name}`.localeCompare(`${b.namespace}/${b.name}`));
}

async function backups(client: ApiClient, ns: string, now: Date): Promise<BackupInfo[]> {
    const jobs = await client.list(
        `/apis/batch/v1/namespaces/${ns}/cronjobs?labelSelector=${encodeURIComponent(BACKUP_SELECTOR)}`,
    );
    return jobs.map((j) => {
        const st = (j.status ?? {}) as { lastSuccessfulTime?: string; lastScheduleTime?: string; active?: unknown[] };
        const ok = st.lastSuccessfulTime ? Date.parse(st.lastSuccessfulTime) : undefined;
        const scheduled = st.lastScheduleTime ? Date.parse(st.lastScheduleTime) : undefined;
        return {
            name: j.metadata.name,
            lastSuccess: st.lastSuccessfulTime,
            ageHours: ok === undefined ? undefined : (now.getTime() - ok) / 3_600_000,
            lastRunFailed: scheduled !== undefined && (ok === undefined || ok < scheduled) && !st.active?.length,
        };
    });
}

/** Reads everything `status` shows. */
export async function collectStatus(client: ApiClient, t: StatusTarget, deps: StatusDeps): Promise<Status> {
    const rook: RookCr[] = [];
    let crHealth: string | undefined;
    for (const plural of ROOK_KINDS) {
        for (const cr of await client.list(`/apis/ceph.rook.io/v1/namespaces/${t.rookNamespace}/${plural}`)) {
            rook.push({ kind: String(cr.kind), name: cr.metadata.name, phase: String(cr.status?.phase ?? "(none)") });
            if (plural === "cephclusters") crHealth = (cr.status?.ceph as { health?: string } | undefined)?.health;
        }
    }
    const namespaces = [t.rookNamespace, t.aihubNamespace];
    const work = await Promise.all(namespaces.map((ns) => workloadsNotReady(client, ns)));
    const pvcs = (
        await Promise.all(namespaces.map((ns) => client.list(`/api/v1/namespaces/${ns}/persistentvolumeclaims`)))
    ).flat();
    const [toolbox, answer] = await Promise.all([deps.cephHealth(), deps.probeUrl(t.url)]);
    return {
        ceph: { crHealth, toolbox },
        rook,
        releases: await releases(client, namespaces),
        notReady: work.flatMap((w) => w.notReady),
        workloads: work.reduce((n, w) => n + w.total, 0),
        pendingPvcs: pvcs
            .filter((p) => p.status?.phase !== "Bound")
            .map((p) => ({
                namespace: String(p.metadata.namespace),
                name: p.metadata.name,
                phase: String(p.status?.phase ?? "Pending"),
                storageClass: String(p.spec?.storageClassName ?? ""),
            })),
        pvcs: pvcs.length,
        url: { url: t.url, answer },
        backups: await backups(client, t.aihubNamespace, deps.now ?? new Date()),
    };
}

/** What is unhealthy, one line each; empty when all is well. */
export function statusProblems(s: Status, t: StatusTarget): string[] {
    const out: string[] = [];
    if ("error" in s.ceph.toolbox) out.push(`ceph: the toolbox did not answer: ${s.ceph.toolbox.error}`);
    else if (s.ceph.toolbox.health !== "HEALTH_OK") out.push(`ceph: ${s.ceph.toolbox.health}`);
    if (!s.rook.some((r) => r.kind === "CephCluster")) out.push(`rook: no CephCluster in ${t.rookNamespace}`);
    for (const r of s.rook) if (r.phase !== "Ready") out.push(`rook: ${r.kind} ${r.name} is ${r.phase}`);
    for (const r of s.releases) {
        if (r.status !== "deployed") out.push(`helm: ${r.namespace}/${r.name} revision ${r.revision} is ${r.status}`);
    }
    for (const w of s.notReady) out.push(`${w.kind} ${w.namespace}/${w.name} ${w.ready} ready: ${w.reason}`);
    for (const p of s.pendingPvcs) out.push(`PVC ${p.namespace}/${p.name} is ${p.phase}`);
    if (!t.scaledDown) {
        const a = s.url.answer;
        if ("error" in a) out.push(`${s.url.url} does not answer: ${a.error}`);
        else if (a.status >= 500) out.push(`${s.url.url} answers ${a.status}`);
    }
    if (t.backupConfigured && s.backups.length === 0)
        out.push(`backup: configured but no backup CronJob (${BACKUP_SELECTOR})`);
    for (const b of s.backups) {
        if (b.lastRunFailed) out.push(`backup: the last run of ${b.name} did not succeed`);
    }
    return out;
}
