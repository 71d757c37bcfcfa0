/**
 * Stands in for the AIS operator (NVIDIA/ais-k8s v3.4.0): an `AIStore` resource gets `status.state: Ready` and a
 * Ready condition, which is what the program's `waitFor` awaits — but only when the operator would get there:
 *
 * - the spec passes the operator's own checks (`operator/api/aistore/v1beta1/aistore_validation.go` `ValidateSpec`:
 *   `validateSize`, `validateStateStorage`), which `operator/internal/controller/aistore/cluster_controller.go`
 *   `reconcileResources` runs first; a failure is a Warning Event (reason `Failed`, "Failed to validate AIStore spec,
 *   err: …", `recordError`) and no Ready — the operator's admission webhook would refuse the same spec at create;
 * - every target can get its mounts: one claim per target and mount (class, size, label selector) that can bind a
 *   PV (testing/sim/rook.ts `bindablePvs`), targets on distinct nodes unless `targetSpec.disablePodAntiAffinity`
 *   (`aistore_types.go`; the operator's README "one target per node") — otherwise the targets stay Pending, the
 *   cluster map never holds `GetTargetSize()` targets (`checkAISClusterReady`), and Ready never comes.
 *
 * No AIS daemon, StatefulSet or Service is made here.
 */
import { createHash } from "node:crypto";
import type { ApiClient, KubeObject } from "../../lib/kube-api";
import type { Log } from "./log";
import { bindablePvs, pvHost } from "./rook";

/** The last "not ready" reason logged per AIStore (the controller passes every second). */
const lastPending = new Map<string, string>();

/** The AIStore resources' API path. */
export const AISTORE_PATH = "/apis/ais.nvidia.com/v1beta1";

interface AisSpec {
    size?: number;
    proxySpec?: { size?: number };
    targetSpec?: {
        size?: number;
        disablePodAntiAffinity?: boolean;
        mounts?: {
            path: string;
            size: string;
            storageClass?: string;
            selector?: { matchLabels?: Record<string, string> };
        }[];
    };
    stateStorage?: { hostPath?: unknown; pvc?: unknown; emptyDir?: unknown };
    stateStorageClass?: string;
    hostpathPrefix?: string;
}

/** The operator's `ValidateSpec` checks the stand-in applies (autoscaling, size -1, is not used here); the error. */
export function aisSpecError(spec: AisSpec): string | undefined {
    const ps = spec.proxySpec?.size;
    const ts = spec.targetSpec?.size;
    if (ps !== undefined && ps <= 0) return `invalid proxy daemon size ${ps}, should be at least 1`;
    if (ts !== undefined && ts <= 0) return `invalid target daemon size ${ts}, should be at least 1`;
    if ((ts === undefined || ps === undefined) && (spec.size === undefined || spec.size <= -2 || spec.size === 0)) {
        return spec.size === undefined
            ? "cluster size is not specified"
            : `invalid cluster size ${spec.size}, should be at least 1 or -1 for autoScaling`;
    }
    if (spec.stateStorage) {
        const modes = ["hostPath", "pvc", "emptyDir"].filter((m) => spec.stateStorage![m as "pvc"] !== undefined);
        if (modes.length !== 1) return "AIS spec stateStorage must define exactly one of hostPath, pvc, or emptyDir";
    } else if (spec.stateStorageClass === undefined && spec.hostpathPrefix === undefined) {
        return "AIS spec does not define stateStorage. Set stateStorage.hostPath, stateStorage.pvc, or stateStorage.emptyDir";
    }
    return undefined;
}

/** Why the targets cannot all get their mounts, or undefined when they can. */
export function targetMountsProblem(ais: KubeObject, pvs: KubeObject[], nodes: KubeObject[]): string | undefined {
    const spec = (ais.spec ?? {}) as AisSpec;
    const targets = spec.targetSpec?.size ?? spec.size ?? 0;
    const spread = spec.targetSpec?.disablePodAntiAffinity !== true;
    const names = new Set(nodes.map((n) => n.metadata.name));
    const used = new Set<string>();
    for (const m of spec.targetSpec?.mounts ?? []) {
        if (!m.storageClass) continue;
        const want = m.selector?.matchLabels ?? {};
        const labelled = pvs.filter((pv) => Object.entries(want).every(([k, v]) => pv.metadata.labels?.[k] === v));
        const fit = bindablePvs(
            labelled,
            { storageClassName: m.storageClass, resources: { requests: { storage: m.size } } },
            ais.metadata.namespace ?? "",
            names,
            used,
        );
        const hosts = new Set<string>();
        let got = 0;
        for (const pv of fit) {
            const host = pvHost(pv) ?? pv.metadata.name;
            if (spread && hosts.has(host)) continue;
            hosts.add(host);
            used.add(pv.metadata.name);
            if (++got === targets) break;
        }
        if (got < targets) {
            return `${targets} target(s) need a ${m.size} volume of class ${m.storageClass} for ${m.path}${spread ? " on distinct nodes" : ""}; ${got} can bind`;
        }
    }
    return undefined;
}

/** The AIS operator's part: AIStore resources become Ready (once their CRD exists) when the rules above allow it. */
export async function reconcileAistore(client: ApiClient, log: Log): Promise<void> {
    if (!(await client.get("/apis/apiextensions.k8s.io/v1/customresourcedefinitions/aistores.ais.nvidia.com"))) return;
    const items = await client.list(`${AISTORE_PATH}/aistores`);
    if (items.length === 0) return;
    const pvs = await client.list("/api/v1/persistentvolumes");
    const nodes = await client.list("/api/v1/nodes");
    for (const ais of items) {
        if (ais.status?.state === "Ready" || ais.metadata.deletionTimestamp) continue;
        const ns = ais.metadata.namespace ?? "";
        const invalid = aisSpecError((ais.spec ?? {}) as AisSpec);
        if (invalid) {
            const note = `Failed to validate AIStore spec, err: ${invalid}`;
            const hash = createHash("sha256").update(note).digest("hex").slice(0, 10);
            const created = await client.create(
                `/api/v1/namespaces/${ns}/events`,
                {
                    metadata: { name: `${ais.metadata.name}.${hash}`, namespace: ns },
                    involvedObject: {
                        apiVersion: "ais.nvidia.com/v1beta1",
                        kind: "AIStore",
                        name: ais.metadata.name,
                        namespace: ns,
                        uid: ais.metadata.uid,
                    },
                    type: "Warning",
                    reason: "Failed",
                    message: note,
                    source: { component: "ais-operator" },
                    count: 1,
                },
                true,
            );
            if (created) log(`aistore ${ns}/${ais.metadata.name}: ${note}`);
            continue;
        }
        const pending = targetMountsProblem(ais, pvs, nodes);
        const key = `${ns}/${ais.metadata.name}`;
        if (pending) {
            if (lastPending.get(key) !== pending) log(`aistore ${key}: not ready: ${pending}`);
            lastPending.set(key, pending);
            continue;
        }
        lastPending.delete(key);
        const now = new Date().toISOString().replace(/\.\d+Z$/, "Z");
        const ready = { type: "Ready", status: "True", reason: "Ready", message: "sim", lastTransitionTime: now };
        const generation = ais.metadata.generation ?? 1;
        const path = `${AISTORE_PATH}/namespaces/${ns}/aistores/${ais.metadata.name}/status`;
        await client.mergePatch(path, {
            status: { state: "Ready", conditions: [{ ...ready, observedGeneration: generation }] },
        });
        log(`aistore ${ns}/${ais.metadata.name}: Ready`);
    }
}
