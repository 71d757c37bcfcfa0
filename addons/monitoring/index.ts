/** The monitoring add-on: kube-prometheus-stack for the cluster, Ceph and the other add-ons' exporters. */
import { defineAddOn } from "../shared/define";
import { exposureOf } from "../shared/exposed-service";
import { monitoringImages } from "./catalog";
import { Monitoring } from "./component";
import { monitoringRules } from "./rules";
import { monitoringSchema } from "./schema";
import { DASHBOARD_LABELS, DATASOURCE_UID, SELECTOR_LABELS } from "./values";

export const monitoring = defineAddOn({
    name: "monitoring",
    title: "Prometheus, Alertmanager and Grafana (kube-prometheus-stack), with Ceph health and capacity alerts",
    requires: [],
    schema: monitoringSchema,
    rules: monitoringRules,
    charts: (s) => [{ key: "addons.monitoring.chart", path: s.chart }],
    images: (s) => Object.values(monitoringImages(s.version)),
    build: (s, deps) => {
        const { cfg, storage } = deps;
        const m = new Monitoring(
            "monitoring",
            {
                section: s,
                registry: cfg.registry,
                storageClass: storage.rwoStorageClass,
                host: cfg.aihub.domain,
                exposure: exposureOf(cfg, deps.provided),
                rookNamespace: cfg.rook.namespace,
                dependsOn: [...(deps.mirror ? [deps.mirror] : []), ...storage.storageClasses],
                protect: cfg.protectData,
            },
            deps.kube,
        );
        return {
            component: m,
            provides: {
                monitoring: {
                    namespace: s.namespace,
                    selectorLabels: SELECTOR_LABELS,
                    ready: [m.release],
                    dashboardLabels: DASHBOARD_LABELS,
                    datasourceUid: DATASOURCE_UID,
                },
            },
            outputs: { monitoringGrafanaUrl: m.grafanaUrl, monitoringGrafanaAdminPassword: m.grafanaAdminPassword },
        };
    },
});
