import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { snapshotCrds } from "./snapshot-crds";
import {
    leaderElectionRules,
    snapshotControllerDeploymentSpec,
    snapshotControllerRules,
    SNAPSHOT_CONTROLLER_NAME,
} from "./snapshot-manifests";

/** Arguments of {@link SnapshotController}. */
export interface SnapshotControllerArgs {
    /** Namespace the controller runs in (the Rook operator namespace, which has the pull Secret). */
    namespace: pulumi.Input<string>;
    /** The controller image in the private registry. */
    image: string;
    /** Name of the image pull Secret in `namespace`. */
    pullSecretName: string;
    /** Resources that must exist first (the namespace and its pull Secret). */
    after: pulumi.Resource[];
}

/**
 * The CSI snapshot machinery Rook does not install: the three snapshot CRDs (generated, external-snapshotter
 * v8.6.0) and the snapshot-controller with its RBAC. VolumeSnapshotClasses depend on `crds`.
 */
export class SnapshotController extends pulumi.ComponentResource {
    /** The CRDs, for `dependsOn` of VolumeSnapshotClasses and VolumeSnapshots. */
    public readonly crds: k8s.apiextensions.v1.CustomResourceDefinition[];
    /** The controller Deployment. */
    public readonly deployment: k8s.apps.v1.Deployment;

    constructor(name: string, args: SnapshotControllerArgs, opts?: pulumi.ComponentResourceOptions) {
        super("aihub-airgap:backup:SnapshotController", name, {}, opts);
        const child = { parent: this };
        this.crds = snapshotCrds().map(
            (crd) =>
                new k8s.apiextensions.v1.CustomResourceDefinition(
                    `${name}-${(crd.metadata as { name: string }).name.split(".")[0]}`,
                    crd as unknown as k8s.apiextensions.v1.CustomResourceDefinitionArgs,
                    child,
                ),
        );
        const meta = { name: SNAPSHOT_CONTROLLER_NAME, namespace: args.namespace };
        const sa = new k8s.core.v1.ServiceAccount(
            `${name}-sa`,
            { metadata: meta },
            { ...child, dependsOn: args.after },
        );
        const subjects = [{ kind: "ServiceAccount", name: SNAPSHOT_CONTROLLER_NAME, namespace: args.namespace }];
        const role = new k8s.rbac.v1.ClusterRole(
            `${name}-runner`,
            { metadata: { name: `${SNAPSHOT_CONTROLLER_NAME}-runner` }, rules: snapshotControllerRules() },
            child,
        );
        const binding = new k8s.rbac.v1.ClusterRoleBinding(
            `${name}-runner`,
            {
                metadata: { name: `${SNAPSHOT_CONTROLLER_NAME}-role` },
                subjects,
                roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: role.metadata.name },
            },
            child,
        );
        const leRole = new k8s.rbac.v1.Role(
            `${name}-leader-election`,
            { metadata: { ...meta, name: `${SNAPSHOT_CONTROLLER_NAME}-leaderelection` }, rules: leaderElectionRules() },
            { ...child, dependsOn: args.after },
        );
        const leBinding = new k8s.rbac.v1.RoleBinding(
            `${name}-leader-election`,
            {
                metadata: { ...meta, name: `${SNAPSHOT_CONTROLLER_NAME}-leaderelection` },
                subjects,
                roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: leRole.metadata.name },
            },
            child,
        );
        this.deployment = new k8s.apps.v1.Deployment(
            `${name}-deployment`,
            {
                metadata: meta,
                spec: snapshotControllerDeploymentSpec(args.image, args.pullSecretName),
            },
            { ...child, dependsOn: [...this.crds, sa, binding, leBinding, ...args.after] },
        );
        this.registerOutputs({ deployment: this.deployment.metadata.name });
    }
}
