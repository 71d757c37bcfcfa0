/**
 * Stands in for the AIS operator: every `AIStore` resource gets `status.state: Ready` and a Ready condition, which is
 * what the program's `waitFor` awaits. The real operator sets Ready only after its StatefulSets run, the AIS health
 * check passes and the cluster map holds every proxy and target; no AIS daemon, PVC or Service is made here.
 */
import type { ApiClient } from "../../lib/kube-api";
import type { Log } from "./log";

/** The AIStore resources' API path. */
export const AISTORE_PATH = "/apis/ais.nvidia.com/v1beta1";

/** The AIS operator's part: AIStore resources become Ready (once their CRD exists). */
export async function reconcileAistore(client: ApiClient, log: Log): Promise<void> {
    if (!(await client.get("/apis/apiextensions.k8s.io/v1/customresourcedefinitions/aistores.ais.nvidia.com"))) return;
    for (const ais of await client.list(`${AISTORE_PATH}/aistores`)) {
        if (ais.status?.state === "Ready" || ais.metadata.deletionTimestamp) continue;
        const now = new Date().toISOString().replace(/\.\d+Z$/, "Z");
        const ready = { type: "Ready", status: "True", reason: "Ready", message: "sim", lastTransitionTime: now };
        const generation = ais.metadata.generation ?? 1;
        const path = `${AISTORE_PATH}/namespaces/${ais.metadata.namespace}/aistores/${ais.metadata.name}/status`;
        await client.mergePatch(path, {
            status: { state: "Ready", conditions: [{ ...ready, observedGeneration: generation }] },
        });
        log(`aistore ${ais.metadata.namespace}/${ais.metadata.name}: Ready`);
    }
}
