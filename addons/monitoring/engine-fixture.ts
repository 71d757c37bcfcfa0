/**
 * The monitoring add-on under the real engine: the real kube-prometheus-stack 88.5.3 (its CRDs, subcharts, admission
 * webhooks and their certificate hook Jobs) on the lab stack, with the real prometheus-operator v0.93.1 the sim runs
 * (testing/sim/upstream.ts); then checks of Grafana's route and Secret, the selectors, the Ceph monitor and rules,
 * what the operator made of them (StatefulSets, the generated scrape configuration and rule files, the admission
 * webhook answering and refusing a broken rule), and the three volumes bound on the Ceph RWO class.
 */
import assert from "node:assert/strict";
import type { KubeObject } from "../../lib/kube-api";
import { exposedRoute, vendorChart, type AddOnEngineFixture } from "../../test/engine/addon-fixture";
import type { EngineScenario } from "../../test/engine/scenario";
import { eventually } from "../../test/helpers/eventually";
import { generatedScrapeJobs, selectionRules, type ScrapeJob } from "../../test/engine/prometheus-config";
import { webhooksAnsweredOnLoopback } from "../../test/engine/webhooks";
import { CEPH_MGR_PORT, CEPH_MGR_SERVICE } from "./ceph";
import { GRAFANA_SERVICE, RELEASE_NAME, SELECTOR_LABELS } from "./values";

const NS = "monitoring";
/** The objects the chart names after the release (kube-prometheus-stack's full name is `<release>-kube-prometheus`). */
const PROMETHEUS = `${RELEASE_NAME}-kube-prometheus-prometheus`;
const ALERTMANAGER = `${RELEASE_NAME}-kube-prometheus-alertmanager`;
/** The chart's admission webhook configurations (one validating, one mutating, same name). */
export const ADMISSION_WEBHOOKS = `${RELEASE_NAME}-kube-prometheus-admission`;

/** The claims Grafana's chart and the operator's StatefulSets (their volume claim templates) make. */
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
        await operatorChecks(s);
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

/** The scrape job the operator generated for a ServiceMonitor's first endpoint, once it did. */
export function scrapeJob(s: EngineScenario, monitorNamespace: string, monitor: string): Promise<ScrapeJob> {
    const name = `serviceMonitor/${monitorNamespace}/${monitor}/0`;
    return eventually(
        `scrape job ${name} in the configuration the operator generated for ${NS}/${PROMETHEUS}`,
        async () => (await generatedScrapeJobs(s.sim.client, NS, PROMETHEUS))?.find((j) => j.job_name === name),
        120_000,
    );
}

/** The selecting keep rules of a job as `source labels → regex`, the port-name rule's source written `port_name`. */
export function keepRules(job: ScrapeJob): Record<string, string> {
    return Object.fromEntries(
        selectionRules(job).map((r) => [
            (r.source_labels ?? []).join(",").replace(/__meta_kubernetes_endpoint(slice)?_port_name/, "port_name"),
            String(r.regex),
        ]),
    );
}

/**
 * What the real prometheus-operator made of the release and our objects: StatefulSets owned by the Prometheus and
 * the Alertmanager, a scrape job for the Ceph mgr Service as Rook names it, the Ceph rules in the rule files, and
 * the chart's admission webhooks answered by the operator — which refuses a rule whose PromQL does not parse.
 */
async function operatorChecks(s: EngineScenario): Promise<void> {
    const client = s.sim.client;
    for (const [kind, name] of [
        ["Prometheus", PROMETHEUS],
        ["Alertmanager", ALERTMANAGER],
    ]) {
        const set = `${kind.toLowerCase()}-${name}`;
        const sts: KubeObject = await eventually(`StatefulSet ${NS}/${set} made by the operator`, () =>
            client.get(`/apis/apps/v1/namespaces/${NS}/statefulsets/${set}`),
        );
        const refs = (sts.metadata as { ownerReferences?: { kind: string; name: string }[] }).ownerReferences ?? [];
        const owners = refs.map((o) => `${o.kind}/${o.name}`);
        assert.deepEqual(owners, [`${kind}/${name}`], `owners of StatefulSet ${set}`);
    }
    // The Ceph mgr job: Services in the Rook namespace labelled as Rook labels its mgr Service, on its metrics port
    // (nothing runs Rook here, so no such Service exists to be kept); the job label stays the Service's name, which
    // the CephMgrMetricsAbsent rule's up{job="rook-ceph-mgr"} relies on.
    const rook = String(s.plain.rook.namespace ?? "rook-ceph"); // the config default
    const ceph = await scrapeJob(s, NS, "ceph-mgr");
    assert.deepEqual(
        ceph.kubernetes_sd_configs?.map((sd) => sd.namespaces?.names),
        [[rook]],
    );
    assert.deepEqual(keepRules(ceph), {
        "__meta_kubernetes_service_label_app,__meta_kubernetes_service_labelpresent_app": `(${CEPH_MGR_SERVICE});true`,
        "__meta_kubernetes_service_label_rook_cluster,__meta_kubernetes_service_labelpresent_rook_cluster": `(${rook});true`,
        port_name: CEPH_MGR_PORT,
    });
    const jobLabel = (ceph.relabel_configs ?? []).filter((r) => r.target_label === "job");
    assert.deepEqual(
        jobLabel.map((r) => r.source_labels),
        [["__meta_kubernetes_service_name"]],
    );
    // The Ceph rules went through the operator's own validation into the rule files Prometheus loads.
    const rules = await eventually(`rule file of PrometheusRule ${NS}/ceph`, async () => {
        const cm = await client.get(`/api/v1/namespaces/${NS}/configmaps/prometheus-${PROMETHEUS}-rulefiles-0`);
        return Object.entries((cm?.data ?? {}) as Record<string, string>).find(([k]) => k.startsWith(`${NS}-ceph-`));
    });
    assert.match(rules[1], /alert: CephHealthError/);
    // The chart's webhooks are answered on loopback by the operator, and it refuses a rule that does not parse.
    await webhooksAnsweredOnLoopback(s, [ADMISSION_WEBHOOKS], { routedOnly: true });
    const broken = {
        apiVersion: "monitoring.coreos.com/v1",
        kind: "PrometheusRule",
        metadata: { name: "broken-promql", namespace: NS, labels: SELECTOR_LABELS },
        spec: { groups: [{ name: "broken", rules: [{ alert: "Broken", expr: "ceph_health_status ==" }] }] },
    };
    await assert.rejects(
        client.create(`/apis/monitoring.coreos.com/v1/namespaces/${NS}/prometheusrules`, broken),
        /denied the request: Rules are not valid/,
    );
}
