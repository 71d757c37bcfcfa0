/**
 * Helm values of the rook-ceph operator chart and the ceph-csi-drivers chart, per Rook values layout
 * (facts/rook-ceph.md §1.4, §1.5). Every image comes from the Rook image catalog mapped by the design §5 rule, so
 * the values never name an image the bundle does not carry.
 */
import { mapImage, mapRepository, parseImageRef } from "../../lib/imageref";
import { rookImageSet, type RookImageRole } from "../../catalog/rook";
import { parseSemver, rookLayout, rookNeedsCsiDrivers } from "../../catalog/versions";
import { CSI_IMAGE_SET_CONFIGMAP, csiDriverName } from "../../catalog/rook-names";

/** What the values depend on. */
export interface RookValuesInput {
    /** Rook version, e.g. `v1.20.6`; selects layout and catalog entry. */
    version: string;
    /** Private registry `host[:port][/project]`. */
    registry: string;
    /** Name of the image pull Secret in the operator namespace. */
    pullSecretName: string;
    /** Operator namespace (also the CSI driver name prefix). */
    namespace: string;
    /** Whether the RBD driver is needed (a block StorageClass is configured). */
    rbd: boolean;
}

type Values = Record<string, unknown>;

/** CSI roles and their values key under `csi.` (same key in both layouts). */
const CSI_KEYS: [RookImageRole, string][] = [
    ["cephcsi", "cephcsi"],
    ["registrar", "registrar"],
    ["provisioner", "provisioner"],
    ["snapshotter", "snapshotter"],
    ["attacher", "attacher"],
    ["resizer", "resizer"],
    ["csiAddons", "csiAddons"],
    ["volumeReplication", "volumeReplication"],
    ["nfs", "nfs"],
];

/** `{repository, tag}` of an upstream ref inside the private registry (the v1.10+ layout takes them apart). */
export function repoTag(ref: string, registry: string): { repository: string; tag: string } {
    const tag = parseImageRef(ref).tag;
    if (!tag) throw new Error(`image "${ref}" has no tag; the chart takes repository and tag separately`);
    return { repository: mapRepository(ref, registry), tag };
}

/** Values of the rook-ceph chart for the version's layout. */
export function rookOperatorValues(input: RookValuesInput): Values {
    const v = parseSemver(input.version);
    if (!v) throw new Error(`Rook version "${input.version}" is not x.y.z`);
    const images = rookImageSet(input.version);
    const pullSecrets = [{ name: input.pullSecretName }];
    const operator = repoTag(images.operator!, input.registry);
    const csi: Values = {};
    if (rookLayout(v) === "v1.9") {
        for (const [role, key] of CSI_KEYS) {
            const ref = images[role];
            if (ref) csi[key] = { image: mapImage(ref, input.registry) };
        }
        return {
            image: { ...operator, pullPolicy: "IfNotPresent" },
            // The v1.9 default renders policy/v1beta1 PodSecurityPolicy, which Kubernetes >= 1.25 rejects.
            pspEnable: false,
            imagePullSecrets: pullSecrets,
            csi,
        };
    }
    for (const [role, key] of CSI_KEYS) {
        const ref = images[role];
        if (ref) csi[key] = repoTag(ref, input.registry);
    }
    const values: Values = {
        image: { ...operator, pullPolicy: "IfNotPresent" },
        imagePullSecrets: pullSecrets,
        csi,
    };
    if (rookNeedsCsiDrivers(v)) {
        values["ceph-csi-operator"] = {
            imagePullSecrets: pullSecrets,
            controllerManager: { manager: { image: repoTag(images.csiOperator!, input.registry) } },
        };
    }
    return values;
}

/**
 * The CSI snapshot policy of the RBD and CephFS drivers. The ceph-csi-drivers 1.0.4 chart defaults
 * `drivers.rbd.snapshotPolicy` to `none` (only cephfs and nfs default to `volumeSnapshot`), and ceph-csi-operator adds the
 * `csi-snapshotter` sidecar to a driver's controller plugin only when the policy is not `none`
 * (ceph/ceph-csi-operator v1.0.4 internal/controller/driver_controller.go, reconcileControllerPluginDeployment): without
 * it an RBD VolumeSnapshot is never cut and never becomes ready. Both are set here, so neither rests on a chart default.
 */
export const CSI_SNAPSHOT_POLICY = "volumeSnapshot";

/** Values of the ceph-csi-drivers chart (Rook >= 1.20): Rook's driver names and ImageSet, our pull secret. */
export function csiDriversValues(input: RookValuesInput): Values {
    const ns = input.namespace;
    return {
        imagePullSecrets: [{ name: input.pullSecretName }],
        operatorConfig: {
            namespace: ns,
            driverSpecDefaults: {
                imageSet: { name: CSI_IMAGE_SET_CONFIGMAP },
                nodePlugin: { priorityClassName: "system-node-critical" },
                controllerPlugin: { priorityClassName: "system-cluster-critical" },
            },
        },
        drivers: {
            cephfs: { enabled: true, name: csiDriverName(ns, "cephfs"), snapshotPolicy: CSI_SNAPSHOT_POLICY },
            rbd: { enabled: input.rbd, name: csiDriverName(ns, "rbd"), snapshotPolicy: CSI_SNAPSHOT_POLICY },
            nfs: { enabled: false, name: `${ns}.nfs.csi.ceph.com` },
            nvmeof: { enabled: false, name: `${ns}.nvmeof.csi.ceph.com` },
        },
    };
}
