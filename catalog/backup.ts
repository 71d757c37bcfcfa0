/**
 * Images of the backup machinery (not in Rook's or AI Hub's charts): the CSI snapshot-controller, whose CRDs
 * `modules/ceph/snapshot-crds.ts` generates at the same version, and the tool image the backup and restore Jobs use
 * for kubectl and the S3 copy (bash, kubectl, aws CLI). The database dumps run in the chart's own postgres image.
 */
/** The version of external-snapshotter whose CRDs `modules/ceph/snapshot-crds.ts` generates and whose controller runs. */
export const SNAPSHOTTER_VERSION = "v8.6.0";

/** The external snapshot-controller (kubernetes-csi/external-snapshotter). */
export const SNAPSHOT_CONTROLLER_IMAGE = `registry.k8s.io/sig-storage/snapshot-controller:${SNAPSHOTTER_VERSION}`;
/** bash + kubectl + aws CLI, tagged by its kubectl version (alpine/k8s). */
export const BACKUP_TOOLS_IMAGE = "docker.io/alpine/k8s:1.34.3";

/** Upstream images the backup needs: the controller only when this stack installs it. */
export function backupImages(opts: { snapshotController: boolean; backup: boolean }): string[] {
    return [
        ...(opts.snapshotController ? [SNAPSHOT_CONTROLLER_IMAGE] : []),
        ...(opts.backup ? [BACKUP_TOOLS_IMAGE] : []),
    ];
}
