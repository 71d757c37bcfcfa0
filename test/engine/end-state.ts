/**
 * What a run leaves, in a form two runs can be compared by: the cluster's objects of every kind the stack and its
 * charts create (kind, namespace, name, and for workloads their images and replicas), the Helm releases (latest
 * status, and any record not deployed or superseded), and the Pulumi state (every URN, pending operations, locks).
 * Names made up at run time (pods, replica sets, dynamically provisioned volumes) and values generated anew by each
 * run (passwords) are left out; everything else must be equal between a clean run and a recovered one.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import {
    pendingOperations,
    readCheckpoint,
    readLocks,
    stateFile,
    type PendingOperation,
} from "../../lib/interrupted-run";
import type { KubeObject } from "../../lib/kube-api";
import type { EngineScenario } from "./scenario";

/** Kinds whose objects have stable names. */
const KINDS: [string, string][] = [
    ["v1", "Namespace"],
    ["v1", "ServiceAccount"],
    ["v1", "Secret"],
    ["v1", "ConfigMap"],
    ["v1", "Service"],
    ["v1", "PersistentVolumeClaim"],
    ["v1", "PersistentVolume"],
    ["apps/v1", "Deployment"],
    ["apps/v1", "StatefulSet"],
    ["apps/v1", "DaemonSet"],
    ["batch/v1", "CronJob"],
    ["policy/v1", "PodDisruptionBudget"],
    ["storage.k8s.io/v1", "StorageClass"],
    ["networking.k8s.io/v1", "Ingress"],
    ["rbac.authorization.k8s.io/v1", "Role"],
    ["rbac.authorization.k8s.io/v1", "RoleBinding"],
    ["rbac.authorization.k8s.io/v1", "ClusterRole"],
    ["rbac.authorization.k8s.io/v1", "ClusterRoleBinding"],
    ["apiextensions.k8s.io/v1", "CustomResourceDefinition"],
    ["ceph.rook.io/v1", "CephCluster"],
    ["ceph.rook.io/v1", "CephFilesystem"],
    ["ceph.rook.io/v1", "CephFilesystemSubVolumeGroup"],
    ["ceph.rook.io/v1", "CephBlockPool"],
];

/** One comparable line per object. */
function describe(kind: string, o: KubeObject): string | undefined {
    const where = `${kind} ${o.metadata.namespace ? `${o.metadata.namespace}/` : ""}${o.metadata.name}`;
    if (kind === "Secret" && (o.type === "helm.sh/release.v1" || o.type === "kubernetes.io/service-account-token")) {
        return undefined;
    }
    // The sim's CSI stand-in names provisioned volumes after their claim's uid.
    if (kind === "PersistentVolume" && o.metadata.name.startsWith("pvc-")) return undefined;
    const gone = o.metadata.deletionTimestamp ? " (being deleted)" : "";
    const spec = o.spec as
        { replicas?: number; template?: { spec?: { containers?: { image: string }[] } } } | undefined;
    if (spec?.template?.spec?.containers) {
        const images = spec.template.spec.containers.map((c) => c.image).join(",");
        return `${where} replicas=${spec.replicas ?? "-"} images=${images}${gone}`;
    }
    if (kind === "Secret" || kind === "ConfigMap") {
        const keys = Object.keys({ ...((o.data as object) ?? {}) }).sort();
        return `${where} keys=${keys.join(",")}${gone}`;
    }
    return where + gone;
}

/** The end state of a scenario's stack. */
export interface EndState {
    objects: string[];
    releases: string[];
    urns: string[];
}

/** Reads the end state (cluster objects, Helm releases, the state's URNs). */
export async function endState(s: EngineScenario): Promise<EndState> {
    s.view.refresh();
    const objects: string[] = [];
    for (const [apiVersion, kind] of KINDS) {
        for (const o of await s.view.list(apiVersion, kind)) {
            const line = describe(kind, o);
            if (line) objects.push(line);
        }
    }
    const records = (await s.view.list("v1", "Secret")).filter((x) => x.type === "helm.sh/release.v1");
    const byRelease = new Map<string, { revision: number; status: string }[]>();
    for (const r of records) {
        const key = `${r.metadata.namespace}/${r.metadata.labels?.name}`;
        const list = byRelease.get(key) ?? [];
        list.push({ revision: Number(r.metadata.labels?.version), status: String(r.metadata.labels?.status) });
        byRelease.set(key, list);
    }
    const releases = [...byRelease].map(([key, revs]) => {
        revs.sort((a, b) => b.revision - a.revision);
        const odd = revs.slice(1).filter((r) => r.status !== "superseded");
        return `${key} ${revs[0].status}${odd.length ? ` (also ${odd.map((r) => r.status).join(", ")})` : ""}`;
    });
    const state = backendState(s);
    return { objects: objects.sort(), releases: releases.sort(), urns: state.urns };
}

/** The state file's URNs and pending operations and the stack's lock files, read from the file backend. */
export function backendState(s: EngineScenario): { urns: string[]; pending: PendingOperation[]; locks: string[] } {
    const backend = path.join(s.cli.projectDir, ".pulumi-state");
    const file = stateFile(backend, "aihub-airgap", s.stack);
    const doc = file ? readCheckpoint(file) : {};
    const resources =
        (doc.checkpoint as { latest?: { resources?: { urn: string }[] } } | undefined)?.latest?.resources ?? [];
    return {
        urns: resources.map((r) => r.urn).sort(),
        pending: pendingOperations(doc),
        locks: readLocks(backend, "aihub-airgap", s.stack).map((l) => `pid ${l.pid} ${fs.existsSync(l.file)}`),
    };
}

/** Uids of every PersistentVolumeClaim and PersistentVolume, by `kind namespace/name`. */
export async function volumeUids(s: EngineScenario): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    for (const kind of ["PersistentVolumeClaim", "PersistentVolume"]) {
        for (const o of await s.view.list("v1", kind)) {
            out.set(`${kind} ${o.metadata.namespace ?? ""}/${o.metadata.name}`, String(o.metadata.uid));
        }
    }
    return out;
}

/** Helm's records as `namespace/name vN status`. */
export async function helmRecords(s: EngineScenario): Promise<string[]> {
    const records = (await s.view.list("v1", "Secret")).filter((x) => x.type === "helm.sh/release.v1");
    return records
        .map(
            (r) =>
                `${r.metadata.namespace}/${r.metadata.labels?.name} v${r.metadata.labels?.version} ${r.metadata.labels?.status}`,
        )
        .sort();
}
