/**
 * Stands in for prometheus-operator's storage: for each Prometheus and Alertmanager with a volume claim template,
 * the claim its StatefulSet's first replica would get (`<kind>-<name>-db-<kind>-<name>-0`, as the operator names
 * the volume and the StatefulSet), which the sim's provisioner then binds. No StatefulSet or pod is made: nothing
 * runs Prometheus here, only its storage request is shown.
 */
import type { ApiClient, KubeObject } from "../../lib/kube-api";
import type { Log } from "./log";

/** The operator kinds with storage, as plural resource name and the prefix of their StatefulSets. */
export const MONITORING_KINDS = [
    { plural: "prometheuses", prefix: "prometheus" },
    { plural: "alertmanagers", prefix: "alertmanager" },
] as const;

/** The claim replica 0 of a Prometheus or Alertmanager gets, or undefined without a claim template. */
export function operatorClaim(prefix: string, cr: KubeObject): KubeObject | undefined {
    const storage = cr.spec?.storage as
        { volumeClaimTemplate?: { metadata?: { name?: string }; spec?: Record<string, unknown> } } | undefined;
    const tpl = storage?.volumeClaimTemplate;
    if (!tpl?.spec) return undefined;
    const set = `${prefix}-${cr.metadata.name}`;
    const volume = tpl.metadata?.name || `${set}-db`;
    return {
        apiVersion: "v1",
        kind: "PersistentVolumeClaim",
        metadata: {
            name: `${volume}-${set}-0`,
            namespace: cr.metadata.namespace,
            labels: { "app.kubernetes.io/name": prefix, "app.kubernetes.io/instance": String(cr.metadata.name) },
        },
        spec: tpl.spec,
    };
}

/** Creates the missing claims of every Prometheus and Alertmanager (a claim stays, as a StatefulSet's does). */
export async function reconcileMonitoring(client: ApiClient, log: Log): Promise<void> {
    for (const { plural, prefix } of MONITORING_KINDS) {
        for (const cr of await client.list(`/apis/monitoring.coreos.com/v1/${plural}`)) {
            if (cr.metadata.deletionTimestamp) continue;
            const claim = operatorClaim(prefix, cr);
            if (!claim) continue;
            const path = `/api/v1/namespaces/${cr.metadata.namespace}/persistentvolumeclaims`;
            if (await client.create(path, claim, true)) {
                log(`claim ${cr.metadata.namespace}/${claim.metadata.name} for ${prefix} ${cr.metadata.name}`);
            }
        }
    }
}
