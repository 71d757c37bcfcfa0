/* eslint-disable @typescript-eslint/no-explicit-any -- tests walk recorded, untyped inputs */
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { mapImages } from "../../lib/imageref";
import { rookImages } from "../../catalog/rook";
import { CLEANUP_WAIT_TYPE } from "../../modules/ceph/cleanup-wait";
import { runPolicies } from "../../platform/plan/findings";
import { valuesImages } from "../../platform/plan/policies/storage";
import type { PlatformConfig } from "../../platform/contracts";
import { stackValues, type Recorder, type Registration } from "../harness";
import { composeStorage } from "./compose";

let rec: Recorder;
let cfg: PlatformConfig;
let outputs: Record<string, unknown>;
const R = "registry.airgap.internal:5000";

before(async () => {
    ({ rec, cfg, outputs } = await composeStorage("airgap", stackValues("airgap"), true));
});

const count = (type: string) => rec.ofType(type).length;
const one = (type: string): Registration => {
    const all = rec.ofType(type);
    assert.equal(all.length, 1, type);
    return all[0];
};

describe("storage half of the airgap stack", () => {
    it("registers exactly the expected resources", () => {
        assert.deepEqual(
            {
                pv: count("kubernetes:core/v1:PersistentVolume"),
                sc: count("kubernetes:storage.k8s.io/v1:StorageClass"),
                release: count("kubernetes:helm.sh/v3:Release"),
                cluster: count("kubernetes:ceph.rook.io/v1:CephCluster"),
                fs: count("kubernetes:ceph.rook.io/v1:CephFilesystem"),
                svg: count("kubernetes:ceph.rook.io/v1:CephFilesystemSubVolumeGroup"),
                pool: count("kubernetes:ceph.rook.io/v1:CephBlockPool"),
                toolbox: count("kubernetes:apps/v1:Deployment"),
                snapclass: count("kubernetes:snapshot.storage.k8s.io/v1:VolumeSnapshotClass"),
                saPatch: count("kubernetes:core/v1:ServiceAccountPatch"),
                configMap: count("kubernetes:core/v1:ConfigMap"),
                job: count("kubernetes:batch/v1:Job"),
            },
            {
                configMap: 1,
                job: 6,
                pv: 6,
                sc: 3,
                release: 2,
                cluster: 1,
                fs: 1,
                svg: 1,
                pool: 1,
                toolbox: 1,
                snapclass: 0,
                saPatch: 0,
            },
        );
    });

    it("orders operator → CSI drivers → CephCluster → CephFilesystem → StorageClass, and pool → RBD class", () => {
        const op = rec.byName("rook-rook-ceph");
        const drivers = rec.byName("rook-csi-drivers");
        const cluster = rec.byName("ceph-cr");
        const fs = rec.byName("cephfs-cr");
        const cephfsSc = rec.byName("cephfs-sc");
        const pool = rec.byName("rbd-cr");
        assert.ok(rec.dependsOn(drivers, op));
        assert.ok(rec.dependsOn(cluster, op) && rec.dependsOn(cluster, drivers));
        for (const pv of rec.ofType("kubernetes:core/v1:PersistentVolume"))
            assert.ok(rec.dependsOn(cluster, pv), pv.name);
        assert.ok(rec.dependsOn(fs, cluster) && rec.dependsOn(fs, op));
        assert.ok(rec.dependsOn(cephfsSc, fs));
        assert.ok(rec.dependsOn(cephfsSc, rec.byName("cephfs-csi-group")));
        assert.ok(rec.dependsOn(pool, cluster) && rec.dependsOn(pool, op));
        assert.ok(rec.dependsOn(rec.byName("rbd-sc"), pool));
        assert.ok(rec.dependsOn(rec.byName("ceph-rook-ceph-tools"), cluster));
        assert.ok(!rec.dependsOn(op, cluster));
        // Nothing pulls before the images are in the registry.
        const mirror = rec.byName("mirror");
        assert.ok(rec.dependsOn(op, mirror) && rec.dependsOn(drivers, op));
    });

    it("deletes the CephCluster before a wait for Rook's cleanup Jobs, which goes before the operator and pull secret", () => {
        const cluster = rec.byName("ceph-cr");
        const wait = rec.byName("ceph-cleanup-wait");
        assert.equal(wait.type, CLEANUP_WAIT_TYPE);
        assert.ok(rec.dependsOn(cluster, wait), "CephCluster → cleanup wait");
        for (const name of ["rook-rook-ceph", "rook-csi-drivers"]) {
            assert.ok(rec.dependsOn(wait, rec.byName(name)), `cleanup wait → ${name}`);
        }
        assert.ok(rec.dependsOn(wait, one("kubernetes:core/v1:Secret")), "cleanup wait → pull secret");
        assert.deepEqual(
            { ...wait.inputs, nodes: (wait.inputs.nodes as any[]).map((n) => n.hostname) },
            {
                namespace: "rook-ceph",
                armed: false,
                nodes: ["worker1", "worker2", "worker3"],
                dataDirHostPath: "/var/lib/rook",
                timeoutSeconds: 1800,
            },
        );
    });

    it("one disk check Job per declared disk, pinned to its node; the CephCluster waits for every one", () => {
        const jobs = rec.ofType("kubernetes:batch/v1:Job");
        assert.deepEqual(
            jobs.map((j) => (j.inputs.metadata as any).name),
            ["1", "2", "3"].flatMap((n) => [
                `disk-preflight-worker${n}-mon-nvme1n1`,
                `disk-preflight-worker${n}-osd-nvme2n1`,
            ]),
        );
        const cluster = rec.byName("ceph-cr");
        const mirror = rec.byName("mirror");
        for (const job of jobs) {
            assert.ok(rec.dependsOn(cluster, job), job.name);
            assert.ok(rec.dependsOn(job, mirror), job.name);
            assert.equal(job.deleteBeforeReplace, true);
            const meta = job.inputs.metadata as any;
            assert.equal(meta.namespace, "rook-ceph");
            assert.equal(meta.annotations["pulumi.com/replaceUnready"], "true");
            const pod = (job.inputs.spec as any).template.spec;
            assert.equal(pod.nodeSelector["kubernetes.io/hostname"], meta.name.split("-")[2]);
            assert.equal(pod.containers[0].image, `${R}/ceph/ceph:v19.2.3`);
            assert.deepEqual(pod.imagePullSecrets, [{ name: "airgap-registry" }]);
        }
    });

    it("protects PVs, CephCluster, CephFilesystem and CephBlockPool, and nothing else", () => {
        const protectedTypes = rec
            .all()
            .filter((r) => r.protect)
            .map((r) => r.type.split(":")[2]);
        assert.deepEqual(protectedTypes.sort(), [
            "CephBlockPool",
            "CephCluster",
            "CephFilesystem",
            ...Array(6).fill("PersistentVolume"),
        ]);
    });

    it("waits for Ready with a 45m CephCluster timeout", () => {
        const cluster = rec.byName("ceph-cr");
        assert.equal(
            (cluster.inputs.metadata as any).annotations["pulumi.com/waitFor"],
            "jsonpath={.status.phase}=Ready",
        );
        assert.deepEqual(cluster.customTimeouts, { create: "45m", update: "45m", delete: "30m" });
        const fs = rec.byName("cephfs-cr");
        assert.equal((fs.inputs.metadata as any).annotations["pulumi.com/waitFor"], "jsonpath={.status.phase}=Ready");
        assert.equal((cluster.inputs.spec as any).cephVersion.image, `${R}/ceph/ceph:v19.2.3`);
    });

    it("installs both charts from the configured paths into rook-ceph with private-registry values", () => {
        const op = rec.byName("rook-rook-ceph");
        assert.equal(op.inputs.chart, "./bundle/charts/rook-ceph-v1.20.6.tgz");
        assert.equal(op.inputs.namespace, "rook-ceph");
        const wanted = mapImages(rookImages("v1.20.6"), R)
            .map((m) => m.target)
            .sort();
        assert.deepEqual(
            valuesImages(op.inputs.values)
                .map((i) => i.ref)
                .sort(),
            wanted,
        );
        const drivers = rec.byName("rook-csi-drivers");
        assert.equal(drivers.inputs.chart, "./bundle/charts/ceph-csi-drivers-1.0.4.tgz");
        const dv = drivers.inputs.values as any;
        assert.equal(dv.drivers.cephfs.name, "rook-ceph.cephfs.csi.ceph.com");
        assert.equal(dv.drivers.rbd.name, "rook-ceph.rbd.csi.ceph.com");
        assert.equal(dv.drivers.rbd.enabled, true);
        assert.equal(dv.operatorConfig.namespace, "rook-ceph");
        assert.deepEqual(dv.imagePullSecrets, [{ name: "airgap-registry" }]);
    });

    it("keeps the registry password secret in the pull Secret", () => {
        const secret = one("kubernetes:core/v1:Secret");
        assert.deepEqual(secret.secretInputs, ["stringData"]);
        assert.equal((secret.inputs.metadata as any).namespace, "rook-ceph");
    });

    it("exports StorageClass names and the operator commands", () => {
        assert.deepEqual(outputs, {
            rwxStorageClass: "rook-cephfs",
            rwoStorageClass: "rook-ceph-block",
            cephStatusCommand: "kubectl -n rook-ceph exec deploy/rook-ceph-tools -- ceph -s",
            dashboardPasswordCommand:
                "kubectl -n rook-ceph get secret rook-ceph-dashboard-password -o jsonpath='{.data.password}' | base64 -d",
            dashboardPortForwardCommand: "kubectl -n rook-ceph port-forward svc/rook-ceph-mgr-dashboard 8443:8443",
        });
    });

    it("has no policy findings", () => {
        assert.deepEqual(runPolicies(rec.all(), cfg), []);
    });

    it("policies catch an upstream image, a CR without its CRD release, an unprotected PV and an armed cleanup", () => {
        const regs = structuredClone(rec.all());
        const op = regs.find((r) => r.name === "rook-rook-ceph")!;
        (op.inputs.values as any).csi.resizer.repository = "registry.k8s.io/sig-storage/csi-resizer";
        const fs = regs.find((r) => r.name === "cephfs-cr")!;
        fs.deps = fs.deps.filter((d) => d !== op.urn);
        regs.find((r) => r.name === "worker2-osd-nvme2n1")!.protect = false;
        (regs.find((r) => r.name === "ceph-cr")!.inputs.spec as any).cleanupPolicy = {
            confirmation: "yes-really-destroy-data",
        };
        const found = runPolicies(regs, cfg).map((f) => `${f.level} ${f.rule} ${f.resource?.split("::").pop()}`);
        assert.deepEqual(found.sort(), [
            "error cr-without-crd-release cephfs-cr",
            "error image-outside-registry rook-rook-ceph",
            "error rook-image-not-overridden rook-rook-ceph",
            "error unprotected-stateful worker2-osd-nvme2n1",
            "warning ceph-cleanup-armed ceph-cr",
        ]);
    });
});
