import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { CephConfig } from "../../config/schema";
import { snapshotClassSpec } from "./snapshot-manifests";
import {
    cephfsShallowStorageClassSpec,
    cephfsStorageClassSpec,
    cephFilesystemSpec,
    subVolumeGroupSpec,
    type CsiScope,
} from "./fs-manifests";
import { usesSubVolumeGroupCr, readyAnnotations } from "../../catalog/rook-names";

/** Arguments of {@link CephFilesystem}. */
export interface CephFilesystemArgs {
    /** The validated `ceph` config section (filesystem name, MDS, replicas, class names). */
    ceph: CephConfig;
    /** Operator/cluster namespaces and Rook version, which fix driver names, secrets and pool names. */
    scope: CsiScope;
    /** The CephCluster CR the filesystem lives in. */
    cluster: pulumi.Resource;
    /** The releases that install the Rook CRDs and CSI. */
    operatorReleases: pulumi.Resource[];
    /** Protect the CephFilesystem from deletion. @default true */
    protect?: boolean;
    /** Create the CephFS VolumeSnapshotClass after these (the snapshot CRDs); no class when undefined. @default undefined */
    snapshotClassAfter?: pulumi.Resource[];
    /** Readiness timeout of the CephFilesystem. @default "20m" */
    readyTimeout?: string;
}

/**
 * CephFS: the CephFilesystem CR (awaited until Ready), the CSI subvolume group where Rook expects one, the RWX
 * StorageClass, and when snapshots are enabled the VolumeSnapshotClass and the StorageClass of shallow read-only
 * volumes from snapshots.
 */
export class CephFilesystem extends pulumi.ComponentResource {
    /** Name of the CephFS StorageClass. */
    public readonly storageClassName: pulumi.Output<string>;
    /** The StorageClass resource, for `dependsOn` of workloads. */
    public readonly storageClass: k8s.storage.v1.StorageClass;
    /** The CephFS VolumeSnapshotClass, when enabled. */
    public readonly snapshotClass?: k8s.apiextensions.CustomResource;
    /** The StorageClass of shallow read-only volumes from snapshots (what the backup copies through), when enabled. */
    public readonly shallowStorageClass?: k8s.storage.v1.StorageClass;
    /** The CephFilesystem CR. */
    public readonly filesystem: k8s.apiextensions.CustomResource;

    constructor(name: string, args: CephFilesystemArgs, opts?: pulumi.ComponentResourceOptions) {
        super("aihub-airgap:storage:CephFilesystem", name, {}, opts);
        const ns = args.scope.clusterNamespace;
        const fsName = args.ceph.filesystem.name;
        const timeout = args.readyTimeout ?? "20m";
        this.filesystem = new k8s.apiextensions.CustomResource(
            `${name}-cr`,
            {
                apiVersion: "ceph.rook.io/v1",
                kind: "CephFilesystem",
                metadata: {
                    name: fsName,
                    namespace: ns,
                    annotations: readyAnnotations(args.ceph),
                },
                spec: cephFilesystemSpec(args.ceph),
            },
            {
                parent: this,
                protect: args.protect ?? true,
                dependsOn: [...args.operatorReleases, args.cluster],
                customTimeouts: { create: timeout, update: timeout },
            },
        );
        const ready: pulumi.Resource[] = [this.filesystem];
        if (usesSubVolumeGroupCr(args.scope.rookVersion)) {
            const svg = subVolumeGroupSpec(fsName, ns);
            ready.push(
                new k8s.apiextensions.CustomResource(
                    `${name}-csi-group`,
                    {
                        apiVersion: "ceph.rook.io/v1",
                        kind: "CephFilesystemSubVolumeGroup",
                        metadata: {
                            ...(svg.metadata as object),
                            annotations: readyAnnotations(args.ceph),
                        },
                        spec: svg.spec,
                    },
                    { parent: this, dependsOn: [...args.operatorReleases, this.filesystem] },
                ),
            );
        }
        this.storageClass = new k8s.storage.v1.StorageClass(
            `${name}-sc`,
            cephfsStorageClassSpec(args.ceph, args.scope),
            { parent: this, dependsOn: ready },
        );
        if (args.snapshotClassAfter) {
            this.snapshotClass = new k8s.apiextensions.CustomResource(
                `${name}-snapclass`,
                snapshotClassSpec("cephfs", args.scope),
                { parent: this, dependsOn: [this.storageClass, ...args.snapshotClassAfter] },
            );
            this.shallowStorageClass = new k8s.storage.v1.StorageClass(
                `${name}-snapshot-ro-sc`,
                cephfsShallowStorageClassSpec(args.ceph, args.scope),
                { parent: this, dependsOn: ready },
            );
        }
        this.storageClassName = this.storageClass.metadata.name;
        this.registerOutputs({ storageClassName: this.storageClassName });
    }
}
