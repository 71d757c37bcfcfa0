/**
 * The Rook stand-in's rules (testing/sim/rook.ts): the committed stacks' own CephCluster, local PVs, pools and
 * filesystem pass them, and each rule, broken on purpose, gives the status the real operator gives instead of Ready.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { KubeObject } from "../../lib/kube-api";
import { cephClusterSpec, localPvs } from "../../modules/ceph/cluster-manifests";
import { blockPoolSpec, cephFilesystemSpec, mgrPoolSpec, subVolumeGroupSpec } from "../../modules/ceph/fs-manifests";
import {
    bindablePvs,
    clusterStatusPatch,
    clusterVerdict,
    filesystemVerdict,
    poolVerdict,
    reconcileCeph,
    subVolumeGroupVerdict,
    type RookWorld,
} from "../../testing/sim/rook";
import type { ApiClient } from "../../lib/kube-api";
import { stackConfig } from "../storage/helpers";

const NS = "rook-ceph";
type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- raw manifests

const node = (name: string): KubeObject => ({ metadata: { name } });
const obj = (kind: string, name: string, spec: Obj, status?: Obj): KubeObject => ({
    apiVersion: "ceph.rook.io/v1",
    kind,
    metadata: { name, namespace: NS, generation: 1 },
    spec,
    ...(status ? { status } : {}),
});

/** The world a committed stack creates: its nodes (plus the control plane), Available local PVs and its CRs. */
function stackWorld(stack: string, edit?: (v: Obj) => void) {
    const config = stackConfig(stack, edit);
    const ceph = config.ceph;
    const cluster = obj("CephCluster", NS, cephClusterSpec({ ceph, registry: "r.example:5000" }));
    const pvs: KubeObject[] = localPvs(ceph).map((p) => ({
        metadata: { name: p.name },
        spec: p.spec.spec as Obj,
        status: { phase: "Available" },
    }));
    const mgr = mgrPoolSpec(ceph);
    const world: RookWorld = {
        nodes: ["master", ...ceph.nodes.map((n) => n.hostname)].map(node),
        pvs,
        pools: [
            ...(mgr ? [obj("CephBlockPool", "builtin-mgr", mgr)] : []),
            ...(ceph.blockStorageClass ? [obj("CephBlockPool", "replicapool", blockPoolSpec(ceph))] : []),
        ],
        filesystems: [obj("CephFilesystem", ceph.filesystem.name, cephFilesystemSpec(ceph))],
    };
    return { ceph, cluster, world };
}

describe("sim Rook: the committed stacks pass Rook's rules", () => {
    for (const stack of ["lab", "airgap"]) {
        it(`${stack}: CephCluster Ready with HEALTH_OK, its pool and filesystem Ready`, () => {
            const { cluster, world } = stackWorld(stack);
            const v = clusterVerdict(cluster, world);
            assert.equal(v?.kind, "ready", JSON.stringify(v));
            assert.deepEqual(v.kind === "ready" && [v.health, v.details], ["HEALTH_OK", {}]);
            for (const p of world.pools) assert.deepEqual(poolVerdict(p), { phase: "Ready" });
            assert.deepEqual(filesystemVerdict(world.filesystems[0]), { phase: "Ready" });
        });
    }
});

describe("sim Rook: CephCluster rules (each fails as Rook does)", () => {
    it("mon count above the nodes without allowMultiplePerNode: Progressing, Error, Rook's message", () => {
        const { cluster, world } = stackWorld("lab", (v) => {
            v.ceph.allowMultiplePerNode = false;
        });
        world.nodes = [node("lab1")];
        (cluster.spec as Obj).mon.count = 3;
        const v = clusterVerdict(cluster, world);
        assert.deepEqual(v, {
            kind: "failed",
            message:
                "failed to perform validation before cluster creation: cannot start 3 mons on 1 node(s) when allowMultiplePerNode is false",
        });
        const patch = clusterStatusPatch(cluster, v!);
        assert.equal(patch.phase, "Progressing");
        assert.equal(patch.state, "Error");
        assert.equal(patch.observedGeneration, undefined);
        assert.deepEqual(
            (patch.conditions as Obj[]).map((c) => [c.type, c.status, c.reason]),
            [["Progressing", "False", "ClusterProgressing"]],
        );
    });

    it("an empty spec is not Ready: mon count 0 means 3, more than a 1-worker cluster's 2 nodes", () => {
        const v = clusterVerdict(obj("CephCluster", NS, {}), {
            nodes: [node("master"), node("lab1")],
            pvs: [],
            pools: [],
            filesystems: [],
        });
        assert.equal(v?.kind, "failed");
        assert.match(v.kind === "failed" ? v.message : "", /cannot start 3 mons on 2 node\(s\)/);
    });

    const monsUnschedulable =
        "failed to create cluster: failed to start ceph monitors: failed to assign pods to mons: failed to schedule mons";

    it("a mon PV missing, in Block mode, too small, or on a node that does not exist: the mons are never scheduled", () => {
        for (const [what, edit] of [
            [
                "missing",
                (pvs: KubeObject[]) =>
                    pvs.splice(
                        pvs.findIndex((p) => p.metadata.name.includes("-mon-")),
                        1,
                    ),
            ],
            ["Block mode", (pvs: KubeObject[]) => void (mon(pvs).spec!.volumeMode = "Block")],
            ["too small", (pvs: KubeObject[]) => void ((mon(pvs).spec as Obj).capacity.storage = "1Gi")],
            ["bound elsewhere", (pvs: KubeObject[]) => void (mon(pvs).status = { phase: "Bound" })],
            [
                "unknown node",
                (pvs: KubeObject[]) =>
                    void ((mon(pvs).spec as Obj).nodeAffinity.required.nodeSelectorTerms[0].matchExpressions[0].values =
                        ["gone"]),
            ],
        ] as const) {
            const { cluster, world } = stackWorld("airgap");
            edit(world.pvs);
            assert.deepEqual(clusterVerdict(cluster, world), { kind: "failed", message: monsUnschedulable }, what);
        }
    });

    it("two mon PVs on one node count once without allowMultiplePerNode", () => {
        const { cluster, world } = stackWorld("airgap");
        const mons = world.pvs.filter((p) => p.metadata.name.includes("-mon-"));
        (mons[1].spec as Obj).nodeAffinity = (mons[0].spec as Obj).nodeAffinity;
        assert.deepEqual(clusterVerdict(cluster, world), { kind: "failed", message: monsUnschedulable });
    });

    it("OSD PVs in Filesystem mode, too few, or a device set template not in Block mode: stays Configuring Ceph OSDs", () => {
        const progressing = { kind: "progressing", message: "Configuring Ceph OSDs" };
        let { cluster, world } = stackWorld("airgap");
        for (const pv of world.pvs.filter((p) => p.metadata.name.includes("-osd-"))) pv.spec!.volumeMode = "Filesystem";
        assert.deepEqual(clusterVerdict(cluster, world), progressing);
        ({ cluster, world } = stackWorld("airgap"));
        world.pvs.splice(
            world.pvs.findIndex((p) => p.metadata.name.includes("-osd-")),
            1,
        );
        assert.deepEqual(clusterVerdict(cluster, world), progressing);
        ({ cluster, world } = stackWorld("airgap"));
        for (const set of (cluster.spec as Obj).storage.storageClassDeviceSets) {
            set.volumeClaimTemplates[0].spec.volumeMode = "Filesystem";
        }
        for (const pv of world.pvs) pv.spec!.volumeMode = "Filesystem";
        assert.deepEqual(clusterVerdict(cluster, world), progressing);
    });

    it("a disallowed dataDirHostPath: Rook leaves the CR without any status", () => {
        const { cluster, world } = stackWorld("airgap");
        (cluster.spec as Obj).dataDirHostPath = "/var/log/ceph/";
        assert.equal(clusterVerdict(cluster, world), undefined);
    });

    it("pools bigger than the OSD hosts, too few OSDs, size 1 without the silenced warning: HEALTH_WARN with Ceph's checks", () => {
        // airgap with replicas 3 but OSDs on one host only.
        const { cluster, world } = stackWorld("airgap");
        const osd = world.pvs.filter((p) => p.metadata.name.includes("-osd-"));
        for (const pv of osd) (pv.spec as Obj).nodeAffinity = (osd[0].spec as Obj).nodeAffinity;
        const v = clusterVerdict(cluster, world);
        assert.equal(v?.kind, "ready");
        if (v?.kind !== "ready") return;
        assert.equal(v.health, "HEALTH_WARN");
        assert.match(v.details.PG_AVAILABILITY.message, /rmcephfs-metadata \(size 3 > 1 hosts\)/);
        assert.match(v.details.PG_AVAILABILITY.message, /\.mgr \(size 3 > 1 hosts\)/);

        const lab = stackWorld("lab");
        delete (lab.cluster.spec as Obj).cephConfig;
        const w = clusterVerdict(lab.cluster, lab.world);
        assert.equal(w?.kind === "ready" && w.health, "HEALTH_WARN");
        assert.deepEqual(w?.kind === "ready" && Object.keys(w.details).sort(), ["POOL_NO_REDUNDANCY", "TOO_FEW_OSDS"]);
        assert.equal(w?.kind === "ready" && w.details.TOO_FEW_OSDS.message, "OSD count 1 < osd_pool_default_size 3");
    });

    it("armed cleanup: left alone", () => {
        const { cluster, world } = stackWorld("airgap");
        (cluster.spec as Obj).cleanupPolicy = { confirmation: "yes-really-destroy-data" };
        assert.equal(clusterVerdict(cluster, world), undefined);
    });

    function mon(pvs: KubeObject[]): KubeObject {
        return pvs.find((p) => p.metadata.name.includes("-mon-"))!;
    }
});

describe("sim Rook: pool, filesystem and subvolume group rules", () => {
    it("CephBlockPool: size 1 with requireSafeReplicaSize, replicated with erasureCoded, an unknown failure domain", () => {
        for (const [spec, err] of [
            [
                { replicated: { size: 1, requireSafeReplicaSize: true } },
                "error pool size is 1 and requireSafeReplicaSize is true, must be false",
            ],
            [
                { replicated: { size: 3 }, erasureCoded: { dataChunks: 2, codingChunks: 1 } },
                "both replication and erasure code settings cannot be specified",
            ],
            [{ failureDomain: "hots", replicated: { size: 3 } }, "unrecognized failure domain hots"],
        ] as const) {
            assert.deepEqual(poolVerdict(obj("CephBlockPool", "p", spec)), {
                phase: "Progressing",
                error: `invalid pool CR "p" spec: ${err}`,
            });
        }
    });

    it("CephFilesystem: no data pool (Failure), activeCount 0, duplicate data pools, a bad pool spec", () => {
        const ok = {
            metadataServer: { activeCount: 1 },
            metadataPool: { replicated: { size: 3 } },
            dataPools: [{ name: "data", replicated: { size: 3 } }],
        };
        assert.deepEqual(filesystemVerdict(obj("CephFilesystem", "fs", { ...ok, dataPools: [] })), {
            phase: "Failure",
            error: "at least one data pool must be specified",
        });
        for (const [spec, why] of [
            [{ ...ok, metadataServer: { activeCount: 0 } }, "MetadataServer.ActiveCount must be at least 1"],
            [{ ...ok, dataPools: [ok.dataPools[0], ok.dataPools[0]] }, "duplicate pool names in the data pool spec"],
            [
                { ...ok, metadataPool: { replicated: { size: 1, requireSafeReplicaSize: true } } },
                "invalid metadata pool: error pool size is 1",
            ],
        ] as const) {
            const v = filesystemVerdict(obj("CephFilesystem", "fs", spec));
            assert.equal(v.phase, "Progressing");
            assert.ok(
                "error" in v && v.error?.startsWith(`invalid object filesystem "fs" arguments: ${why}`),
                JSON.stringify(v),
            );
        }
    });

    it("SubVolumeGroup: its filesystem missing or not Ready", () => {
        const svg = obj("CephFilesystemSubVolumeGroup", "rmcephfs-csi", subVolumeGroupSpec("rmcephfs", NS).spec as Obj);
        const fs = obj("CephFilesystem", "rmcephfs", {}, { phase: "Progressing" });
        for (const list of [[], [fs]]) {
            assert.deepEqual(subVolumeGroupVerdict(svg, list), {
                phase: "Progressing",
                error: 'failed to fetch ceph filesystem "rmcephfs", cannot create subvolume group "rmcephfs-csi"',
            });
        }
        assert.deepEqual(subVolumeGroupVerdict(svg, [{ ...fs, status: { phase: "Ready" } }]), { phase: "Ready" });
    });

    it("binding: a claim takes a PV of its class, mode and size that is free", () => {
        const pv = (name: string, spec: Obj, phase = "Available"): KubeObject => ({
            metadata: { name },
            spec,
            status: { phase },
        });
        const base = {
            storageClassName: "local",
            volumeMode: "Block",
            accessModes: ["ReadWriteOnce"],
            capacity: { storage: "10Gi" },
        };
        const pvs = [
            pv("ok", base),
            pv("class", { ...base, storageClassName: "other" }),
            pv("mode", { ...base, volumeMode: "Filesystem" }),
            pv("small", { ...base, capacity: { storage: "9Gi" } }),
            pv("rwx", { ...base, accessModes: ["ReadWriteMany"] }),
            pv("bound", base, "Bound"),
            pv("released", base, "Released"),
        ];
        const tpl = { storageClassName: "local", volumeMode: "Block", resources: { requests: { storage: "10Gi" } } };
        assert.deepEqual(
            bindablePvs(pvs, tpl, NS, new Set(), new Set()).map((p) => p.metadata.name),
            ["ok"],
        );
    });
});

describe("sim Rook: reconcile writes Rook's status and Event, and children wait for a healthy cluster", () => {
    it("a failing CephCluster: status patch and a ReconcileFailed Event; its pool gets Progressing only", async () => {
        const crd = { spec: { versions: [{ name: "v1", subresources: { status: {} } }] } };
        const patches: [string, Obj][] = [];
        const events: Obj[] = [];
        const cluster = obj("CephCluster", NS, { mon: { count: 3 } });
        const pool = obj("CephBlockPool", "replicapool", { replicated: { size: 3 } });
        const client = {
            get: async (p: string) => (p.includes("customresourcedefinitions/") ? crd : undefined),
            list: async (p: string) =>
                p.endsWith("/nodes")
                    ? [node("lab1")]
                    : p.endsWith("/cephclusters")
                      ? [cluster]
                      : p.endsWith("/cephblockpools")
                        ? [pool]
                        : [],
            mergePatch: async (p: string, body: Obj) => void patches.push([p, body]),
            create: async (_p: string, e: Obj) => void events.push(e),
        } as unknown as ApiClient;
        const log: string[] = [];
        await reconcileCeph(client, (l) => log.push(l));
        assert.equal(patches[0][0], `/apis/ceph.rook.io/v1/namespaces/${NS}/cephclusters/${NS}/status`);
        assert.equal(patches[0][1].status.phase, "Progressing");
        assert.equal(patches[0][1].status.state, "Error");
        assert.equal(events.length, 1);
        assert.equal(events[0].reason, "ReconcileFailed");
        assert.equal(events[0].type, "Warning");
        assert.match(
            events[0].message,
            /^failed to reconcile CephCluster "rook-ceph\/rook-ceph"\. failed to perform validation/,
        );
        assert.deepEqual(patches[1], [
            `/apis/ceph.rook.io/v1/namespaces/${NS}/cephblockpools/replicapool/status`,
            { status: { phase: "Progressing" } },
        ]);
        assert.equal(patches.length, 2);
    });
});
