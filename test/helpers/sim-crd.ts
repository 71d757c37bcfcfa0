/** A minimal CephCluster CRD (status subresource, fields left open) for tests that talk to the sim without Rook. */
export const CEPH_CLUSTER_CRD = {
    metadata: { name: "cephclusters.ceph.rook.io" },
    spec: {
        group: "ceph.rook.io",
        scope: "Namespaced",
        names: { plural: "cephclusters", singular: "cephcluster", kind: "CephCluster", listKind: "CephClusterList" },
        versions: [
            {
                name: "v1",
                served: true,
                storage: true,
                subresources: { status: {} },
                schema: {
                    openAPIV3Schema: {
                        type: "object",
                        properties: {
                            spec: { type: "object", "x-kubernetes-preserve-unknown-fields": true },
                            status: { type: "object", "x-kubernetes-preserve-unknown-fields": true },
                        },
                    },
                },
            },
        ],
    },
};
