/**
 * Names shared by the storage components, derived from config so that every reference (StorageClass parameters,
 * pool names, driver names, PV names) is computed in one place.
 */
import { parseSemver, rookNeedsCsiDrivers } from "../stacks/versions";

/** Name of the no-provisioner StorageClass the local PVs belong to. */
export const LOCAL_STORAGE_CLASS = "local-storage";
/** Name of the CephCluster CR (Rook's examples and secrets assume `rook-ceph`). */
export const CEPH_CLUSTER_NAME = "rook-ceph";
/** Name of the toolbox Deployment. */
export const TOOLBOX_NAME = "rook-ceph-tools";
/** Name of the RBD pool behind the block StorageClass. */
export const BLOCK_POOL_NAME = "replicapool";
/** Name of the CephFS data pool inside the filesystem spec; Rook prefixes it with `<fs>-`. */
export const DATA_POOL_NAME = "data0";
/** The ImageSet ConfigMap the rook-ceph chart (v1.20) writes and the OperatorConfig points at. */
export const CSI_IMAGE_SET_CONFIGMAP = "rook-csi-operator-image-set-configmap";

/** Role of a local PV. */
/** Annotations that make Pulumi wait until a Rook CR reports `status.phase: Ready`. */
export const WAIT_FOR_READY = { "pulumi.com/waitFor": "jsonpath={.status.phase}=Ready" };

export type DiskRole = "mon" | "osd";

/** Stable local PV name from host, role and device: `worker1-mon-nvme1n1`, `worker1-osd-disk-by-id-x`. */
export function localPvName(hostname: string, role: DiskRole, devicePath: string): string {
    const device = devicePath
        .replace(/^\/dev\//, "")
        .toLowerCase()
        .replace(/[^a-z0-9]+/g, "-")
        .replace(/^-+|-+$/g, "");
    const host = hostname.toLowerCase().replace(/[^a-z0-9.-]+/g, "-");
    return `${host}-${role}-${device}`;
}

/** CSI driver (provisioner) name of a kind, as Rook registers it: `<operator-ns>.<kind>.csi.ceph.com`. */
export function csiDriverName(operatorNamespace: string, kind: "cephfs" | "rbd"): string {
    return `${operatorNamespace}.${kind}.csi.ceph.com`;
}

/** Real pool names Rook creates for a filesystem (facts §2.2; same rule in v1.9.8 and v1.20.6 without preservePoolNames). */
export function cephfsPoolNames(fsName: string): { metadata: string; data: string } {
    return { metadata: `${fsName}-metadata`, data: `${fsName}-${DATA_POOL_NAME}` };
}

/** True when the Rook version creates the CSI subvolume group as a CR we own (v1.20 example); v1.9 has no such CR. */
export function usesSubVolumeGroupCr(rookVersion: string): boolean {
    return rookNeedsCsiDrivers(parseSemver(rookVersion)!);
}

/** Name of the CSI subvolume group CR of a filesystem. */
export function subVolumeGroupName(fsName: string): string {
    return `${fsName}-csi`;
}
