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

/** One panel: what it shows, how, where on the 24-column grid (x, y, w, h), and its queries (expr, legend). */
interface PanelSpec {
    title: string;
    type: "timeseries" | "stat" | "bargauge";
    unit: string;
    grid: [number, number, number, number];
    queries: [string, string][];
}

const PODS = 'pod_namespace=~"$namespace", zone="$zone"';
const POD_LEGEND = "{{pod_namespace}}/{{pod_name}}";

/** The panels, top to bottom. */
const PANELS: PanelSpec[] = [
    {
        title: "Cluster CPU power",
        type: "stat",
        unit: "watt",
        grid: [0, 0, 6, 6],
        queries: [['sum(kepler_node_cpu_watts{zone="$zone"})', "total"]],
    },
    {
        title: "CPU power per node",
        type: "timeseries",
        unit: "watt",
        grid: [6, 0, 12, 6],
        queries: [['sum by (node_name) (kepler_node_cpu_watts{zone="$zone"})', "{{node_name}}"]],
    },
    {
        title: "CPU usage per node",
        type: "timeseries",
        unit: "percentunit",
        grid: [18, 0, 6, 6],
        queries: [["max by (node_name) (kepler_node_cpu_usage_ratio)", "{{node_name}}"]],
    },
    {
        title: "Top 10 pods by CPU power",
        type: "timeseries",
        unit: "watt",
        grid: [0, 6, 12, 9],
        queries: [
            [`topk(10, sum by (pod_namespace, pod_name) (kepler_pod_cpu_watts{${PODS}, state="running"}))`, POD_LEGEND],
        ],
    },
    {
        title: "CPU energy per namespace in the time range",
        type: "bargauge",
        unit: "kwatth",
        grid: [12, 6, 12, 9],
        // Joules to kWh.
        queries: [
            [
                `sum by (pod_namespace) (increase(kepler_pod_cpu_joules_total{${PODS}}[$__range])) / 3600000`,
                "{{pod_namespace}}",
            ],
        ],
    },
    {
        title: "GPU power per pod",
        type: "timeseries",
        unit: "watt",
        grid: [0, 15, 24, 8],
        queries: [['sum by (pod_namespace, pod_name) (kepler_pod_gpu_watts{pod_namespace=~"$namespace"})', POD_LEGEND]],
    },
];

/** A template variable listing the values of a label. */
function labelVariable(name: string, label: string, query: string, datasource: object, more: object) {
    return { name, label, type: "query", datasource, query, refresh: 2, ...more };
}

/** The dashboard model (Grafana JSON) reading from the Prometheus datasource `datasourceUid`. */
export function keplerDashboard(datasourceUid: string): Record<string, unknown> {
    const datasource = { type: "prometheus", uid: datasourceUid };
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
                labelVariable("zone", "RAPL zone", "label_values(kepler_node_cpu_watts, zone)", datasource, {
                    current: { text: "package", value: "package" },
                }),
                labelVariable(
                    "namespace",
                    "Namespace",
                    "label_values(kepler_pod_cpu_watts, pod_namespace)",
                    datasource,
                    {
                        multi: true,
                        includeAll: true,
                        allValue: ".*",
                        current: { text: "All", value: "$__all" },
                    },
                ),
            ],
        },
        panels: PANELS.map((p, i) => ({
            id: i + 1,
            title: p.title,
            type: p.type,
            datasource,
            gridPos: { x: p.grid[0], y: p.grid[1], w: p.grid[2], h: p.grid[3] },
            fieldConfig: { defaults: { unit: p.unit }, overrides: [] },
            targets: p.queries.map(([expr, legendFormat], j) => ({
                refId: String.fromCharCode(65 + j),
                datasource,
                expr,
                legendFormat,
            })),
        })),
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
