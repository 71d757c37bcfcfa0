/**
 * The CSI snapshot CRDs (external-snapshotter v8.6.0, served version v1), generated here rather than read from a
 * vendor file: the program runs inside the gap where no upstream copy exists, and the three schemas are small. Each
 * schema equals upstream's v1 schema without descriptions (test/backup/snapshot-crds.test.ts compares them with the
 * reference copies); upstream's unserved v1beta1 is left out.
 */
type Obj = Record<string, unknown>;

/** The API group. */
export const SNAPSHOT_GROUP = "snapshot.storage.k8s.io";

const str = { type: "string" };
const immutable = (field: string) => ({
    type: "string",
    "x-kubernetes-validations": [{ message: `${field} is immutable`, rule: "self == oldSelf" }],
});
const requiredOnceSet = (field: string) => ({
    message: `${field} is required once set`,
    rule: `!has(oldSelf.${field}) || has(self.${field})`,
});
const exactlyOne = (a: string, b: string) => ({
    message: `exactly one of ${a} and ${b} must be set`,
    rule: `(has(self.${a}) && !has(self.${b})) || (!has(self.${a}) && has(self.${b}))`,
});
const deletionPolicy = { enum: ["Delete", "Retain"], type: "string" };
const snapshotError = {
    properties: { message: str, time: { format: "date-time", type: "string" } },
    type: "object",
};
const root = (props: Obj, required: string[]): Obj => ({
    properties: { apiVersion: str, kind: str, metadata: { type: "object" }, ...props },
    required,
    type: "object",
});
const col = (name: string, jsonPath: string, type: string) => ({ jsonPath, name, type });
const age = col("Age", ".metadata.creationTimestamp", "date");

function crd(
    kind: string,
    plural: string,
    shortNames: string[],
    scope: string,
    pr: number,
    schema: Obj,
    columns: Obj[],
    status: boolean,
): Obj {
    return {
        apiVersion: "apiextensions.k8s.io/v1",
        kind: "CustomResourceDefinition",
        metadata: {
            name: `${plural}.${SNAPSHOT_GROUP}`,
            // Groups under k8s.io need the approval annotation or the API server refuses the CRD.
            annotations: {
                "api-approved.kubernetes.io": `https://github.com/kubernetes-csi/external-snapshotter/pull/${pr}`,
            },
        },
        spec: {
            group: SNAPSHOT_GROUP,
            names: { kind, listKind: `${kind}List`, plural, shortNames, singular: kind.toLowerCase() },
            scope,
            versions: [
                {
                    additionalPrinterColumns: columns,
                    name: "v1",
                    schema: { openAPIV3Schema: schema },
                    served: true,
                    storage: true,
                    subresources: status ? { status: {} } : {},
                },
            ],
        },
    };
}

function volumeSnapshotClass(): Obj {
    const schema = root({ deletionPolicy, driver: str, parameters: { additionalProperties: str, type: "object" } }, [
        "deletionPolicy",
        "driver",
    ]);
    const columns = [col("Driver", ".driver", "string"), col("DeletionPolicy", ".deletionPolicy", "string"), age];
    return crd(
        "VolumeSnapshotClass",
        "volumesnapshotclasses",
        ["vsclass", "vsclasses"],
        "Cluster",
        814,
        schema,
        columns,
        false,
    );
}

function volumeSnapshot(): Obj {
    const source = {
        properties: {
            persistentVolumeClaimName: immutable("persistentVolumeClaimName"),
            volumeSnapshotContentName: immutable("volumeSnapshotContentName"),
        },
        type: "object",
        "x-kubernetes-validations": [
            requiredOnceSet("persistentVolumeClaimName"),
            requiredOnceSet("volumeSnapshotContentName"),
            exactlyOne("volumeSnapshotContentName", "persistentVolumeClaimName"),
        ],
    };
    const spec = {
        properties: {
            source,
            volumeSnapshotClassName: {
                type: "string",
                "x-kubernetes-validations": [
                    {
                        message: "volumeSnapshotClassName must not be the empty string when set",
                        rule: "size(self) > 0",
                    },
                ],
            },
        },
        required: ["source"],
        type: "object",
    };
    const status = {
        properties: {
            boundVolumeSnapshotContentName: str,
            creationTime: { format: "date-time", type: "string" },
            error: snapshotError,
            readyToUse: { type: "boolean" },
            restoreSize: {
                type: "string",
                pattern:
                    "^(\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))))?$",
                "x-kubernetes-int-or-string": true,
            },
            volumeGroupSnapshotName: str,
        },
        type: "object",
    };
    const columns = [
        col("ReadyToUse", ".status.readyToUse", "boolean"),
        col("SourcePVC", ".spec.source.persistentVolumeClaimName", "string"),
        col("SourceSnapshotContent", ".spec.source.volumeSnapshotContentName", "string"),
        col("RestoreSize", ".status.restoreSize", "string"),
        col("SnapshotClass", ".spec.volumeSnapshotClassName", "string"),
        col("SnapshotContent", ".status.boundVolumeSnapshotContentName", "string"),
        col("CreationTime", ".status.creationTime", "date"),
        age,
    ];
    return crd(
        "VolumeSnapshot",
        "volumesnapshots",
        ["vs"],
        "Namespaced",
        814,
        root({ spec, status }, ["spec"]),
        columns,
        true,
    );
}

function volumeSnapshotContent(): Obj {
    const source = {
        properties: { snapshotHandle: immutable("snapshotHandle"), volumeHandle: immutable("volumeHandle") },
        type: "object",
        "x-kubernetes-validations": [
            requiredOnceSet("volumeHandle"),
            requiredOnceSet("snapshotHandle"),
            exactlyOne("volumeHandle", "snapshotHandle"),
        ],
    };
    const ref = {
        properties: Object.fromEntries(
            ["apiVersion", "fieldPath", "kind", "name", "namespace", "resourceVersion", "uid"].map((k) => [k, str]),
        ),
        type: "object",
        "x-kubernetes-map-type": "atomic",
        "x-kubernetes-validations": [
            {
                message: "both spec.volumeSnapshotRef.name and spec.volumeSnapshotRef.namespace must be set",
                rule: "has(self.name) && has(self.__namespace__)",
            },
        ],
    };
    const spec = {
        properties: {
            deletionPolicy,
            driver: str,
            source,
            sourceVolumeMode: immutable("sourceVolumeMode"),
            volumeSnapshotClassName: str,
            volumeSnapshotRef: ref,
        },
        required: ["deletionPolicy", "driver", "source", "volumeSnapshotRef"],
        type: "object",
        "x-kubernetes-validations": [requiredOnceSet("sourceVolumeMode")],
    };
    const status = {
        properties: {
            creationTime: { format: "int64", type: "integer" },
            error: snapshotError,
            readyToUse: { type: "boolean" },
            restoreSize: { format: "int64", minimum: 0, type: "integer" },
            snapshotHandle: str,
            volumeGroupSnapshotHandle: str,
        },
        type: "object",
    };
    const columns = [
        col("ReadyToUse", ".status.readyToUse", "boolean"),
        col("RestoreSize", ".status.restoreSize", "integer"),
        col("DeletionPolicy", ".spec.deletionPolicy", "string"),
        col("Driver", ".spec.driver", "string"),
        col("VolumeSnapshotClass", ".spec.volumeSnapshotClassName", "string"),
        col("VolumeSnapshot", ".spec.volumeSnapshotRef.name", "string"),
        col("VolumeSnapshotNamespace", ".spec.volumeSnapshotRef.namespace", "string"),
        age,
    ];
    return crd(
        "VolumeSnapshotContent",
        "volumesnapshotcontents",
        ["vsc", "vscs"],
        "Cluster",
        955,
        root({ spec, status }, ["spec"]),
        columns,
        true,
    );
}

/** The three CRDs the snapshot-controller needs, in install order. */
export function snapshotCrds(): Obj[] {
    return [volumeSnapshotClass(), volumeSnapshotContent(), volumeSnapshot()];
}
