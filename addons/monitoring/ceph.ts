/**
 * Ceph in Prometheus without touching the CephCluster: Rook always runs the mgr's prometheus module and its
 * `rook-ceph-mgr` Service (port `http-metrics`, 9283; `monitoring.enabled` only adds Rook's own ServiceMonitor and
 * needs the monitoring CRDs before the cluster), so a ServiceMonitor here selects that Service, and the rules alert
 * on Ceph health and on full or nearly full OSDs and pools by the health checks Ceph itself raises.
 */

/** The Service Rook creates for the mgr's metrics, its labels and port name (Rook `pkg/operator/ceph/cluster/mgr`). */
export const CEPH_MGR_SERVICE = "rook-ceph-mgr";
export const CEPH_MGR_PORT = "http-metrics";

/** A ServiceMonitor spec scraping the mgr Service of the Rook cluster in `rookNamespace`. */
export function cephServiceMonitorSpec(rookNamespace: string): Record<string, unknown> {
    return {
        namespaceSelector: { matchNames: [rookNamespace] },
        selector: { matchLabels: { app: CEPH_MGR_SERVICE, rook_cluster: rookNamespace } },
        endpoints: [{ port: CEPH_MGR_PORT, path: "/metrics", interval: "30s", honorLabels: true }],
    };
}

/** One alerting rule. */
interface Alert {
    alert: string;
    expr: string;
    for: string;
    labels: { severity: "warning" | "critical" };
    annotations: { summary: string; description: string };
}

/** An alert on a Ceph health check being raised (`ceph_health_detail{name=...}`). */
function healthCheck(alert: string, check: string, severity: Alert["labels"]["severity"], summary: string): Alert {
    return {
        alert,
        expr: `ceph_health_detail{name="${check}"} > 0`,
        for: "5m",
        labels: { severity },
        annotations: { summary, description: `Ceph raises ${check}; run 'ceph health detail' in the toolbox.` },
    };
}

/** A PrometheusRule spec: cluster health, full and nearly full OSDs and pools, raw capacity, the mgr target. */
export function cephRuleSpec(): Record<string, unknown> {
    const rules: Alert[] = [
        {
            alert: "CephHealthError",
            expr: "ceph_health_status == 2",
            for: "5m",
            labels: { severity: "critical" },
            annotations: {
                summary: "Ceph is in HEALTH_ERR",
                description: "The cluster has been HEALTH_ERR for 5 minutes; run 'ceph health detail' in the toolbox.",
            },
        },
        {
            alert: "CephHealthWarning",
            expr: "ceph_health_status == 1",
            for: "15m",
            labels: { severity: "warning" },
            annotations: {
                summary: "Ceph is in HEALTH_WARN",
                description:
                    "The cluster has been HEALTH_WARN for 15 minutes; run 'ceph health detail' in the toolbox.",
            },
        },
        healthCheck("CephOSDNearFull", "OSD_NEARFULL", "warning", "An OSD is nearly full"),
        healthCheck("CephOSDFull", "OSD_FULL", "critical", "An OSD is full: writes are blocked"),
        healthCheck("CephPoolNearFull", "POOL_NEAR_FULL", "warning", "A pool is nearly full"),
        healthCheck("CephPoolFull", "POOL_FULL", "critical", "A pool is full: writes to it are blocked"),
        {
            alert: "CephCapacityHigh",
            expr: "ceph_cluster_total_used_bytes / ceph_cluster_total_bytes > 0.75",
            for: "30m",
            labels: { severity: "warning" },
            annotations: {
                summary: "Ceph raw capacity is over 75% used",
                description: "Add OSD disks or free space before OSDs reach the nearfull ratio (85% by default).",
            },
        },
        {
            alert: "CephMgrMetricsAbsent",
            expr: `absent(up{job="${CEPH_MGR_SERVICE}"} == 1)`,
            for: "10m",
            labels: { severity: "warning" },
            annotations: {
                summary: "Prometheus gets no Ceph metrics",
                description: `The ${CEPH_MGR_SERVICE} Service has no reachable target: check the mgr pod and its prometheus module.`,
            },
        },
    ];
    return { groups: [{ name: "ceph", rules }] };
}
