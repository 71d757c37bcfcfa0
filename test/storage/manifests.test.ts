/* eslint-disable @typescript-eslint/no-explicit-any -- tests walk untyped manifests and edit raw stack values */
import { snapshotClassSpec } from "../../modules/ceph/snapshot-manifests";
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
    cephClusterSpec,
    localPvs,
    localStorageClassSpec,
    osdSizeGroups,
    toolboxSpec,
} from "../../modules/ceph/cluster-manifests";
import {
    blockPoolSpec,
    cephfsShallowStorageClassSpec,
    cephfsStorageClassSpec,
    cephFilesystemSpec,
    subVolumeGroupSpec,
} from "../../modules/ceph/fs-manifests";
import { localPvName, readyAnnotations } from "../../catalog/rook-names";
import { crdErrors, crdFile } from "../helpers/crd";
import { airgapV198, stackConfig } from "./helpers";

const pvSummary = (cfg: ReturnType<typeof stackConfig>) =>
    localPvs(cfg.ceph).map((p) => {
        const s = p.spec.spec as Record<string, any>;
        return [
            p.name,
            s.volumeMode,
            s.capacity.storage,
            s.local.path,
            s.nodeAffinity.required.nodeSelectorTerms[0].matchExpressions[0].values[0],
        ].join(" ");
    });

describe("await annotations of the Rook CRs", () => {
    it("wait for status.phase Ready normally; skip the await while the teardown is armed", () => {
        assert.deepEqual(readyAnnotations({ wipeDisksOnDestroy: false }), {
            "pulumi.com/waitFor": "jsonpath={.status.phase}=Ready",
        });
        assert.deepEqual(readyAnnotations({ wipeDisksOnDestroy: true }), { "pulumi.com/skipAwait": "true" });
    });
});

describe("local PVs", () => {
    it("airgap: 6 PVs, mon Filesystem 10Gi and OSD Block 256Gi, pinned to their worker", () => {
        assert.deepEqual(pvSummary(stackConfig("airgap")), [
            "worker1-mon-nvme1n1 Filesystem 10Gi /dev/nvme1n1 worker1",
            "worker1-osd-nvme2n1 Block 256Gi /dev/nvme2n1 worker1",
            "worker2-mon-nvme1n1 Filesystem 10Gi /dev/nvme1n1 worker2",
            "worker2-osd-nvme2n1 Block 256Gi /dev/nvme2n1 worker2",
            "worker3-mon-nvme1n1 Filesystem 10Gi /dev/nvme1n1 worker3",
            "worker3-osd-nvme2n1 Block 256Gi /dev/nvme2n1 worker3",
        ]);
    });

    it("lab: 2 PVs on lab1", () => {
        assert.deepEqual(pvSummary(stackConfig("lab")), [
            "lab1-mon-vdb Filesystem 10Gi /dev/vdb lab1",
            "lab1-osd-vdc Block 50Gi /dev/vdc lab1",
        ]);
    });

    it("every PV is RWO, Retain, in the local class, with hostname affinity", () => {
        for (const pv of localPvs(stackConfig("airgap").ceph)) {
            const s = pv.spec.spec as Record<string, any>;
            assert.deepEqual(s.accessModes, ["ReadWriteOnce"]);
            assert.equal(s.persistentVolumeReclaimPolicy, "Retain");
            assert.equal(s.storageClassName, "local-storage");
            assert.deepEqual(s.nodeAffinity.required.nodeSelectorTerms[0].matchExpressions[0], {
                key: "kubernetes.io/hostname",
                operator: "In",
                values: [pv.hostname],
            });
        }
    });

    it("names are stable from host, role and device, and DNS-safe", () => {
        assert.equal(
            localPvName("worker1", "osd", "/dev/disk/by-id/nvme-Samsung_X_1"),
            "worker1-osd-disk-by-id-nvme-samsung-x-1",
        );
        assert.equal(localPvName("Worker1", "mon", "/dev/sdb"), "worker1-mon-sdb");
    });

    it("the local StorageClass has no provisioner and waits for the first consumer", () => {
        assert.deepEqual(localStorageClassSpec(), {
            metadata: { name: "local-storage" },
            provisioner: "kubernetes.io/no-provisioner",
            volumeBindingMode: "WaitForFirstConsumer",
            reclaimPolicy: "Retain",
        });
    });
});

const cases = [
    { label: "airgap v1.20.6", cfg: () => stackConfig("airgap"), version: "v1.20.6" },
    { label: "lab v1.20.6", cfg: () => stackConfig("lab"), version: "v1.20.6" },
    { label: "airgap v1.9.8", cfg: airgapV198, version: "v1.9.8" },
];

describe("CephCluster spec", () => {
    for (const c of cases) {
        it(`${c.label}: validates against the Rook CRD`, () => {
            const cfg = c.cfg();
            const obj = {
                apiVersion: "ceph.rook.io/v1",
                kind: "CephCluster",
                metadata: { name: "rook-ceph", namespace: "rook-ceph" },
                spec: cephClusterSpec({ ceph: cfg.ceph, registry: cfg.registry.server }),
            };
            assert.deepEqual(crdErrors(crdFile(c.version), obj), []);
        });
    }

    it("airgap: 3 mons on 10Gi local PVCs, one non-portable device set of 3 × 256Gi Block, private Ceph image", () => {
        const spec = cephClusterSpec({
            ceph: stackConfig("airgap").ceph,
            registry: "registry.airgap.internal:5000",
        }) as any;
        assert.equal(spec.cephVersion.image, "registry.airgap.internal:5000/ceph/ceph:v19.2.3");
        assert.deepEqual(spec.mon, {
            count: 3,
            allowMultiplePerNode: false,
            volumeClaimTemplate: {
                spec: { storageClassName: "local-storage", resources: { requests: { storage: "10Gi" } } },
            },
        });
        assert.equal(spec.storage.storageClassDeviceSets.length, 1);
        const set = spec.storage.storageClassDeviceSets[0];
        assert.equal(set.name, "osd-256gi");
        assert.equal(set.count, 3);
        assert.equal(set.portable, false);
        assert.deepEqual(set.volumeClaimTemplates[0].spec, {
            resources: { requests: { storage: "256Gi" } },
            storageClassName: "local-storage",
            volumeMode: "Block",
            accessModes: ["ReadWriteOnce"],
        });
        assert.equal(spec.dataDirHostPath, "/var/lib/rook");
        assert.deepEqual(spec.dashboard, { enabled: true, ssl: true });
        assert.equal(spec.mgr.count, 2);
        assert.equal(spec.cleanupPolicy, undefined);
        assert.deepEqual(spec.priorityClassNames, {
            mon: "system-node-critical",
            osd: "system-node-critical",
            mgr: "system-cluster-critical",
        });
    });

    it("groups OSD disks by size, one device set per size, smallest first", () => {
        const cfg = stackConfig("airgap", (v) => {
            v.ceph.nodes[0].osdDisks.push({ path: "/dev/nvme3n1", size: "512Gi" });
            v.ceph.nodes[2].osdDisks.push({ path: "/dev/nvme3n1", size: "512Gi" });
        });
        assert.deepEqual(osdSizeGroups(cfg.ceph), [
            { size: "256Gi", count: 3, setName: "osd-256gi" },
            { size: "512Gi", count: 2, setName: "osd-512gi" },
        ]);
        assert.equal(localPvs(cfg.ceph).length, 8);
    });

    it("the mon request is the smallest mon disk, so every mon PV can bind", () => {
        const cfg = stackConfig("airgap", (v) => {
            // Mon disks below 10G are refused, so the smallest is node 1's 10Gi next to larger ones.
            v.ceph.nodes[0].monDisk.size = "20Gi";
            v.ceph.nodes[2].monDisk.size = "15Gi";
        });
        const spec = cephClusterSpec({ ceph: cfg.ceph, registry: "r:5000" }) as any;
        assert.equal(spec.mon.volumeClaimTemplate.spec.resources.requests.storage, "10Gi");
    });

    it("wipeDisksOnDestroy arms Rook's cleanupPolicy; otherwise there is none", () => {
        for (const c of cases) {
            const cfg = c.cfg();
            cfg.ceph.wipeDisksOnDestroy = true;
            const spec = cephClusterSpec({ ceph: cfg.ceph, registry: cfg.registry.server }) as any;
            assert.equal(spec.cleanupPolicy.confirmation, "yes-really-destroy-data");
            const obj = { apiVersion: "ceph.rook.io/v1", kind: "CephCluster", metadata: { name: "x" }, spec };
            assert.deepEqual(crdErrors(crdFile(c.version), obj), []);
        }
    });
});

describe("toolbox", () => {
    it("runs the pinned private Ceph image with the pull secret; v1.20 uses rook-ceph-default, v1.9 default", () => {
        const base = {
            namespace: "rook-ceph",
            cephImage: "quay.io/ceph/ceph:v19.2.3",
            registry: "r.internal:5000",
            pullSecretName: "airgap-registry",
        };
        const t = toolboxSpec({ ...base, rookVersion: "v1.20.6" }) as any;
        const pod = t.spec.template.spec;
        assert.equal(pod.containers[0].image, "r.internal:5000/ceph/ceph:v19.2.3");
        assert.deepEqual(pod.imagePullSecrets, [{ name: "airgap-registry" }]);
        assert.equal(pod.serviceAccountName, "rook-ceph-default");
        assert.equal(t.metadata.name, "rook-ceph-tools");
        const old = toolboxSpec({ ...base, rookVersion: "v1.9.8" }) as any;
        assert.equal(old.spec.template.spec.serviceAccountName, "default");
    });
});

describe("CephFilesystem and StorageClasses", () => {
    for (const c of cases) {
        it(`${c.label}: filesystem, subvolume group and block pool validate against the Rook CRD`, () => {
            const cfg = c.cfg();
            const file = crdFile(c.version);
            const fs = {
                apiVersion: "ceph.rook.io/v1",
                kind: "CephFilesystem",
                metadata: { name: "rmcephfs" },
                spec: cephFilesystemSpec(cfg.ceph),
            };
            assert.deepEqual(crdErrors(file, fs), []);
            const pool = {
                apiVersion: "ceph.rook.io/v1",
                kind: "CephBlockPool",
                metadata: { name: "replicapool" },
                spec: blockPoolSpec(cfg.ceph),
            };
            assert.deepEqual(crdErrors(file, pool), []);
            if (c.version === "v1.20.6") {
                const svg = {
                    apiVersion: "ceph.rook.io/v1",
                    kind: "CephFilesystemSubVolumeGroup",
                    ...subVolumeGroupSpec("rmcephfs", "rook-ceph"),
                };
                assert.deepEqual(crdErrors(file, svg), []);
            }
        });
    }

    it("airgap: pools at size 3 with safe replica size, 1 active MDS + standby, one per node", () => {
        const spec = cephFilesystemSpec(stackConfig("airgap").ceph) as any;
        assert.deepEqual(spec.metadataPool, {
            failureDomain: "host",
            replicated: { size: 3, requireSafeReplicaSize: true },
        });
        assert.deepEqual(spec.dataPools, [
            { name: "data0", failureDomain: "host", replicated: { size: 3, requireSafeReplicaSize: true } },
        ]);
        assert.equal(spec.metadataServer.activeCount, 1);
        assert.equal(spec.metadataServer.activeStandby, true);
        assert.ok(spec.metadataServer.placement.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution);
        assert.equal(spec.preserveFilesystemOnDelete, true);
    });

    it("lab: size 1 without the safety check, MDS anti-affinity only preferred", () => {
        const spec = cephFilesystemSpec(stackConfig("lab").ceph) as any;
        assert.deepEqual(spec.dataPools[0].replicated, { size: 1, requireSafeReplicaSize: false });
        assert.equal(spec.metadataServer.activeStandby, false);
        assert.ok(spec.metadataServer.placement.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution);
    });

    it("v1.20: CephFS StorageClass matches the driver, namespace, filesystem and Rook's data pool name", () => {
        const cfg = stackConfig("airgap");
        const sc = cephfsStorageClassSpec(cfg.ceph, {
            operatorNamespace: "rook-ceph",
            clusterNamespace: "rook-ceph",
            rookVersion: "v1.20.6",
        });
        assert.deepEqual(sc, {
            metadata: { name: "rook-cephfs" },
            provisioner: "rook-ceph.cephfs.csi.ceph.com",
            parameters: {
                clusterID: "rook-ceph",
                fsName: "rmcephfs",
                pool: "rmcephfs-data0",
                "csi.storage.k8s.io/provisioner-secret-name": "rook-csi-cephfs-provisioner",
                "csi.storage.k8s.io/provisioner-secret-namespace": "rook-ceph",
                "csi.storage.k8s.io/controller-expand-secret-name": "rook-csi-cephfs-provisioner",
                "csi.storage.k8s.io/controller-expand-secret-namespace": "rook-ceph",
                "csi.storage.k8s.io/controller-publish-secret-name": "rook-csi-cephfs-provisioner",
                "csi.storage.k8s.io/controller-publish-secret-namespace": "rook-ceph",
                "csi.storage.k8s.io/node-stage-secret-name": "rook-csi-cephfs-node",
                "csi.storage.k8s.io/node-stage-secret-namespace": "rook-ceph",
            },
            reclaimPolicy: "Delete",
            allowVolumeExpansion: true,
            volumeBindingMode: "Immediate",
        });
    });

    it("the shallow CephFS class: backingSnapshot as ceph-csi reads it, no pool, the CephFS class otherwise", () => {
        const cfg = stackConfig("airgap");
        const scope = { operatorNamespace: "rook-ceph", clusterNamespace: "rook-ceph", rookVersion: "v1.20.6" };
        const base = cephfsStorageClassSpec(cfg.ceph, scope) as any;
        const sc = cephfsShallowStorageClassSpec(cfg.ceph, scope) as any;
        assert.equal(sc.metadata.name, "rook-cephfs-snapshot-ro");
        assert.equal(sc.provisioner, base.provisioner);
        // ceph-csi parses the parameter string as a boolean; the PVC's dataSource then names the snapshot it mounts.
        assert.equal(sc.parameters.backingSnapshot, "true");
        assert.equal("pool" in sc.parameters, false);
        const { pool, ...rest } = base.parameters;
        assert.equal(pool, "rmcephfs-data0");
        assert.deepEqual(sc.parameters, { ...rest, backingSnapshot: "true" });
        assert.equal(sc.allowVolumeExpansion, false);
        assert.equal(sc.reclaimPolicy, "Delete");
    });

    it("the data pool parameter is the filesystem name + '-' + the data pool's name (Rook's rule), in another namespace too", () => {
        const cfg = stackConfig("airgap", (v) => {
            v.ceph.filesystem.name = "shared";
            v.rook.namespace = "storage";
        });
        const fs = cephFilesystemSpec(cfg.ceph) as any;
        const sc = cephfsStorageClassSpec(cfg.ceph, {
            operatorNamespace: "storage",
            clusterNamespace: "storage",
            rookVersion: "v1.9.8",
        }) as any;
        assert.equal(sc.parameters.pool, `shared-${fs.dataPools[0].name}`);
        assert.equal(sc.parameters.fsName, "shared");
        assert.equal(sc.provisioner, "storage.cephfs.csi.ceph.com");
        assert.equal(sc.parameters.clusterID, "storage");
        // v1.9.8's example has no controller-publish secret.
        assert.equal(sc.parameters["csi.storage.k8s.io/controller-publish-secret-name"], undefined);
        assert.equal(Object.keys(sc.parameters).length, 9);
    });

    it("VolumeSnapshotClass uses the CephFS driver and the cluster's provisioner secret", () => {
        assert.deepEqual(
            snapshotClassSpec("cephfs", {
                operatorNamespace: "rook-ceph",
                clusterNamespace: "rook-ceph",
                rookVersion: "v1.20.6",
            }),
            {
                apiVersion: "snapshot.storage.k8s.io/v1",
                kind: "VolumeSnapshotClass",
                metadata: { name: "csi-cephfsplugin-snapclass" },
                driver: "rook-ceph.cephfs.csi.ceph.com",
                parameters: {
                    clusterID: "rook-ceph",
                    "csi.storage.k8s.io/snapshotter-secret-name": "rook-csi-cephfs-provisioner",
                    "csi.storage.k8s.io/snapshotter-secret-namespace": "rook-ceph",
                },
                deletionPolicy: "Delete",
            },
        );
    });
});

describe("CRD validator", () => {
    it("rejects what Rook's schema rejects: unknown fields, out-of-range counts, a bad cleanup confirmation", () => {
        const spec = cephClusterSpec({ ceph: stackConfig("airgap").ceph, registry: "r:5000" }) as any;
        spec.mon.count = 11;
        spec.storage.storageClassDeviceSets[0].portabel = false;
        spec.cleanupPolicy = { confirmation: "yes" };
        const errors = crdErrors(crdFile("v1.20.6"), {
            apiVersion: "ceph.rook.io/v1",
            kind: "CephCluster",
            metadata: { name: "x" },
            spec,
        });
        assert.deepEqual(errors.sort(), [
            '/spec/cleanupPolicy/confirmation must match pattern "^$|^yes-really-destroy-data$"',
            "/spec/mon/count must be <= 9",
            "/spec/storage/storageClassDeviceSets/0 must NOT have additional properties",
        ]);
    });
});
