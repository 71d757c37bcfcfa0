/**
 * Stands in for the Rook operator (v1.20.6) and the Ceph health it reports: the rules below are the ones the real
 * operator, the Kubernetes volume binder and Ceph apply before a CephCluster, CephBlockPool, CephFilesystem or
 * CephFilesystemSubVolumeGroup becomes Ready, and a CR that breaks one gets the status (and the `ReconcileFailed`
 * Event) the real operator gives it instead of Ready. Sources, at rook/rook v1.20.6 unless noted:
 *
 * - `pkg/operator/ceph/cluster/controller.go` `reconcileCephCluster`: nothing is orchestrated while
 *   `cleanupPolicy.confirmation` is set; `disallowedHostDirectories` + `cluster.go` `initializeCluster`: a
 *   dataDirHostPath of /etc/ceph, /rook or /var/log/ceph is logged and the CR left without any status.
 * - `pkg/operator/ceph/cluster/cluster.go` `preClusterStartValidation`: mon count (0 means the default 3) above the
 *   number of nodes without `allowMultiplePerNode`; `configureLocalCephCluster`/`initializeCluster` turn the error into
 *   phase Progressing, state Error, the message, condition Progressing=False (`controller/conditions.go`
 *   `UpdateClusterCondition`, `translatePhasetoState`).
 * - `pkg/operator/ceph/cluster/mon/spec.go` (the mon PVC is `volumeMode: Filesystem`, RWO), `mon/mon.go`
 *   `assignMons`: a mon canary whose PVC cannot bind is never scheduled — "failed to schedule mons", wrapped by
 *   `startMons` and `cluster.go` `reconcileCephDaemons` into the CR's message.
 * - `Documentation/CRDs/Cluster/ceph-cluster-crd.md` (storageClassDeviceSets: the PVC `volumeMode` "should be Block")
 *   and `cluster.go` ("Configuring Ceph OSDs"): OSD prepare jobs whose PVCs cannot bind, or that get a Filesystem
 *   volume, never finish, so the cluster stays Progressing with that message.
 * - Binding (kubernetes `staging/src/k8s.io/component-helpers/storage/volume/pv_helpers.go` `FindMatchingVolume`,
 *   `CheckVolumeModeMismatches`): a claim binds one unbound PV of its class with the same volumeMode, every access
 *   mode it asks for and at least its size; a local PV's node must exist.
 * - `pkg/operator/ceph/controller/controller_utils.go` `IsReadyToReconcile`: pools, filesystems and subvolume groups
 *   wait (phase Progressing, set first) until the CephCluster reports HEALTH_OK or HEALTH_WARN.
 * - `pkg/operator/ceph/pool/validate.go` `ValidatePoolSpec` (size 1 with requireSafeReplicaSize; replicated and
 *   erasureCoded together; an unknown failure domain), `pool/controller.go`: the error is returned (status stays
 *   Progressing) and `reporting/reporting.go` `ReportReconcileResult` records it as a Warning Event.
 * - `pkg/operator/ceph/file/filesystem.go` `validateFilesystem` (activeCount ≥ 1, duplicate data pool names, each
 *   pool's spec) and `createFilesystem` ("at least one data pool must be specified", phase Failure per
 *   `file/controller.go`).
 * - `pkg/operator/ceph/file/subvolumegroup/controller.go`: the filesystem must exist and be Ready.
 * - Ceph's health checks (ceph/ceph `doc/rados/operations/health-checks.rst`): TOO_FEW_OSDS (fewer OSDs than
 *   `osd_pool_default_size`), PG_AVAILABILITY (a pool whose size needs more failure domains than there are: its
 *   placement groups stay inactive), POOL_NO_REDUNDANCY (size 1, unless `mon_warn_on_pool_no_redundancy` is false);
 *   Ceph's mgr creates `.mgr` at `osd_pool_default_size` unless a CephBlockPool named `.mgr` sizes it.
 */
import { createHash } from "node:crypto";
import type { ApiClient, KubeObject } from "../../lib/kube-api";
import { quantityBytes } from "../../lib/quantity";
import type { Log } from "./log";

/** The Rook API group and version whose CRs get a status here. */
export const ROOK_GROUP = "ceph.rook.io";
const BASE = `/apis/${ROOK_GROUP}/v1`;

/** Rook's default mon count when `mon.count` is 0 (`pkg/operator/ceph/cluster/mon/mon.go` `DefaultMonCount`). */
export const DEFAULT_MON_COUNT = 3;
/** dataDirHostPath values Rook refuses (`pkg/operator/ceph/cluster/controller.go`). */
export const DISALLOWED_HOST_DIRS = ["/etc/ceph", "/rook", "/var/log/ceph"];
/** The CRUSH types of Ceph's default map (ceph/ceph `src/crush/CrushWrapper.cc`), the valid failure domains. */
export const CRUSH_TYPES = [
    "osd",
    "host",
    "chassis",
    "rack",
    "row",
    "pdu",
    "pod",
    "room",
    "datacenter",
    "zone",
    "region",
    "root",
];

/** True when a CephCluster has its cleanup armed (Rook then stops orchestrating that cluster). */
export function cleanupArmed(cluster: KubeObject): boolean {
    const policy = cluster.spec?.cleanupPolicy as { confirmation?: string | null } | undefined;
    return !!policy?.confirmation;
}

type Obj = Record<string, unknown>;

/** A PVC template as Rook expands it. */
interface ClaimTemplate {
    storageClassName?: string;
    volumeMode?: string;
    accessModes?: string[];
    resources?: { requests?: { storage?: string } };
}

/** The node a local PV is pinned to (its hostname nodeAffinity), if any. */
export function pvHost(pv: KubeObject): string | undefined {
    const terms = (
        pv.spec?.nodeAffinity as
            | { required?: { nodeSelectorTerms?: { matchExpressions?: { key: string; values?: string[] }[] }[] } }
            | undefined
    )?.required?.nodeSelectorTerms;
    const expr = terms?.flatMap((t) => t.matchExpressions ?? []).find((e) => e.key === "kubernetes.io/hostname");
    return expr?.values?.[0];
}

/**
 * The PVs a claim of `tpl` in `namespace` could bind (pv_helpers.go `FindMatchingVolume`): unbound (or already bound
 * to a claim in that namespace), same class, same volumeMode (default Filesystem), every requested access mode, at
 * least the requested size, and — for a local PV — a node that exists. `used` PVs are taken already.
 */
export function bindablePvs(
    pvs: KubeObject[],
    tpl: ClaimTemplate,
    namespace: string,
    nodes: Set<string>,
    used: Set<string>,
): KubeObject[] {
    const request = quantityBytes(tpl.resources?.requests?.storage ?? "0");
    const mode = tpl.volumeMode ?? "Filesystem";
    const modes = tpl.accessModes?.length ? tpl.accessModes : ["ReadWriteOnce"];
    return pvs.filter((pv) => {
        const s = (pv.spec ?? {}) as {
            storageClassName?: string;
            volumeMode?: string;
            accessModes?: string[];
            capacity?: { storage?: string };
            claimRef?: { namespace?: string };
            local?: unknown;
        };
        const phase = pv.status?.phase;
        const free = phase === "Available" || (phase === "Bound" && s.claimRef?.namespace === namespace);
        const host = pvHost(pv);
        return (
            free &&
            !used.has(pv.metadata.name) &&
            !pv.metadata.deletionTimestamp &&
            (s.storageClassName ?? "") === (tpl.storageClassName ?? "") &&
            (s.volumeMode ?? "Filesystem") === mode &&
            modes.every((m) => s.accessModes?.includes(m)) &&
            quantityBytes(s.capacity?.storage ?? "0") >= request &&
            (!s.local || (host !== undefined && nodes.has(host)))
        );
    });
}

/** What the cluster's CR and the objects around it say, read once per pass. */
export interface RookWorld {
    nodes: KubeObject[];
    pvs: KubeObject[];
    pools: KubeObject[];
    filesystems: KubeObject[];
}

/** A Ceph health check as Rook copies it into `status.ceph.details`. */
interface HealthCheck {
    severity: "HEALTH_WARN" | "HEALTH_ERR";
    message: string;
}

/** The verdict on one CephCluster: a status to write, or undefined to leave it alone (as Rook does). */
export type ClusterVerdict =
    | { kind: "failed"; message: string }
    | { kind: "progressing"; message: string }
    | { kind: "ready"; health: string; details: Record<string, HealthCheck>; osdHosts: number; osds: number }
    | undefined;

/** One pool as Ceph sees it: its name, size and failure domain. */
interface PoolView {
    name: string;
    size: number;
    failureDomain: string;
}

interface PoolSpec {
    name?: string;
    failureDomain?: string;
    replicated?: { size?: number; requireSafeReplicaSize?: boolean };
    erasureCoded?: { dataChunks?: number; codingChunks?: number };
}

/** `pool/validate.go` `ValidatePoolSpec`'s checks that need no live Ceph; the first error, or undefined. */
export function poolSpecError(p: PoolSpec): string | undefined {
    const replicated = (p.replicated?.size ?? 0) > 0;
    const ec = (p.erasureCoded?.dataChunks ?? 0) > 0 || (p.erasureCoded?.codingChunks ?? 0) > 0;
    if (replicated && ec) return "both replication and erasure code settings cannot be specified";
    if (p.failureDomain && !CRUSH_TYPES.includes(p.failureDomain)) {
        return `unrecognized failure domain ${p.failureDomain}`;
    }
    if (replicated && p.replicated?.size === 1 && p.replicated.requireSafeReplicaSize) {
        return "error pool size is 1 and requireSafeReplicaSize is true, must be false";
    }
    return undefined;
}

/** The Ceph pools of a namespace's CRs (file/filesystem.go pool naming), plus `.mgr` at the default size. */
function poolViews(world: RookWorld, namespace: string, defaultSize: number): PoolView[] {
    const out: PoolView[] = [];
    const view = (name: string, p: PoolSpec) => ({
        name,
        size: p.replicated?.size ?? (p.erasureCoded?.dataChunks ?? 0) + (p.erasureCoded?.codingChunks ?? 0),
        failureDomain: p.failureDomain || "host",
    });
    for (const bp of world.pools.filter((o) => o.metadata.namespace === namespace)) {
        out.push(view(String(bp.spec?.name || bp.metadata.name), (bp.spec ?? {}) as PoolSpec));
    }
    for (const fs of world.filesystems.filter((o) => o.metadata.namespace === namespace)) {
        const s = (fs.spec ?? {}) as { metadataPool?: PoolSpec; dataPools?: PoolSpec[] };
        const n = fs.metadata.name;
        out.push(view(`${n}-metadata`, s.metadataPool ?? {}));
        (s.dataPools ?? []).forEach((d, i) => out.push(view(`${n}-${d.name || `data${i}`}`, d)));
    }
    if (!out.some((p) => p.name === ".mgr")) out.push({ name: ".mgr", size: defaultSize, failureDomain: "host" });
    return out;
}

/** The CephCluster's verdict (see the file comment for the order and the sources). */
export function clusterVerdict(cluster: KubeObject, world: RookWorld): ClusterVerdict {
    const spec = (cluster.spec ?? {}) as {
        dataDirHostPath?: string;
        mon?: { count?: number; allowMultiplePerNode?: boolean; volumeClaimTemplate?: { spec?: ClaimTemplate } };
        storage?: {
            storageClassDeviceSets?: {
                name: string;
                count?: number;
                volumeClaimTemplates?: { spec?: ClaimTemplate }[];
            }[];
        };
        cephConfig?: Record<string, Record<string, string>>;
    };
    if (cleanupArmed(cluster)) return undefined;
    const dir = (spec.dataDirHostPath ?? "").replace(/\/+$/, "");
    if (DISALLOWED_HOST_DIRS.includes(dir)) return undefined;
    const ns = cluster.metadata.namespace ?? "";
    const nodes = new Set(world.nodes.map((n) => n.metadata.name));
    const monCount = spec.mon?.count || DEFAULT_MON_COUNT;
    const multi = spec.mon?.allowMultiplePerNode === true;
    if (!multi && nodes.size < monCount) {
        return {
            kind: "failed",
            message:
                `failed to perform validation before cluster creation: cannot start ${monCount} mons on ` +
                `${nodes.size} node(s) when allowMultiplePerNode is false`,
        };
    }
    const used = new Set<string>();
    const monTpl = spec.mon?.volumeClaimTemplate?.spec;
    if (monTpl) {
        // Rook forces Filesystem on the mon PVC (mon/spec.go); without allowMultiplePerNode one mon per node.
        const fit = bindablePvs(world.pvs, { ...monTpl, volumeMode: "Filesystem" }, ns, nodes, used);
        const chosen: KubeObject[] = [];
        const hosts = new Set<string>();
        for (const pv of fit) {
            const host = pvHost(pv) ?? pv.metadata.name;
            if (!multi && hosts.has(host)) continue;
            hosts.add(host);
            chosen.push(pv);
            if (chosen.length === monCount) break;
        }
        if (chosen.length < monCount) {
            return {
                kind: "failed",
                message:
                    "failed to create cluster: failed to start ceph monitors: failed to assign pods to mons: " +
                    "failed to schedule mons",
            };
        }
        for (const pv of chosen) used.add(pv.metadata.name);
    }
    const osdHosts = new Set<string>();
    let osds = 0;
    for (const set of spec.storage?.storageClassDeviceSets ?? []) {
        const count = set.count ?? 1;
        for (const tpl of set.volumeClaimTemplates ?? []) {
            const t = tpl.spec ?? {};
            const fit = bindablePvs(world.pvs, t, ns, nodes, used).slice(0, count);
            if (fit.length < count || (t.volumeMode ?? "Filesystem") !== "Block") {
                return { kind: "progressing", message: "Configuring Ceph OSDs" };
            }
            for (const pv of fit) {
                used.add(pv.metadata.name);
                osdHosts.add(pvHost(pv) ?? pv.metadata.name);
            }
        }
        osds += count;
    }
    const global = spec.cephConfig?.global ?? {};
    const defaultSize = Number(global.osd_pool_default_size ?? 3);
    const details: Record<string, HealthCheck> = {};
    if (osds < defaultSize) {
        details.TOO_FEW_OSDS = {
            severity: "HEALTH_WARN",
            message: `OSD count ${osds} < osd_pool_default_size ${defaultSize}`,
        };
    }
    const pools = poolViews(world, ns, defaultSize);
    const domains = (fd: string) => (fd === "osd" ? osds : osdHosts.size);
    const short = pools.filter((p) => p.size > domains(p.failureDomain));
    if (short.length > 0) {
        details.PG_AVAILABILITY = {
            severity: "HEALTH_WARN",
            message:
                "Reduced data availability: placement groups inactive in pool(s) " +
                short
                    .map((p) => `${p.name} (size ${p.size} > ${domains(p.failureDomain)} ${p.failureDomain}s)`)
                    .join(", "),
        };
    }
    const single = pools.filter((p) => p.size === 1);
    if (single.length > 0 && String(global.mon_warn_on_pool_no_redundancy) !== "false") {
        details.POOL_NO_REDUNDANCY = {
            severity: "HEALTH_WARN",
            message: `${single.length} pool(s) have no replicas configured`,
        };
    }
    const health = Object.keys(details).length > 0 ? "HEALTH_WARN" : "HEALTH_OK";
    return { kind: "ready", health, details, osdHosts: osdHosts.size, osds };
}

const now = () => new Date().toISOString().replace(/\.\d+Z$/, "Z");

/** The status patch for a verdict, null entries clearing health checks that are gone. */
export function clusterStatusPatch(cluster: KubeObject, verdict: Exclude<ClusterVerdict, undefined>): Obj {
    const t = now();
    if (verdict.kind !== "ready") {
        const failed = verdict.kind === "failed";
        const cond = {
            type: "Progressing",
            status: failed ? "False" : "True",
            reason: "ClusterProgressing",
            message: verdict.message,
            lastHeartbeatTime: t,
            lastTransitionTime: t,
        };
        return {
            phase: "Progressing",
            state: failed ? "Error" : "Creating",
            message: verdict.message,
            conditions: [cond],
        };
    }
    const message = "Cluster created successfully";
    const old = ((cluster.status?.ceph as { details?: Obj } | undefined)?.details ?? {}) as Obj;
    const details: Obj = Object.fromEntries(Object.keys(old).map((k) => [k, null]));
    Object.assign(details, verdict.details);
    return {
        phase: "Ready",
        state: "Created",
        message,
        observedGeneration: cluster.metadata.generation ?? 1,
        ceph: { health: verdict.health, details, lastChecked: t },
        conditions: [
            {
                type: "Ready",
                status: "True",
                reason: "ClusterCreated",
                message,
                lastHeartbeatTime: t,
                lastTransitionTime: t,
            },
        ],
    };
}

/** True when the CR already shows the verdict (nothing to write). */
function shows(cluster: KubeObject, verdict: Exclude<ClusterVerdict, undefined>): boolean {
    const s = (cluster.status ?? {}) as {
        phase?: string;
        message?: string;
        observedGeneration?: number;
        ceph?: { health?: string; details?: Record<string, HealthCheck> };
    };
    if (verdict.kind !== "ready") return s.phase === "Progressing" && s.message === verdict.message;
    return (
        s.phase === "Ready" &&
        s.observedGeneration === (cluster.metadata.generation ?? 1) &&
        s.ceph?.health === verdict.health &&
        JSON.stringify(s.ceph?.details ?? {}) === JSON.stringify(verdict.details)
    );
}

/** Records a Warning Event on a Rook CR, as `reporting.ReportReconcileResult` does (once per distinct message). */
async function reconcileFailed(client: ApiClient, kind: string, obj: KubeObject, err: string): Promise<void> {
    const ns = obj.metadata.namespace ?? "";
    const message = `failed to reconcile ${kind} "${ns}/${obj.metadata.name}". ${err}`;
    const hash = createHash("sha256").update(message).digest("hex").slice(0, 10);
    await client.create(
        `/api/v1/namespaces/${ns}/events`,
        {
            metadata: { name: `${obj.metadata.name}.${hash}`, namespace: ns },
            involvedObject: {
                apiVersion: `${ROOK_GROUP}/v1`,
                kind,
                name: obj.metadata.name,
                namespace: ns,
                uid: obj.metadata.uid,
            },
            type: "Warning",
            reason: "ReconcileFailed",
            message,
            source: { component: "rook-ceph-operator" },
            firstTimestamp: now(),
            lastTimestamp: now(),
            count: 1,
        },
        true,
    );
}

/** What a child CR (pool, filesystem, subvolume group) comes to: an error stays Progressing, Failure, or Ready. */
export type ChildVerdict = { phase: "Ready" } | { phase: "Progressing" | "Failure"; error?: string };

/** The CephBlockPool's verdict once its cluster is healthy enough (pool/validate.go `validatePool`). */
export function poolVerdict(pool: KubeObject): ChildVerdict {
    const err = poolSpecError((pool.spec ?? {}) as PoolSpec);
    return err
        ? { phase: "Progressing", error: `invalid pool CR "${pool.metadata.name}" spec: ${err}` }
        : { phase: "Ready" };
}

/** The CephFilesystem's verdict (file/filesystem.go `validateFilesystem`, `createFilesystem`). */
export function filesystemVerdict(fs: KubeObject): ChildVerdict {
    const s = (fs.spec ?? {}) as {
        metadataPool?: PoolSpec;
        dataPools?: PoolSpec[];
        metadataServer?: { activeCount?: number };
    };
    const invalid = (why: string): ChildVerdict => ({
        phase: "Progressing",
        error: `invalid object filesystem "${fs.metadata.name}" arguments: ${why}`,
    });
    if ((s.metadataServer?.activeCount ?? 0) < 1) return invalid("MetadataServer.ActiveCount must be at least 1");
    const data = s.dataPools ?? [];
    if (data.length === 0) return { phase: "Failure", error: "at least one data pool must be specified" };
    const names = data.map((d) => d.name).filter(Boolean);
    if (new Set(names).size !== names.length) return invalid("duplicate pool names in the data pool spec");
    const meta = poolSpecError(s.metadataPool ?? {});
    if (meta) return invalid(`invalid metadata pool: ${meta}`);
    for (const d of data) {
        const e = poolSpecError(d);
        if (e) return invalid(`Invalid data pool: ${e}`);
    }
    return { phase: "Ready" };
}

/** The subvolume group's verdict (file/subvolumegroup/controller.go): its filesystem must exist and be Ready. */
export function subVolumeGroupVerdict(svg: KubeObject, filesystems: KubeObject[]): ChildVerdict {
    const fsName = String(svg.spec?.filesystemName ?? "");
    const fs = filesystems.find((f) => f.metadata.namespace === svg.metadata.namespace && f.metadata.name === fsName);
    if (!fs || fs.status?.phase !== "Ready") {
        return {
            phase: "Progressing",
            error: `failed to fetch ceph filesystem "${fsName}", cannot create subvolume group "${svg.metadata.name}"`,
        };
    }
    return { phase: "Ready" };
}

/** Does the served v1 version of a Rook CRD have the status subresource? undefined when the CRD is missing. */
async function statusSubresource(client: ApiClient, plural: string): Promise<boolean | undefined> {
    const crd = await client.get(`/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${plural}.${ROOK_GROUP}`);
    if (!crd) return undefined;
    const versions = (crd.spec?.versions ?? []) as { name: string; subresources?: { status?: unknown } }[];
    return versions.some((v) => v.name === "v1" && v.subresources?.status !== undefined);
}

const path = (plural: string, o: KubeObject, sub: boolean) =>
    `${BASE}/namespaces/${o.metadata.namespace}/${plural}/${o.metadata.name}${sub ? "/status" : ""}`;

/** Rook's part: every CephCluster, then its pools, filesystems and subvolume groups (see the file comment). */
export async function reconcileCeph(client: ApiClient, log: Log): Promise<void> {
    const clusterSub = await statusSubresource(client, "cephclusters");
    if (clusterSub === undefined) return;
    const clusters = await client.list(`${BASE}/cephclusters`);
    const list = async (plural: string) =>
        (await statusSubresource(client, plural)) === undefined ? [] : client.list(`${BASE}/${plural}`);
    const world: RookWorld = {
        nodes: await client.list("/api/v1/nodes"),
        pvs: await client.list("/api/v1/persistentvolumes"),
        pools: await list("cephblockpools"),
        filesystems: await list("cephfilesystems"),
    };
    const healthy = new Set<string>();
    const frozen = new Set(clusters.filter(cleanupArmed).map((c) => c.metadata.namespace));
    for (const c of clusters) {
        if (c.metadata.deletionTimestamp) continue;
        const verdict = clusterVerdict(c, world);
        if (verdict === undefined) continue;
        if (!shows(c, verdict)) {
            await client.mergePatch(path("cephclusters", c, clusterSub), { status: clusterStatusPatch(c, verdict) });
            const what = verdict.kind === "ready" ? `Ready, ${verdict.health}` : `${verdict.kind}: ${verdict.message}`;
            log(`cephclusters ${c.metadata.namespace}/${c.metadata.name}: ${what}`);
            if (verdict.kind === "failed") await reconcileFailed(client, "CephCluster", c, verdict.message);
        }
        if (verdict.kind === "ready") healthy.add(c.metadata.namespace ?? "");
    }
    const children: [string, string, (o: KubeObject) => ChildVerdict][] = [
        ["cephblockpools", "CephBlockPool", poolVerdict],
        ["cephfilesystems", "CephFilesystem", filesystemVerdict],
        [
            "cephfilesystemsubvolumegroups",
            "CephFilesystemSubVolumeGroup",
            (o) => subVolumeGroupVerdict(o, world.filesystems),
        ],
    ];
    for (const [plural, kind, verdictOf] of children) {
        const sub = await statusSubresource(client, plural);
        if (sub === undefined) continue;
        const items =
            plural === "cephblockpools"
                ? world.pools
                : plural === "cephfilesystems"
                  ? world.filesystems
                  : await client.list(`${BASE}/${plural}`);
        for (const item of items) {
            const ns = item.metadata.namespace ?? "";
            if (frozen.has(ns) || item.metadata.deletionTimestamp) continue;
            const generation = item.metadata.generation ?? 1;
            const status = item.status ?? {};
            // Rook's first write, before it looks at the cluster.
            if (!status.phase) {
                await client.mergePatch(path(plural, item, sub), { status: { phase: "Progressing" } });
                status.phase = "Progressing";
            }
            if (!healthy.has(ns)) continue;
            const v = verdictOf(item);
            if (v.phase === "Ready") {
                if (status.phase === "Ready" && status.observedGeneration === generation) continue;
                await client.mergePatch(path(plural, item, sub), {
                    status: { phase: "Ready", observedGeneration: generation },
                });
                if (plural === "cephfilesystems") item.status = { ...status, phase: "Ready" };
                log(`${plural} ${ns}/${item.metadata.name}: Ready, observedGeneration ${generation}`);
                continue;
            }
            if (status.phase !== v.phase) {
                await client.mergePatch(path(plural, item, sub), { status: { phase: v.phase } });
                log(`${plural} ${ns}/${item.metadata.name}: ${v.phase}: ${v.error ?? ""}`);
            }
            if (v.error) await reconcileFailed(client, kind, item, v.error);
        }
    }
}
