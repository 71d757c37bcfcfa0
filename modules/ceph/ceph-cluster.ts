import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { CephConfig, KubernetesConfig } from "../../config/schema";
import { cleanupNodes } from "./cleanup";
import { cephClusterSpec, localPvs, localStorageClassSpec, toolboxSpec } from "./cluster-manifests";
import { MGR_POOL_CR_NAME, mgrPoolSpec } from "./fs-manifests";
import { CEPH_CLUSTER_NAME, TOOLBOX_NAME, readyAnnotations } from "../../catalog/rook-names";
import { CleanupWait } from "./cleanup-wait";

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
    /**
     * What the cluster needs and Rook's cleanup Jobs still use after it is gone: the pull Secret and (Rook v1.9) the
     * `default` ServiceAccount patch (`RookOperator.clusterPrerequisites`). @default []
     */
    prerequisites?: pulumi.Resource[];
    /** The explicit provider's target, for the wait on Rook's cleanup Jobs. @default {} */
    kubernetes?: KubernetesConfig;
    /** How long a destroy waits for Rook's cleanup Jobs when the wipe is armed, in seconds. @default 1800 */
    cleanupTimeoutSeconds?: number;
    /** What the CephCluster CR must wait for besides the operator: the disk preflight Jobs. @default [] */
    after?: pulumi.Resource[];
    /** Protect the local PVs and the CephCluster from deletion. @default true */
    protect?: boolean;
    /** Readiness timeout of the CephCluster. @default "45m" */
    readyTimeout?: string;
}

/**
 * The Ceph cluster on local PVs: the no-provisioner StorageClass, one PV per declared disk, the CephCluster CR
 * (awaited until `status.phase` is Ready), with fewer than 3 replicas a `builtin-mgr` CephBlockPool that sizes Ceph's
 * `.mgr` pool like the others, and the toolbox (which follows mon address changes).
 *
 * Teardown with wiped disks is two steps, because Rook's `cleanupPolicy` confirmation stops orchestration as soon as
 * it is set: (1) `pulumi config set --path ceph.wipeDisksOnDestroy true` (and `protectData false`), `pulumi up`
 * arms the cleanup policy and lifts protection; (2) `pulumi destroy` deletes the CR and Rook's cleanup jobs wipe
 * `dataDirHostPath` and the OSD disks, and the destroy waits for them (CleanupWait) before the operator, its
 * service accounts and the pull secret go. Mon PV disks are not wiped by Rook (rook/rook#15797): wipe them by hand.
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
        const operator = [...args.operatorReleases, ...(args.prerequisites ?? [])];
        const cleanup = new CleanupWait(
            `${name}-cleanup-wait`,
            {
                namespace: args.namespace,
                armed: args.ceph.wipeDisksOnDestroy,
                nodes: cleanupNodes(args.ceph),
                dataDirHostPath: args.ceph.dataDirHostPath,
                timeoutSeconds: args.cleanupTimeoutSeconds ?? 1800,
                kubeconfig: args.kubernetes?.kubeconfig,
                context: args.kubernetes?.context,
            },
            { parent: this, dependsOn: operator },
        );
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
                spec: cephClusterSpec({ ceph: args.ceph, registry: args.registry, rookVersion: args.rookVersion }),
            },
            {
                parent: this,
                protect,
                // After the wait, so a destroy deletes the CR first and then waits for the wipe before the operator goes.
                dependsOn: [cleanup, ...operator, ...pvs, ...(args.after ?? [])],
                customTimeouts: { create: timeout, update: timeout, delete: "30m" },
            },
        );
        const mgrPool = mgrPoolSpec(args.ceph);
        if (mgrPool) {
            new k8s.apiextensions.CustomResource(
                `${name}-mgr-pool`,
                {
                    apiVersion: "ceph.rook.io/v1",
                    kind: "CephBlockPool",
                    metadata: {
                        name: MGR_POOL_CR_NAME,
                        namespace: args.namespace,
                        annotations: readyAnnotations(args.ceph),
                    },
                    spec: mgrPool,
                },
                {
                    parent: this,
                    protect,
                    dependsOn: [...args.operatorReleases, this.cluster],
                    customTimeouts: { create: "20m", update: "20m" },
                },
            );
        }
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
