import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { CephConfig } from "../stacks/schema";
import { cephClusterSpec, localPvs, localStorageClassSpec, toolboxSpec } from "../storage/cluster-manifests";
import { CEPH_CLUSTER_NAME, TOOLBOX_NAME, readyAnnotations } from "../storage/names";

/** Arguments of {@link CephCluster}. */
export interface CephClusterArgs {
    /** The validated `ceph` config section (disks, mons, image, dashboard, wipe flag). */
    ceph: CephConfig;
    /** Rook version, e.g. `v1.20.6` (selects the toolbox service account). */
    rookVersion: string;
    /** Namespace of the cluster (the operator's namespace, created by the operator component). */
    namespace: string;
    /** Private registry the Ceph image is mapped into. */
    registry: string;
    /** Name of the pull Secret in the namespace. */
    pullSecretName: string;
    /** The releases that install the Rook CRDs and CSI; the CR depends on them so destroy deletes it first. */
    operatorReleases: pulumi.Resource[];
    /** What the CephCluster CR must wait for besides the operator: the disk preflight Jobs. @default [] */
    after?: pulumi.Resource[];
    /** Protect the local PVs and the CephCluster from deletion. @default true */
    protect?: boolean;
    /** Readiness timeout of the CephCluster. @default "45m" */
    readyTimeout?: string;
}

/**
 * The Ceph cluster on local PVs: the no-provisioner StorageClass, one PV per declared disk, the CephCluster CR
 * (awaited until `status.phase` is Ready) and the toolbox.
 *
 * Teardown with wiped disks is two steps, because Rook's `cleanupPolicy` confirmation stops orchestration as soon as
 * it is set: (1) `pulumi config set --path ceph.wipeDisksOnDestroy true` (and `protectData false`), `pulumi up`
 * arms the cleanup policy and lifts protection; (2) `pulumi destroy` deletes the CR and Rook's cleanup jobs wipe
 * `dataDirHostPath` and the OSD disks. Mon PV disks are not wiped by Rook (rook/rook#15797): wipe them by hand.
 */
export class CephCluster extends pulumi.ComponentResource {
    /** Name of the CephCluster CR. */
    public readonly clusterName: pulumi.Output<string>;
    /** The CephCluster CR, for `dependsOn`. */
    public readonly cluster: k8s.apiextensions.CustomResource;
    /** Names of the local PVs, in config order. */
    public readonly pvNames: pulumi.Output<string[]>;

    constructor(name: string, args: CephClusterArgs, opts?: pulumi.ComponentResourceOptions) {
        super("aihub-airgap:storage:CephCluster", name, {}, opts);
        const protect = args.protect ?? true;
        const sc = new k8s.storage.v1.StorageClass(`${name}-local`, localStorageClassSpec(), { parent: this });
        const pvs = localPvs(args.ceph).map(
            (pv) => new k8s.core.v1.PersistentVolume(pv.name, pv.spec, { parent: this, protect, dependsOn: [sc] }),
        );
        const timeout = args.readyTimeout ?? "45m";
        this.cluster = new k8s.apiextensions.CustomResource(
            `${name}-cr`,
            {
                apiVersion: "ceph.rook.io/v1",
                kind: "CephCluster",
                metadata: {
                    name: CEPH_CLUSTER_NAME,
                    namespace: args.namespace,
                    annotations: readyAnnotations(args.ceph),
                },
                spec: cephClusterSpec({ ceph: args.ceph, registry: args.registry }),
            },
            {
                parent: this,
                protect,
                dependsOn: [...args.operatorReleases, ...pvs, ...(args.after ?? [])],
                customTimeouts: { create: timeout, update: timeout, delete: "30m" },
            },
        );
        this.clusterName = pulumi.output(CEPH_CLUSTER_NAME);
        new k8s.apps.v1.Deployment(
            `${name}-${TOOLBOX_NAME}`,
            toolboxSpec({
                namespace: args.namespace,
                cephImage: args.ceph.image,
                registry: args.registry,
                pullSecretName: args.pullSecretName,
                rookVersion: args.rookVersion,
            }),
            // Its mon Secret and endpoints ConfigMap exist only once the cluster is up.
            { parent: this, dependsOn: [this.cluster] },
        );
        this.pvNames = pulumi.output(pvs.map((p) => p.metadata.name));
        this.registerOutputs({ clusterName: this.clusterName, pvNames: this.pvNames });
    }
}
