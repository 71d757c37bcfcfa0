/* eslint-disable @typescript-eslint/no-explicit-any -- tests walk recorded, untyped inputs */
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { runPolicies } from "../../platform/plan/findings";
import type { PlatformConfig } from "../../platform/contracts";
import { stackValues, type Recorder } from "../harness";
import { composeStorage } from "./compose";

let rec: Recorder;
let cfg: PlatformConfig;

before(async () => {
    const values = stackValues("airgap") as any;
    values.rook.version = "v1.9.8";
    values.rook.chart = "./bundle/charts/rook-ceph-v1.9.8.tgz";
    delete values.rook.csiDriversChart;
    values.ceph.image = "quay.io/ceph/ceph:v17.2.6";
    values.ceph.snapshotClass = true;
    // A stack name without a stack file: the encrypted-secret check is skipped.
    ({ rec, cfg } = await composeStorage("rook198", values));
});

describe("storage half on Rook v1.9.8", () => {
    it("installs only the rook-ceph release, with pspEnable false and single image strings", () => {
        const releases = rec.ofType("kubernetes:helm.sh/v3:Release");
        assert.deepEqual(
            releases.map((r) => r.name),
            ["rook-rook-ceph"],
        );
        const v = releases[0].inputs.values as any;
        assert.equal(v.pspEnable, false);
        assert.equal(v.csi.cephcsi.image, "registry.airgap.internal:5000/cephcsi/cephcsi:v3.6.2");
        assert.equal(v["ceph-csi-operator"], undefined);
    });

    it("patches the namespace's default ServiceAccount with the pull secret", () => {
        const [sa] = rec.ofType("kubernetes:core/v1:ServiceAccountPatch");
        assert.equal((sa.inputs.metadata as any).name, "default");
        assert.equal((sa.inputs.metadata as any).namespace, "rook-ceph");
        assert.deepEqual(sa.inputs.imagePullSecrets, [{ name: "airgap-registry" }]);
    });

    it("creates the CephCluster only after the default ServiceAccount carries the pull secret", () => {
        const [sa] = rec.ofType("kubernetes:core/v1:ServiceAccountPatch");
        const cluster = rec.byName("ceph-cr");
        assert.ok(rec.dependsOn(cluster, sa), "CephCluster → default ServiceAccount patch");
        // Rook's cleanup Jobs run after the CR is gone; the wait for them keeps the patch until they are done.
        assert.ok(rec.dependsOn(rec.byName("ceph-cleanup-wait"), sa), "cleanup wait → default ServiceAccount patch");
    });

    it("creates no subvolume group CR (CSI makes its own group) and snapshot classes on the v1.9 drivers", () => {
        assert.equal(rec.ofType("kubernetes:ceph.rook.io/v1:CephFilesystemSubVolumeGroup").length, 0);
        const snaps = rec
            .ofType("kubernetes:snapshot.storage.k8s.io/v1:VolumeSnapshotClass")
            .sort((a, b) => String(a.inputs.driver).localeCompare(String(b.inputs.driver)));
        assert.deepEqual(
            snaps.map((s) => s.inputs.driver),
            ["rook-ceph.cephfs.csi.ceph.com", "rook-ceph.rbd.csi.ceph.com"],
        );
        assert.ok(rec.dependsOn(snaps[0], rec.byName("cephfs-sc")));
        assert.ok(rec.dependsOn(snaps[1], rec.byName("rbd-sc")));
        const toolbox = rec.byName("ceph-rook-ceph-tools").inputs.spec as any;
        assert.equal(toolbox.template.spec.serviceAccountName, "default");
    });

    it("has no policy findings", () => {
        assert.deepEqual(runPolicies(rec.all(), cfg), []);
    });
});
