/**
 * The monitoring add-on under the real engine: the real kube-prometheus-stack 88.5.3 (its CRDs, subcharts, admission
 * webhooks and their certificate hook Jobs) on the lab stack, then checks of Grafana's route and
 * Secret, the selectors, the Ceph monitor and rules, and the three volumes bound on the Ceph RWO class.
 */
import assert from "node:assert/strict";
import type { KubeObject } from "../../lib/kube-api";
import { exposedRoute, vendorChart, type AddOnEngineFixture } from "../../test/engine/addon-fixture";
import type { EngineScenario } from "../../test/engine/scenario";
import { eventually } from "../../test/helpers/eventually";
import { UNANSWERED_ANNOTATION } from "../../testing/sim/webhooks";
import { GRAFANA_SERVICE, RELEASE_NAME, SELECTOR_LABELS } from "./values";

const NS = "monitoring";
/** The objects the chart names after the release (kube-prometheus-stack's full name is `<release>-kube-prometheus`). */
const PROMETHEUS = `${RELEASE_NAME}-kube-prometheus-prometheus`;
const ALERTMANAGER = `${RELEASE_NAME}-kube-prometheus-alertmanager`;

/** The claims Grafana's chart and the operator's StatefulSets (the sim's stand-in) make. */
export const MONITORING_CLAIMS = [
    GRAFANA_SERVICE,
    `prometheus-${PROMETHEUS}-db-prometheus-${PROMETHEUS}-0`,
    `alertmanager-${ALERTMANAGER}-db-alertmanager-${ALERTMANAGER}-0`,
];

async function must(s: EngineScenario, apiVersion: string, kind: string, name: string, ns = NS): Promise<KubeObject> {
    const o = await s.view.get(apiVersion, kind, name, ns);
    assert.ok(o, `${kind} ${ns}/${name} is missing`);
    return o;
}

export const fixture: AddOnEngineFixture = {
    packageCharts: () => ({ kps: vendorChart("kube-prometheus-stack-88.5.3.tgz") }),
    section: (stage) => ({
        chart: stage.charts.kps,
        prometheus: { storage: "2Gi" },
        alertmanager: { storage: "100Mi" },
        grafana: { storage: "1Gi" },
    }),
    releases: [`${NS}/${RELEASE_NAME}`],
    async check(s) {
        s.view.refresh();
        const domain = String(s.plain.aihub.domain);
        // Grafana under /addons/grafana of the AI Hub host: an HTTPRoute on the shared Gateway, or an Ingress with the site
        // certificate (lab without the gateway add-on: https-custom-ca).
        const route = await exposedRoute(s, NS, "monitoring-grafana");
        assert.deepEqual([route.host, route.path, route.service], [domain, "/addons/grafana", GRAFANA_SERVICE]);
        const out = JSON.parse((await s.pulumiOk(["stack", "output", "--json"])).stdout) as Record<string, unknown>;
        assert.equal(out.monitoringGrafanaUrl, `https://${domain}/addons/grafana`);
        assert.equal(out.monitoringGrafanaAdminPassword, "[secret]");
        // The admin password lives in our Secret, which the Grafana container reads; the chart made none of its own.
        const admin = await must(s, "v1", "Secret", "grafana-admin");
        assert.ok((admin.data as Record<string, string>)["admin-password"], "grafana-admin has no admin-password");
        assert.equal(await s.view.get("v1", "Secret", GRAFANA_SERVICE, NS), undefined);
        const grafana = await must(s, "apps/v1", "Deployment", GRAFANA_SERVICE);
        assert.match(JSON.stringify(grafana.spec), /"secretKeyRef":\{"name":"grafana-admin","key":"admin-password"\}/);
        // One label set selects monitors and rules in every namespace.
        const prom = await must(s, "monitoring.coreos.com/v1", "Prometheus", PROMETHEUS);
        const ps = prom.spec as Record<string, unknown>;
        for (const k of ["serviceMonitorSelector", "podMonitorSelector", "ruleSelector"]) {
            assert.deepEqual(ps[k], { matchLabels: SELECTOR_LABELS }, k);
            assert.deepEqual(ps[k.replace("Selector", "NamespaceSelector")], {}, k);
        }
        for (const [kind, name] of [
            ["ServiceMonitor", "ceph-mgr"],
            ["PrometheusRule", "ceph"],
        ]) {
            const o = await must(s, "monitoring.coreos.com/v1", kind, name);
            assert.deepEqual(o.metadata.labels, SELECTOR_LABELS, `${kind} ${name} labels`);
        }
        // Nothing runs the operator, which serves the chart's admission webhooks: the sim names them as unanswered,
        // and their failure policy (the chart's Ignore) admitted the Ceph rules without the operator's check.
        const hooks = `${RELEASE_NAME}-kube-prometheus-admission`;
        for (const kind of ["ValidatingWebhookConfiguration", "MutatingWebhookConfiguration"]) {
            const note = await eventually(`${kind} ${hooks} named unanswered`, async () => {
                const cfg = await s.view.get("admissionregistration.k8s.io/v1", kind, hooks);
                return cfg?.metadata.annotations?.[UNANSWERED_ANNOTATION];
            });
            assert.match(
                note,
                /prometheusrule(validate|mutate)\.monitoring\.coreos\.com \(service monitoring\/[^)]*failurePolicy Ignore\)/,
            );
        }
        // Grafana's, Prometheus' and Alertmanager's volumes bound on the RWO class (lab: no RBD class, so CephFS).
        const rwo = String(s.plain.ceph.blockStorageClass ?? s.plain.ceph.storageClass);
        for (const claim of MONITORING_CLAIMS) {
            await eventually(`claim ${NS}/${claim} bound on ${rwo}`, async () => {
                const pvc = await s.view.get("v1", "PersistentVolumeClaim", claim, NS);
                const cls = (pvc?.spec as { storageClassName?: string } | undefined)?.storageClassName;
                return pvc?.status?.phase === "Bound" && cls === rwo;
            });
        }
    },
};
