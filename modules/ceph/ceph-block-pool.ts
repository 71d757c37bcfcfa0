import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { snapshotClassSpec } from "./snapshot-manifests";
import type { CephConfig } from "../../config/schema";
import { blockPoolSpec, rbdStorageClassSpec, type CsiScope } from "./fs-manifests";
import { BLOCK_POOL_NAME, readyAnnotations } from "../../catalog/rook-names";

/** Arguments of {@link CephBlockPool}. */
export interface CephBlockPoolArgs {
    /** The validated `ceph` config section (replicas, safe-size flag). */
    ceph: CephConfig;
    /** Name of the RBD StorageClass (`ceph.blockStorageClass`). */
    storageClassName: string;
    /** Operator/cluster namespaces and Rook version. */
    scope: CsiScope;
    /** The CephCluster CR the pool lives in. */
    cluster: pulumi.Resource;
    /** The releases that install the Rook CRDs and CSI. */
    operatorReleases: pulumi.Resource[];
    /** Create the RBD VolumeSnapshotClass after these (the snapshot CRDs); no class when undefined. @default undefined */
    snapshotClassAfter?: pulumi.Resource[];
    /** Protect the pool from deletion. @default true */
    protect?: boolean;
}

/** A replicated RBD pool (awaited until Ready), its RWO StorageClass, for databases, and its VolumeSnapshotClass when enabled. */
export class CephBlockPool extends pulumi.ComponentResource {
    /** Name of the RBD StorageClass. */
    public readonly storageClassName: pulumi.Output<string>;
    /** The StorageClass resource, for `dependsOn` of workloads. */
    public readonly storageClass: k8s.storage.v1.StorageClass;
    /** The RBD VolumeSnapshotClass, when enabled. */
    public readonly snapshotClass?: k8s.apiextensions.CustomResource;

    constructor(name: string, args: CephBlockPoolArgs, opts?: pulumi.ComponentResourceOptions) {
        super("aihub-airgap:storage:CephBlockPool", name, {}, opts);
        const pool = new k8s.apiextensions.CustomResource(
            `${name}-cr`,
            {
                apiVersion: "ceph.rook.io/v1",
                kind: "CephBlockPool",
                metadata: {
                    name: BLOCK_POOL_NAME,
                    namespace: args.scope.clusterNamespace,
                    annotations: readyAnnotations(args.ceph),
                },
                spec: blockPoolSpec(args.ceph),
            },
            {
                parent: this,
                protect: args.protect ?? true,
                dependsOn: [...args.operatorReleases, args.cluster],
                customTimeouts: { create: "20m", update: "20m" },
            },
        );
        this.storageClass = new k8s.storage.v1.StorageClass(
            `${name}-sc`,
            rbdStorageClassSpec(args.storageClassName, BLOCK_POOL_NAME, args.scope),
            { parent: this, dependsOn: [pool] },
        );
        if (args.snapshotClassAfter) {
            this.snapshotClass = new k8s.apiextensions.CustomResource(
                `${name}-snapclass`,
                snapshotClassSpec("rbd", args.scope),
                { parent: this, dependsOn: [this.storageClass, ...args.snapshotClassAfter] },
            );
        }
        this.storageClassName = this.storageClass.metadata.name;
        this.registerOutputs({ storageClassName: this.storageClassName });
    }
}
