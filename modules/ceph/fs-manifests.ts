/**
 * Pure specs of the filesystem half: the CephFilesystem, its CSI subvolume group, the CephFS StorageClass and
 * VolumeSnapshotClass, and the optional RBD pool and StorageClass (facts/rook-ceph.md §2.2–§2.4). StorageClass
 * parameters are derived from the same names Rook derives its pools and secrets from.
 */
import type * as k8s from "@pulumi/kubernetes";
import type { CephConfig } from "../../config/schema";
import { parseSemver, rookNeedsCsiDrivers } from "../../catalog/versions";
import { cephfsPoolNames, csiDriverName, DATA_POOL_NAME, subVolumeGroupName } from "../../catalog/rook-names";

type Obj = Record<string, unknown>;

/** Where the CSI objects live: the operator namespace names the drivers, the cluster namespace holds the secrets. */
export interface CsiScope {
    operatorNamespace: string;
    clusterNamespace: string;
    rookVersion: string;
}

function replicated(ceph: CephConfig): Obj {
    return { size: ceph.replicas, requireSafeReplicaSize: ceph.requireSafeReplicaSize };
}

/** The CephFilesystem `spec`: metadata and one data pool at the configured size, MDS one per node unless allowed. */
export function cephFilesystemSpec(ceph: CephConfig): Obj {
    const mdsAntiAffinity = {
        labelSelector: { matchExpressions: [{ key: "app", operator: "In", values: ["rook-ceph-mds"] }] },
        topologyKey: "kubernetes.io/hostname",
    };
    return {
        metadataPool: { failureDomain: "host", replicated: replicated(ceph) },
        dataPools: [{ name: DATA_POOL_NAME, failureDomain: "host", replicated: replicated(ceph) }],
        // Deleting the CR must not delete the data unless the stack is being wiped on purpose.
        preserveFilesystemOnDelete: !ceph.wipeDisksOnDestroy,
        metadataServer: {
            activeCount: ceph.filesystem.activeMds,
            activeStandby: ceph.filesystem.activeStandby,
            priorityClassName: "system-cluster-critical",
            resources: { requests: { cpu: "250m", memory: "1Gi" }, limits: { memory: "4Gi" } },
            placement: {
                podAntiAffinity: ceph.allowMultiplePerNode
                    ? {
                          preferredDuringSchedulingIgnoredDuringExecution: [
                              { weight: 100, podAffinityTerm: mdsAntiAffinity },
                          ],
                      }
                    : { requiredDuringSchedulingIgnoredDuringExecution: [mdsAntiAffinity] },
            },
        },
    };
}

/** The CephFilesystemSubVolumeGroup CSI uses by default (v1.20 example `<fs>-csi` with `spec.name: csi`). */
export function subVolumeGroupSpec(fsName: string, namespace: string): Obj {
    return {
        metadata: { name: subVolumeGroupName(fsName), namespace },
        spec: { name: "csi", filesystemName: fsName },
    };
}

function secretParams(kinds: [string, string][], ns: string): Record<string, string> {
    return Object.fromEntries(
        kinds.flatMap(([param, secret]) => [
            [`csi.storage.k8s.io/${param}-secret-name`, secret],
            [`csi.storage.k8s.io/${param}-secret-namespace`, ns],
        ]),
    );
}

/** The CephFS (RWX) StorageClass; provisioner, clusterID, fsName, pool and secrets as Rook creates them. */
export function cephfsStorageClassSpec(ceph: CephConfig, scope: CsiScope): k8s.storage.v1.StorageClassArgs {
    const ns = scope.clusterNamespace;
    const v120 = rookNeedsCsiDrivers(parseSemver(scope.rookVersion)!);
    const secrets: [string, string][] = [
        ["provisioner", "rook-csi-cephfs-provisioner"],
        ["controller-expand", "rook-csi-cephfs-provisioner"],
        ...(v120 ? [["controller-publish", "rook-csi-cephfs-provisioner"] as [string, string]] : []),
        ["node-stage", "rook-csi-cephfs-node"],
    ];
    return {
        metadata: { name: ceph.storageClass },
        provisioner: csiDriverName(scope.operatorNamespace, "cephfs"),
        parameters: {
            clusterID: ns,
            fsName: ceph.filesystem.name,
            pool: cephfsPoolNames(ceph.filesystem.name).data,
            ...secretParams(secrets, ns),
        },
        reclaimPolicy: "Delete",
        allowVolumeExpansion: true,
        volumeBindingMode: "Immediate",
    };
}

/** Name of the CephFS class for snapshot-backed (shallow, read-only) volumes: `<ceph.storageClass>-snapshot-ro`. */
export function cephfsShallowStorageClassName(ceph: CephConfig): string {
    return `${ceph.storageClass}-snapshot-ro`;
}

/**
 * The CephFS StorageClass for snapshot-backed volumes (ceph-csi docs/cephfs-snapshot-backed-volumes.md): a
 * ReadOnlyMany PVC of this class with a VolumeSnapshot as its dataSource mounts the snapshot itself, made in constant
 * time with no data copied, instead of a full clone into a new subvolume. `backingSnapshot: "true"` (ceph-csi reads
 * the string parameter as a boolean; shallow volumes came in ceph-csi 3.7 and are the default for ReadOnlyMany claims
 * from a snapshot since 3.10; set here so the class means the same on any version), no `pool` (a shallow volume has no subvolume of its own, so there is no data pool to place it in), no
 * expansion (it is read-only). The backup copies volumes through it (modules/backup/snapshot.sh). ceph-csi 3.6 (Rook v1.9.8) predates shallow
 * volumes and makes a full (read-only) clone from this class instead.
 */
export function cephfsShallowStorageClassSpec(ceph: CephConfig, scope: CsiScope): k8s.storage.v1.StorageClassArgs {
    const base = cephfsStorageClassSpec(ceph, scope);
    const parameters = Object.fromEntries(
        Object.entries(base.parameters as Record<string, string>).filter(([k]) => k !== "pool"),
    );
    return {
        ...base,
        metadata: { name: cephfsShallowStorageClassName(ceph) },
        parameters: { ...parameters, backingSnapshot: "true" },
        allowVolumeExpansion: false,
    };
}

/** The replicated RBD pool `spec`. */
export function blockPoolSpec(ceph: CephConfig): Obj {
    return { failureDomain: "host", replicated: replicated(ceph) };
}

/** Name of the CephBlockPool CR that sizes Ceph's own `.mgr` pool (Rook's single-node example cluster-test.yaml). */
export const MGR_POOL_CR_NAME = "builtin-mgr";

/**
 * The CephBlockPool `spec` for Ceph's built-in `.mgr` pool when pools have fewer than Ceph's default 3 replicas:
 * Ceph creates `.mgr` at size 3, which fewer hosts can never place (HEALTH_WARN forever). Undefined at 3 or more.
 */
export function mgrPoolSpec(ceph: CephConfig): Obj | undefined {
    if (ceph.replicas >= 3) return undefined;
    return { name: ".mgr", failureDomain: "host", replicated: replicated(ceph) };
}

/** The RBD (RWO) StorageClass for the pool; v1.20 adds the controller-publish secret as Rook's v1.20 example does. */
export function rbdStorageClassSpec(name: string, pool: string, scope: CsiScope): k8s.storage.v1.StorageClassArgs {
    const ns = scope.clusterNamespace;
    const v120 = rookNeedsCsiDrivers(parseSemver(scope.rookVersion)!);
    return {
        metadata: { name },
        provisioner: csiDriverName(scope.operatorNamespace, "rbd"),
        parameters: {
            clusterID: ns,
            pool,
            imageFormat: "2",
            imageFeatures: "layering",
            "csi.storage.k8s.io/fstype": "ext4",
            ...secretParams(
                [
                    ["provisioner", "rook-csi-rbd-provisioner"],
                    ["controller-expand", "rook-csi-rbd-provisioner"],
                    ...(v120 ? [["controller-publish", "rook-csi-rbd-provisioner"] as [string, string]] : []),
                    ["node-stage", "rook-csi-rbd-node"],
                ],
                ns,
            ),
        },
        reclaimPolicy: "Delete",
        allowVolumeExpansion: true,
        volumeBindingMode: "Immediate",
    };
}
