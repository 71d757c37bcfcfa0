/**
 * The Kepler add-on under the real engine (with the monitoring add-on, which it needs): Kepler's real chart (0.11.4),
 * then checks of the exporter's pull secret, its ServiceMonitor for the monitoring Prometheus (and the scrape job the
 * real prometheus-operator generated from it, which keeps the chart's Service) and the dashboard ConfigMap Grafana's
 * sidecar loads.
 */
import assert from "node:assert/strict";
import { vendorChart, type AddOnEngineFixture } from "../../test/engine/addon-fixture";
import { keptServiceTargets } from "../../test/engine/prometheus-config";
import { scrapeJob } from "../monitoring/engine-fixture";
import { DASHBOARD_LABELS, GRAFANA_SERVICE, SELECTOR_LABELS } from "../monitoring/values";
import { DASHBOARD_UID } from "./dashboard";
import { RELEASE_NAME, SERVICE_ACCOUNT } from "./values";

const NS = "kepler";

export const fixture: AddOnEngineFixture = {
    packageCharts: () => ({ kepler: vendorChart("kepler-0.11.4.tgz") }),
    section: (stage) => ({ chart: stage.charts.kepler }),
    releases: [`${NS}/${RELEASE_NAME}`],
    async check(s) {
        s.view.refresh();
        const ds = await s.view.get("apps/v1", "DaemonSet", RELEASE_NAME, NS);
        assert.equal(
            (ds?.spec as { template: { spec: { serviceAccountName: string } } }).template.spec.serviceAccountName,
            SERVICE_ACCOUNT,
        );
        const sa = await s.view.get("v1", "ServiceAccount", SERVICE_ACCOUNT, NS);
        assert.deepEqual(sa?.imagePullSecrets, [
            { name: String(s.plain.registry.pullSecretName ?? "airgap-registry") },
        ]);
        const monitor = await s.view.get("monitoring.coreos.com/v1", "ServiceMonitor", RELEASE_NAME, NS);
        for (const [k, v] of Object.entries(SELECTOR_LABELS)) assert.equal(monitor?.metadata.labels?.[k], v, k);
        // The operator picked the monitor up (labels, namespace) and its job keeps the exporter's Service port.
        const job = await scrapeJob(s, NS, RELEASE_NAME);
        assert.deepEqual(await keptServiceTargets(s.sim.client, job), [`${NS}/${RELEASE_NAME}:http`]);
        // The dashboard sits where the sidecar looks: the monitoring namespace, with the label its LABEL env names.
        const cm = await s.view.get("v1", "ConfigMap", "kepler-dashboard", "monitoring");
        assert.deepEqual(cm?.metadata.labels, DASHBOARD_LABELS);
        assert.equal(JSON.parse((cm?.data as Record<string, string>)["kepler.json"]).uid, DASHBOARD_UID);
        const grafana = await s.view.get("apps/v1", "Deployment", GRAFANA_SERVICE, "monitoring");
        const env = JSON.stringify(grafana?.spec);
        for (const [k, v] of Object.entries(DASHBOARD_LABELS)) {
            assert.ok(
                env.includes(`{"name":"LABEL","value":"${k}"}`) &&
                    env.includes(`{"name":"LABEL_VALUE","value":"${v}"}`),
                `sidecar label ${k}=${v}`,
            );
        }
    },
};
