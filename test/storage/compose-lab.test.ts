/* eslint-disable @typescript-eslint/no-explicit-any -- tests walk recorded, untyped inputs */
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { runPolicies } from "../../platform/plan/findings";
import type { PlatformConfig } from "../../platform/contracts";
import { stackValues, type Recorder } from "../harness";
import { composeStorage } from "./compose";

let rec: Recorder;
let cfg: PlatformConfig;
let outputs: Record<string, unknown>;

before(async () => {
    ({ rec, cfg, outputs } = await composeStorage("lab", stackValues("lab")));
});

describe("storage half of the lab stack", () => {
    it("creates 2 PVs on lab1, only the .mgr pool, and nothing protected (protectData: false)", () => {
        const pvs = rec.ofType("kubernetes:core/v1:PersistentVolume");
        assert.deepEqual(
            pvs.map((p) => `${p.name} ${(p.inputs.spec as any).volumeMode} ${(p.inputs.spec as any).capacity.storage}`),
            ["lab1-mon-vdb Filesystem 10Gi", "lab1-osd-vdc Block 50Gi"],
        );
        const pools = rec.ofType("kubernetes:ceph.rook.io/v1:CephBlockPool");
        assert.deepEqual(
            pools.map((p) => [p.name, (p.inputs.spec as any).name, (p.inputs.spec as any).replicated.size]),
            [["ceph-mgr-pool", ".mgr", 1]],
        );
        assert.ok(rec.dependsOn(pools[0], rec.byName("ceph-cr")));
        assert.ok(rec.dependsOn(pools[0], rec.byName("rook-rook-ceph")));
        assert.equal(rec.ofType("kubernetes:storage.k8s.io/v1:StorageClass").length, 2);
        assert.deepEqual(
            rec
                .all()
                .filter((r) => r.protect)
                .map((r) => r.name),
            [],
        );
    });

    it("runs one mon, one mgr, size-1 pools and the RBD driver off", () => {
        const spec = rec.byName("ceph-cr").inputs.spec as any;
        assert.equal(spec.mon.count, 1);
        assert.equal(spec.mon.allowMultiplePerNode, true);
        assert.equal(spec.mgr.count, 1);
        assert.deepEqual(
            spec.storage.storageClassDeviceSets.map((s: any) => [s.name, s.count]),
            [["osd-50gi", 1]],
        );
        const fs = rec.byName("cephfs-cr").inputs.spec as any;
        assert.deepEqual(fs.metadataPool.replicated, { size: 1, requireSafeReplicaSize: false });
        assert.equal((rec.byName("rook-csi-drivers").inputs.values as any).drivers.rbd.enabled, false);
    });

    it("falls back to CephFS for RWO and exports the registry-lab commands", () => {
        assert.equal(outputs.rwoStorageClass, "rook-cephfs");
        assert.equal(outputs.rwxStorageClass, "rook-cephfs");
        assert.equal(outputs.cephStatusCommand, "kubectl -n rook-ceph exec deploy/rook-ceph-tools -- ceph -s");
    });

    it("still orders operator → CephCluster → CephFilesystem → StorageClass", () => {
        const op = rec.byName("rook-rook-ceph");
        const cluster = rec.byName("ceph-cr");
        const fs = rec.byName("cephfs-cr");
        assert.ok(rec.dependsOn(cluster, op));
        assert.ok(rec.dependsOn(fs, cluster));
        assert.ok(rec.dependsOn(rec.byName("cephfs-sc"), fs));
    });

    it("has no policy findings", () => {
        assert.deepEqual(runPolicies(rec.all(), cfg), []);
    });
});
