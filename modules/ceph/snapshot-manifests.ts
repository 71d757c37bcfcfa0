/**
 * Pure specs of the snapshot machinery: the snapshot-controller's RBAC and Deployment (after upstream's
 * deploy/kubernetes/snapshot-controller), and a VolumeSnapshotClass per Rook CSI driver (Rook's
 * deploy/examples/csi/{cephfs,rbd}/snapshotclass.yaml).
 */
import type * as k8s from "@pulumi/kubernetes";
import { csiDriverName } from "../../catalog/rook-names";
import type { CsiScope } from "./fs-manifests";
import { SNAPSHOT_GROUP } from "./snapshot-crds";

type Obj = Record<string, unknown>;
/** An RBAC rule. */
export interface Rule {
    apiGroups: string[];
    resources: string[];
    verbs: string[];
}

/** Name of the controller's ServiceAccount, Deployment and RBAC objects. */
export const SNAPSHOT_CONTROLLER_NAME = "snapshot-controller";

/** The VolumeSnapshotClass name of a Rook CSI driver kind, as in Rook's examples. */
export function snapshotClassName(kind: "cephfs" | "rbd"): string {
    return `csi-${kind}plugin-snapclass`;
}

/** A VolumeSnapshotClass for the CephFS or RBD driver; the snapshotter secret is the driver's provisioner secret. */
export function snapshotClassSpec(kind: "cephfs" | "rbd", scope: CsiScope): Obj & { apiVersion: string; kind: string } {
    const ns = scope.clusterNamespace;
    return {
        apiVersion: `${SNAPSHOT_GROUP}/v1`,
        kind: "VolumeSnapshotClass",
        metadata: { name: snapshotClassName(kind) },
        driver: csiDriverName(scope.operatorNamespace, kind),
        parameters: {
            clusterID: ns,
            "csi.storage.k8s.io/snapshotter-secret-name": `rook-csi-${kind}-provisioner`,
            "csi.storage.k8s.io/snapshotter-secret-namespace": ns,
        },
        // Delete: a VolumeSnapshot's data goes when the backup's retention removes it; backups copy it out first.
        deletionPolicy: "Delete",
    };
}

/** The ClusterRole rules the controller needs (upstream v8.6.0 rbac-snapshot-controller.yaml, without group snapshots, which stay off by default). */
export function snapshotControllerRules(): Rule[] {
    const r = (apiGroups: string[], resources: string[], verbs: string[]): Rule => ({ apiGroups, resources, verbs });
    return [
        r([""], ["persistentvolumes"], ["get", "list", "watch"]),
        r([""], ["persistentvolumeclaims"], ["get", "list", "watch", "update"]),
        r([""], ["events"], ["list", "watch", "create", "update", "patch"]),
        r([SNAPSHOT_GROUP], ["volumesnapshotclasses"], ["get", "list", "watch"]),
        r(
            [SNAPSHOT_GROUP],
            ["volumesnapshotcontents"],
            ["create", "get", "list", "watch", "update", "delete", "patch"],
        ),
        r([SNAPSHOT_GROUP], ["volumesnapshotcontents/status"], ["patch"]),
        r([SNAPSHOT_GROUP], ["volumesnapshots"], ["create", "get", "list", "watch", "update", "patch", "delete"]),
        r([SNAPSHOT_GROUP], ["volumesnapshots/status"], ["update", "patch"]),
    ];
}

/** The leader-election Role rules (the controller runs two replicas). */
export function leaderElectionRules(): Rule[] {
    return [
        {
            apiGroups: ["coordination.k8s.io"],
            resources: ["leases"],
            verbs: ["get", "watch", "list", "delete", "update", "create"],
        },
    ];
}

/** The controller Deployment spec: two replicas with leader election, image from the private registry. */
export function snapshotControllerDeploymentSpec(
    image: string,
    pullSecretName: string,
): k8s.types.input.apps.v1.DeploymentSpec {
    const labels = { "app.kubernetes.io/name": SNAPSHOT_CONTROLLER_NAME };
    return {
        replicas: 2,
        minReadySeconds: 35,
        selector: { matchLabels: labels },
        strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } },
        template: {
            metadata: { labels },
            spec: {
                serviceAccountName: SNAPSHOT_CONTROLLER_NAME,
                imagePullSecrets: [{ name: pullSecretName }],
                priorityClassName: "system-cluster-critical",
                containers: [
                    {
                        name: SNAPSHOT_CONTROLLER_NAME,
                        image,
                        args: ["--v=5", "--leader-election=true"],
                        imagePullPolicy: "IfNotPresent",
                        resources: { requests: { cpu: "10m", memory: "32Mi" }, limits: { memory: "256Mi" } },
                    },
                ],
            },
        },
    };
}
