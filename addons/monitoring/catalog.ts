/**
 * Images of kube-prometheus-stack per chart version (../shared/facts/addons.md): what the chart and its subcharts
 * render, plus the images the operator starts at run time (Prometheus and Alertmanager from their CRs, the config
 * reloader from an operator argument). Values and the bundle inventory both read this table, so the images carried
 * and the images asked for never disagree.
 */

/** The role of an image; each role has its own values key. */
export type MonitoringImageRole =
    | "operator"
    | "configReloader"
    | "webhookCertgen"
    | "prometheus"
    | "alertmanager"
    | "grafana"
    | "grafanaSidecar"
    | "grafanaInit"
    | "kubeStateMetrics"
    | "nodeExporter";

/** Upstream images of one chart version, by role. */
export type MonitoringImageSet = Record<MonitoringImageRole, string>;

/** Chart versions this add-on knows, with their images (rendered with the subcharts the chart pins). */
export const MONITORING_CATALOG: Record<string, MonitoringImageSet> = {
    "88.5.3": {
        operator: "quay.io/prometheus-operator/prometheus-operator:v0.93.1",
        configReloader: "quay.io/prometheus-operator/prometheus-config-reloader:v0.93.1",
        webhookCertgen: "ghcr.io/jkroepke/kube-webhook-certgen:1.8.7",
        prometheus: "quay.io/prometheus/prometheus:v3.14.0-distroless",
        alertmanager: "quay.io/prometheus/alertmanager:v0.34.0",
        grafana: "docker.io/grafana/grafana:13.2.0",
        grafanaSidecar: "quay.io/kiwigrid/k8s-sidecar:2.10.1",
        // Grafana's chown init container (persistence on); the chart's default tag.
        grafanaInit: "docker.io/library/busybox:1.38.0",
        kubeStateMetrics: "registry.k8s.io/kube-state-metrics/kube-state-metrics:v2.20.0",
        nodeExporter: "quay.io/prometheus/node-exporter:v1.12.1-distroless",
    },
};

/** The newest chart version the catalog knows (the default). */
export const MONITORING_VERSION = "88.5.3";

/** The image set of a known chart version; throws on an unknown one (validation rejects those first). */
export function monitoringImages(version: string): MonitoringImageSet {
    const set = MONITORING_CATALOG[version];
    if (!set) throw new Error(`kube-prometheus-stack ${version} is not in addons/monitoring/catalog.ts`);
    return set;
}
