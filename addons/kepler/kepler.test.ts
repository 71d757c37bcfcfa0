/**
 * The Kepler add-on: its rule against a stack without monitoring, the values rendered with real helm against the
 * real Kepler chart, the dashboard's queries against Kepler v0.11's metric names, and the components under the mock
 * runtime.
 */
import * as assert from "node:assert/strict";
import * as path from "node:path";
import { describe, it } from "node:test";
import { getPath } from "../../lib/merge";
import { mapImage } from "../../lib/imageref";
import { stackCharts, stackImages } from "../../platform/inventory";
import { monitoringImages } from "../monitoring/catalog";
import { airgap, check } from "../../test/config/helpers";
import { crdErrors, refFile } from "../../test/helpers/crd";
import { renderChart } from "../../test/helpers/helm";
import { custom } from "../../test/app/scenario";
import { composePlatform } from "../../test/harness";
import { DASHBOARD_LABELS, DATASOURCE_UID, SELECTOR_LABELS } from "../monitoring/values";
import { keplerImage } from "./catalog";
import { dashboardConfigMap, keplerDashboard, KEPLER_METRICS } from "./dashboard";
import { keplerValues, SERVICE_ACCOUNT } from "./values";
import { VENDOR_CHARTS } from "../../test/helpers/vendor-charts";

const REGISTRY = "registry.airgap.internal:5000";
const MONITORING = { chart: "./bundle/charts/kube-prometheus-stack-88.5.3.tgz" };
const KEPLER = { chart: "./bundle/charts/kepler-0.11.4.tgz" };

type Obj = { kind: string; metadata: { name: string; labels?: Record<string, string> }; [k: string]: unknown };

const render = (values: Record<string, unknown>): Obj[] =>
    renderChart(path.join(VENDOR_CHARTS, "kepler-0.11.4.tgz"), "kepler", "kepler", values);

function addons(a: Record<string, unknown>) {
    const { values } = airgap();
    values.addons = a;
    return check(values);
}

describe("kepler config", () => {
    it("needs the monitoring add-on, named by key", () => {
        assert.deepEqual(addons({ kepler: KEPLER }).lines, [
            "aihub-airgap:addons.kepler: needs addons.monitoring (turn it on: its Prometheus scrapes Kepler and its Grafana shows the dashboard; or set addons.kepler.enabled: false)",
        ]);
        assert.ok(addons({ kepler: KEPLER, monitoring: { ...MONITORING, enabled: false } }).lines.length === 1);
        const ok = addons({ kepler: KEPLER, monitoring: MONITORING });
        assert.deepEqual(ok.lines, []);
        assert.deepEqual(ok.config?.addons.kepler, {
            ...KEPLER,
            version: "0.11.4",
            namespace: "kepler",
            scrapeInterval: "30s",
        });
    });

    it("names a wrong interval, version and chart file by key", () => {
        const v = addons({
            monitoring: MONITORING,
            kepler: { chart: "./bundle/charts/kepler-0.10.0.tgz", scrapeInterval: "5" },
        }).lines;
        assert.ok(
            v.some((l) => l.startsWith("aihub-airgap:addons.kepler.scrapeInterval: is not a scrape interval")),
            v.join("\n"),
        );
        const w = addons({ monitoring: MONITORING, kepler: { chart: "./bundle/charts/kepler-0.10.0.tgz" } }).lines;
        assert.ok(
            w.some((l) => l.startsWith("aihub-airgap:addons.kepler.chart: chart file")),
            w.join("\n"),
        );
        const x = addons({ monitoring: MONITORING, kepler: { ...KEPLER, version: "0.9.0" } }).lines;
        assert.ok(x.some((l) => l.startsWith("aihub-airgap:addons.kepler.version: is not a known chart version")));
    });
});

describe("the bundle inventory with both add-ons", () => {
    it("carries every monitoring image of the catalog and Kepler's, mapped into the private registry", () => {
        const cfg = addons({ kepler: KEPLER, monitoring: MONITORING }).config!;
        const targets = stackImages(cfg).map((i) => i.target);
        for (const ref of [...Object.values(monitoringImages("88.5.3")), keplerImage("0.11.4")]) {
            assert.ok(targets.includes(mapImage(ref, REGISTRY)), ref);
        }
        assert.deepEqual(
            stackCharts(cfg)
                .filter((c) => c.key.startsWith("addons."))
                .map((c) => c.key),
            ["addons.monitoring.chart", "addons.kepler.chart"],
        );
    });
});

describe("kepler values on the real chart", () => {
    const objs = render(
        keplerValues({
            image: keplerImage("0.11.4"),
            registry: REGISTRY,
            selectorLabels: SELECTOR_LABELS,
            scrapeInterval: "30s",
        }),
    );

    it("runs the private image as our ServiceAccount, the chart making none", () => {
        const ds = objs.find((o) => o.kind === "DaemonSet")!;
        assert.equal(getPath(ds, "spec.template.spec.serviceAccountName"), SERVICE_ACCOUNT);
        const images = JSON.stringify(objs).match(/"image":"[^"]+"/g);
        assert.deepEqual(images, [`"image":"${REGISTRY}/sustainable_computing_io/kepler:v0.11.4"`]);
        assert.deepEqual(
            objs.filter((o) => ["ServiceAccount", "ClusterRole", "ClusterRoleBinding"].includes(o.kind)),
            [],
        );
    });

    it("renders a ServiceMonitor valid for prometheus-operator v0.93 with the monitoring selector labels", () => {
        const sm = objs.find((o) => o.kind === "ServiceMonitor")!;
        const file = refFile("prometheus-operator", "monitoring.coreos.com_servicemonitors-v0.93.0.yaml");
        assert.deepEqual(crdErrors(file, sm), []);
        for (const [k, v] of Object.entries(SELECTOR_LABELS)) assert.equal(sm.metadata.labels?.[k], v);
        assert.equal((getPath(sm, "spec.endpoints") as { interval: string }[])[0].interval, "30s");
    });
});

describe("the Kepler dashboard", () => {
    const model = keplerDashboard(DATASOURCE_UID);
    const targets = (model.panels as { targets: { expr: string; datasource: { uid: string } }[] }[]).flatMap(
        (p) => p.targets,
    );

    it("queries only Kepler v0.11 metrics, through the monitoring datasource", () => {
        const used = new Set(targets.flatMap((t) => t.expr.match(/kepler_[a-z_]+/g) ?? []));
        assert.deepEqual([...used].sort(), [...KEPLER_METRICS].sort());
        // The v0.11 names (docs/user/metrics.md at v0.11.4); the ≤0.9 names are gone.
        for (const m of used) assert.match(m, /^kepler_(node|pod)_(cpu|gpu)_(watts|joules_total|usage_ratio)$/);
        assert.ok(!JSON.stringify(model).includes("kepler_container_joules_total"));
        assert.ok(targets.every((t) => t.datasource.uid === DATASOURCE_UID));
    });

    it("is a ConfigMap with the sidecar's label, holding the dashboard as JSON", () => {
        const cm = dashboardConfigMap("monitoring", DASHBOARD_LABELS, DATASOURCE_UID);
        assert.deepEqual(cm.metadata, { name: "kepler-dashboard", namespace: "monitoring", labels: DASHBOARD_LABELS });
        assert.deepEqual(JSON.parse(cm.data["kepler.json"]), model);
    });
});

describe("kepler in the platform (mock runtime)", () => {
    it("waits for the monitoring release, carries the pull secret, puts the dashboard in the monitoring namespace", async () => {
        const { values } = airgap();
        values.addons = { monitoring: MONITORING, kepler: KEPLER };
        const { rec } = await composePlatform("airgap", values);
        const release = custom(rec, "kepler-release");
        assert.ok(rec.dependsOn(release, custom(rec, "monitoring-release")), "kepler → monitoring release (CRDs)");
        assert.ok(rec.dependsOn(release, custom(rec, "kepler-reader-binding")), "release → RBAC binding");
        const sa = custom(rec, "kepler-sa");
        assert.deepEqual(sa.inputs.imagePullSecrets, [{ name: "airgap-registry" }]);
        assert.equal(getPath(release.inputs.values, "image.repository"), `${REGISTRY}/sustainable_computing_io/kepler`);
        const cm = custom(rec, "kepler-dashboard");
        assert.equal(getPath(cm.inputs, "metadata.namespace"), "monitoring");
        assert.deepEqual(getPath(cm.inputs, "metadata.labels"), DASHBOARD_LABELS);
    });
});
