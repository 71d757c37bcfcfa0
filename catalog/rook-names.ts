/**
 * Names shared by the storage components, derived from config so that every reference (StorageClass parameters,
 * pool names, driver names, PV names) is computed in one place.
 */
import { parseSemver, rookNeedsCsiDrivers } from "./versions";

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

/**
 * The await annotations of a Rook CR: wait until `status.phase` is Ready, except while the teardown is armed
 * (`ceph.wipeDisksOnDestroy`). Rook stops reconciling the cluster's CRs once `cleanupPolicy` is confirmed, so
 * `status.observedGeneration` never catches up and a `waitFor` would run out its whole timeout (found on the
 * simulated cluster, whose Rook stand-in behaves the same).
 */
export function readyAnnotations(ceph: { wipeDisksOnDestroy: boolean }): Record<string, string> {
    return ceph.wipeDisksOnDestroy
        ? { "pulumi.com/skipAwait": "true" }
        : { "pulumi.com/waitFor": "jsonpath={.status.phase}=Ready" };
}

/** Role of a local PV (`ais`: an AIStore mountpath, addons/aistore). */
export type DiskRole = "mon" | "osd" | "ais";

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
