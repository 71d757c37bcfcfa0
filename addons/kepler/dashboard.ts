/**
 * The Grafana dashboard for Kepler, provisioned as a ConfigMap Grafana's sidecar loads. Queries use the metric
 * names Kepler v0.11 exports (`docs/user/metrics.md` and `internal/exporter/prometheus/collector/power_collector.go`
 * at v0.11.4): node, pod and container power in watts (gauges) and energy in joules (counters), every CPU series per
 * RAPL zone, so sums pick one zone (`package` by default) instead of adding zones that overlap.
 */

/** The Kepler v0.11 metrics the dashboard reads. */
export const KEPLER_METRICS = [
    "kepler_node_cpu_watts",
    "kepler_node_cpu_usage_ratio",
    "kepler_pod_cpu_watts",
    "kepler_pod_cpu_joules_total",
    "kepler_pod_gpu_watts",
] as const;

/** The dashboard's uid (stable, so links keep working). */
export const DASHBOARD_UID = "aihub-kepler";

/** One panel: title, type, its queries, its place on the 24-column grid, its unit. */
function panel(
    datasourceUid: string,
    id: number,
    title: string,
    type: "timeseries" | "stat" | "bargauge",
    exprs: { expr: string; legend: string }[],
    grid: { x: number; y: number; w: number; h: number },
    unit: string,
): Record<string, unknown> {
    const datasource = { type: "prometheus", uid: datasourceUid };
    return {
        id,
        title,
        type,
        datasource,
        gridPos: grid,
        fieldConfig: { defaults: { unit }, overrides: [] },
        targets: exprs.map((e, i) => ({
            refId: String.fromCharCode(65 + i),
            datasource,
            expr: e.expr,
            legendFormat: e.legend,
        })),
    };
}

/** The dashboard model (Grafana JSON) reading from the Prometheus datasource `datasourceUid`. */
export function keplerDashboard(datasourceUid: string): Record<string, unknown> {
    const pods = 'pod_namespace=~"$namespace", zone="$zone"';
    const ds = datasourceUid;
    return {
        uid: DASHBOARD_UID,
        title: "Kepler: energy per node and pod",
        tags: ["kepler", "energy"],
        timezone: "utc",
        schemaVersion: 39,
        refresh: "1m",
        time: { from: "now-6h", to: "now" },
        templating: {
            list: [
                {
                    name: "zone",
                    label: "RAPL zone",
                    type: "query",
                    datasource: { type: "prometheus", uid: datasourceUid },
                    query: "label_values(kepler_node_cpu_watts, zone)",
                    current: { text: "package", value: "package" },
                    refresh: 2,
                },
                {
                    name: "namespace",
                    label: "Namespace",
                    type: "query",
                    datasource: { type: "prometheus", uid: datasourceUid },
                    query: "label_values(kepler_pod_cpu_watts, pod_namespace)",
                    multi: true,
                    includeAll: true,
                    allValue: ".*",
                    current: { text: "All", value: "$__all" },
                    refresh: 2,
                },
            ],
        },
        panels: [
            panel(
                ds,
                1,
                "Cluster CPU power",
                "stat",
                [{ expr: 'sum(kepler_node_cpu_watts{zone="$zone"})', legend: "total" }],
                { x: 0, y: 0, w: 6, h: 6 },
                "watt",
            ),
            panel(
                ds,
                2,
                "CPU power per node",
                "timeseries",
                [{ expr: 'sum by (node_name) (kepler_node_cpu_watts{zone="$zone"})', legend: "{{node_name}}" }],
                { x: 6, y: 0, w: 12, h: 6 },
                "watt",
            ),
            panel(
                ds,
                3,
                "CPU usage per node",
                "timeseries",
                [{ expr: "max by (node_name) (kepler_node_cpu_usage_ratio)", legend: "{{node_name}}" }],
                { x: 18, y: 0, w: 6, h: 6 },
                "percentunit",
            ),
            panel(
                ds,
                4,
                "Top 10 pods by CPU power",
                "timeseries",
                [
                    {
                        expr: `topk(10, sum by (pod_namespace, pod_name) (kepler_pod_cpu_watts{${pods}, state="running"}))`,
                        legend: "{{pod_namespace}}/{{pod_name}}",
                    },
                ],
                { x: 0, y: 6, w: 12, h: 9 },
                "watt",
            ),
            panel(
                ds,
                5,
                "CPU energy per namespace in the time range",
                "bargauge",
                [
                    {
                        expr: `sum by (pod_namespace) (increase(kepler_pod_cpu_joules_total{${pods}}[$__range])) / 3600000`,
                        legend: "{{pod_namespace}}",
                    },
                ],
                { x: 12, y: 6, w: 12, h: 9 },
                "kwatth",
            ),
            panel(
                ds,
                6,
                "GPU power per pod",
                "timeseries",
                [
                    {
                        expr: 'sum by (pod_namespace, pod_name) (kepler_pod_gpu_watts{pod_namespace=~"$namespace"})',
                        legend: "{{pod_namespace}}/{{pod_name}}",
                    },
                ],
                { x: 0, y: 15, w: 24, h: 8 },
                "watt",
            ),
        ],
    };
}

/** The ConfigMap Grafana's sidecar picks up (by `labels`) in the monitoring namespace. */
export function dashboardConfigMap(
    namespace: string,
    labels: Record<string, string>,
    datasourceUid: string,
): { metadata: Record<string, unknown>; data: Record<string, string> } {
    return {
        metadata: { name: "kepler-dashboard", namespace, labels },
        data: { "kepler.json": JSON.stringify(keplerDashboard(datasourceUid)) },
    };
}
