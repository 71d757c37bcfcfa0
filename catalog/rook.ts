/**
 * Images of the Rook operator chart per Rook version (facts/rook-ceph.md §1.4): what the chart renders and what
 * the operator starts at run time for CSI. The values generator and the bundle inventory both read this catalog,
 * so the images carried across the gap and the images the chart asks for never disagree.
 * The Ceph image (and the toolbox, which runs it) comes from config, so it is not listed here.
 */

/** The role of an image in the operator chart; each role has its own values key per layout. */
export type RookImageRole =
    | "operator"
    | "csiOperator"
    | "cephcsi"
    | "registrar"
    | "provisioner"
    | "snapshotter"
    | "attacher"
    | "resizer"
    | "csiAddons"
    | "volumeReplication"
    | "nfs";

/** Upstream image refs of one Rook release, by role. */
export type RookImageSet = Partial<Record<RookImageRole, string>>;

const K8S = "registry.k8s.io/sig-storage";

const CATALOG: Record<string, RookImageSet> = {
    "v1.20.6": {
        operator: "docker.io/rook/ceph:v1.20.6",
        csiOperator: "quay.io/cephcsi/ceph-csi-operator:v1.0.4",
        cephcsi: "quay.io/cephcsi/cephcsi:v3.17.0",
        registrar: `${K8S}/csi-node-driver-registrar:v2.17.0`,
        provisioner: `${K8S}/csi-provisioner:v6.2.0`,
        snapshotter: `${K8S}/csi-snapshotter:v8.5.0`,
        attacher: `${K8S}/csi-attacher:v4.12.0`,
        resizer: `${K8S}/csi-resizer:v2.1.0`,
        csiAddons: "quay.io/csiaddons/k8s-sidecar:v0.14.0",
    },
    "v1.9.8": {
        operator: "docker.io/rook/ceph:v1.9.8",
        cephcsi: "quay.io/cephcsi/cephcsi:v3.6.2",
        registrar: `${K8S}/csi-node-driver-registrar:v2.5.1`,
        provisioner: `${K8S}/csi-provisioner:v3.1.0`,
        snapshotter: `${K8S}/csi-snapshotter:v6.0.1`,
        attacher: `${K8S}/csi-attacher:v3.4.0`,
        resizer: `${K8S}/csi-resizer:v1.4.0`,
        csiAddons: "quay.io/csiaddons/k8s-sidecar:v0.4.0",
        volumeReplication: "quay.io/csiaddons/volumereplication-operator:v0.3.0",
        nfs: `${K8S}/nfsplugin:v4.0.0`,
    },
};

/** Rook versions the catalog knows. */
export const ROOK_CATALOG_VERSIONS = Object.keys(CATALOG);

/** The images of a Rook version by role; throws naming the version when the catalog does not know it. */
export function rookImageSet(version: string): RookImageSet {
    const key = version.startsWith("v") ? version : `v${version}`;
    const set = CATALOG[key];
    if (!set) {
        throw new Error(
            `Rook ${version} is not in the image catalog (known: ${ROOK_CATALOG_VERSIONS.join(", ")}); add its images to catalog/rook.ts`,
        );
    }
    return { ...set };
}

/** Upstream refs of every image the operator chart renders or starts at run time for a Rook version. */
export function rookImages(version: string): string[] {
    return Object.values(rookImageSet(version)).filter((v): v is string => v !== undefined);
}
