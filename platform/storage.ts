/**
 * The storage half of the platform (design §3): Rook operator (→ CSI drivers) → CephCluster → CephFilesystem →
 * StorageClasses, plus the optional RBD pool. Returns what the application half and the stack outputs need.
 */
import * as pulumi from "@pulumi/pulumi";
import { CephBlockPool } from "../modules/ceph/ceph-block-pool";
import { CephCluster } from "../modules/ceph/ceph-cluster";
import { CephFilesystem } from "../modules/ceph/ceph-filesystem";
import { cephfsShallowStorageClassName } from "../modules/ceph/fs-manifests";
import { DiskPreflight } from "../modules/ceph/disk-preflight";
import { RookOperator } from "../modules/ceph/rook-operator";
import { SnapshotController } from "../modules/ceph/snapshot-controller";
import { SNAPSHOT_CONTROLLER_IMAGE } from "../catalog/backup";
import { snapshotClassName } from "../modules/ceph/snapshot-manifests";
import { mapImage } from "../lib/imageref";
import { storageCommands } from "../modules/ceph/commands";
import type { PlatformConfig, Storage } from "./contracts";

/**
 * Builds the storage half; `mirror` (the image push) must finish before anything pulls; `kube` are the component
 * options that carry the explicit Kubernetes provider.
 */
export function buildStorage(
    cfg: PlatformConfig,
    deps: { mirror?: pulumi.Resource; kube: pulumi.ComponentResourceOptions },
): Storage {
    const kube = deps.kube;
    const ns = cfg.rook.namespace;
    const operator = new RookOperator(
        "rook",
        {
            version: cfg.rook.version,
            chart: cfg.rook.chart,
            csiDriversChart: cfg.rook.csiDriversChart,
            namespace: ns,
            registry: cfg.registry.server,
            username: cfg.registry.username,
            password: cfg.registry.password,
            pullSecretName: cfg.registry.pullSecretName,
            rbd: cfg.ceph.blockStorageClass !== undefined,
            after: deps.mirror ? [deps.mirror] : [],
        },
        kube,
    );
    const preflight = new DiskPreflight(
        "disks",
        {
            ceph: cfg.ceph,
            namespace: operator.namespace,
            registry: cfg.registry.server,
            pullSecretName: operator.pullSecretName,
            after: deps.mirror ? [deps.mirror] : [],
        },
        kube,
    );
    const cluster = new CephCluster(
        "ceph",
        {
            ceph: cfg.ceph,
            rookVersion: cfg.rook.version,
            namespace: ns,
            registry: cfg.registry.server,
            pullSecretName: cfg.registry.pullSecretName,
            operatorReleases: operator.releases,
            prerequisites: operator.clusterPrerequisites,
            after: preflight.jobs,
            kubernetes: cfg.kubernetes,
            protect: cfg.protectData,
        },
        kube,
    );
    const scope = { operatorNamespace: ns, clusterNamespace: ns, rookVersion: cfg.rook.version };
    // Backups need a snapshot class per storage class; `ceph.snapshotClass` asks for them without backups.
    const snapshots = cfg.ceph.snapshotClass || cfg.backup !== undefined;
    const snapshotController =
        snapshots && cfg.ceph.snapshotController
            ? new SnapshotController(
                  "snapshot-controller",
                  {
                      namespace: ns,
                      image: mapImage(SNAPSHOT_CONTROLLER_IMAGE, cfg.registry.server),
                      pullSecretName: cfg.registry.pullSecretName,
                      after: [operator],
                  },
                  kube,
              )
            : undefined;
    const snapshotClassAfter = snapshots ? (snapshotController?.crds ?? []) : undefined;
    // What the filesystem and the block pool share: both are pools of this cluster with their StorageClass.
    const pool = {
        ceph: cfg.ceph,
        scope,
        cluster: cluster.cluster,
        operatorReleases: operator.releases,
        protect: cfg.protectData,
        snapshotClassAfter,
    };
    const filesystem = new CephFilesystem("cephfs", pool, kube);
    const blockPool = cfg.ceph.blockStorageClass
        ? new CephBlockPool("rbd", { ...pool, storageClassName: cfg.ceph.blockStorageClass }, kube)
        : undefined;
    const rwoStorageClass = blockPool ? blockPool.storageClassName : filesystem.storageClassName;
    const commands = storageCommands(ns, cfg.ceph.dashboard);
    return {
        operator,
        preflight,
        cluster,
        filesystem,
        blockPool,
        snapshotController,
        snapshotClassResources: [
            filesystem.snapshotClass,
            filesystem.shallowStorageClass,
            blockPool?.snapshotClass,
        ].filter((r): r is NonNullable<typeof r> => r !== undefined),
        snapshotClasses: snapshots
            ? {
                  [cfg.ceph.storageClass]: snapshotClassName("cephfs"),
                  ...(cfg.ceph.blockStorageClass ? { [cfg.ceph.blockStorageClass]: snapshotClassName("rbd") } : {}),
              }
            : {},
        shallowClasses: snapshots ? { [cfg.ceph.storageClass]: cephfsShallowStorageClassName(cfg.ceph) } : {},
        rwxStorageClass: filesystem.storageClassName,
        rwoStorageClass,
        // The shallow class too: the backup's copy claims in the AI Hub namespace use it, so it goes after them.
        storageClasses: [
            filesystem.storageClass,
            ...(filesystem.shallowStorageClass ? [filesystem.shallowStorageClass] : []),
            ...(blockPool ? [blockPool.storageClass] : []),
        ],
        outputs: {
            rwxStorageClass: filesystem.storageClassName,
            rwoStorageClass,
            cephStatusCommand: commands.cephStatus,
            ...(commands.dashboard
                ? {
                      dashboardPasswordCommand: commands.dashboard.password,
                      dashboardPortForwardCommand: commands.dashboard.portForward,
                  }
                : {}),
        },
    };
}
