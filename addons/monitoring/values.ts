/**
 * kube-prometheus-stack values: every image (rendered and run-time) from the catalog into the private registry,
 * volumes on the Ceph RWO class, Prometheus picking up monitors and rules from every namespace by one label set, and
 * Grafana served under a path of the AI Hub host with its admin password from an existing Secret.
 */
import { parseImageRef } from "../../lib/imageref";
import { quantityBytes } from "../../lib/quantity";
import type { MonitoringImageSet } from "./catalog";
import type { MonitoringConfig } from "./schema";

/** Helm release name; it prefixes the chart's object names and is the value of the selector label. */
export const RELEASE_NAME = "monitoring";

/** Labels a ServiceMonitor, PodMonitor or PrometheusRule needs for this Prometheus to pick it up. */
export const SELECTOR_LABELS: Record<string, string> = { release: RELEASE_NAME };

/** The label (and value) Grafana's sidecar loads dashboards from, in ConfigMaps of any namespace. */
export const DASHBOARD_LABELS: Record<string, string> = { grafana_dashboard: "1" };

/** The uid of the Prometheus datasource the chart provisions in Grafana (dashboards refer to it). */
export const DATASOURCE_UID = "prometheus";

/** Grafana's Service (the grafana subchart's full name under this release) and its port. */
export const GRAFANA_SERVICE = `${RELEASE_NAME}-grafana`;
export const GRAFANA_PORT = 80;

/** Keys of the admin Secret the chart reads (`grafana.admin.*Key`). */
export const GRAFANA_ADMIN_KEYS = { user: "admin-user", password: "admin-password" } as const;

/** An image as the chart's `{registry, repository, tag}` triple, inside the private registry. */
export function registryImage(ref: string, registry: string): { registry: string; repository: string; tag: string } {
    const r = parseImageRef(ref);
    if (!r.tag) throw new Error(`image ${ref} needs a tag (the chart composes registry/repository:tag)`);
    return { registry, repository: r.path, tag: r.tag };
}

/** Prometheus' size-based retention: the configured one, else 85% of the volume in MiB (ByteSize is base 2). */
export function retentionSize(p: MonitoringConfig["prometheus"]): string {
    return p.retentionSize ?? `${Math.floor((quantityBytes(p.storage) * 0.85) / 2 ** 20)}MiB`;
}

/** A ReadWriteOnce claim template of `size` on `storageClass`. */
function claim(storageClass: string, size: string) {
    return {
        volumeClaimTemplate: {
            spec: {
                storageClassName: storageClass,
                accessModes: ["ReadWriteOnce"],
                resources: { requests: { storage: size } },
            },
        },
    };
}

/** What the values depend on besides the section. */
export interface MonitoringValuesInput {
    section: MonitoringConfig;
    images: MonitoringImageSet;
    /** Private registry `host[:port][/project]`. */
    registry: string;
    /** Pull Secret in the namespace. */
    pullSecretName: string;
    /** The Ceph RWO StorageClass. */
    storageClass: string;
    /** Secret holding Grafana's admin user and password (keys {@link GRAFANA_ADMIN_KEYS}). */
    adminSecretName: string;
    /** Where users open Grafana, e.g. https://aihub.example.com/addons/grafana. */
    grafanaUrl: string;
}

/** The chart values. */
export function monitoringValues(i: MonitoringValuesInput): Record<string, unknown> {
    const img = (ref: string) => registryImage(ref, i.registry);
    const s = i.section;
    const selector = { matchLabels: SELECTOR_LABELS };
    const host = new URL(i.grafanaUrl).hostname;
    return {
        // Catches any image the roles below miss (e.g. thanos, only with Thanos on): same path, private registry.
        global: { imageRegistry: i.registry, imagePullSecrets: [{ name: i.pullSecretName }] },
        windowsMonitoring: { enabled: false },
        prometheusOperator: {
            image: img(i.images.operator),
            prometheusConfigReloader: { image: img(i.images.configReloader) },
            admissionWebhooks: { patch: { image: img(i.images.webhookCertgen) } },
        },
        prometheus: {
            prometheusSpec: {
                image: img(i.images.prometheus),
                retention: s.prometheus.retention,
                retentionSize: retentionSize(s.prometheus),
                storageSpec: claim(i.storageClass, s.prometheus.storage),
                // One label set selects monitors and rules in every namespace (empty namespace selectors = all).
                serviceMonitorSelectorNilUsesHelmValues: false,
                serviceMonitorSelector: selector,
                serviceMonitorNamespaceSelector: {},
                podMonitorSelectorNilUsesHelmValues: false,
                podMonitorSelector: selector,
                podMonitorNamespaceSelector: {},
                ruleSelectorNilUsesHelmValues: false,
                ruleSelector: selector,
                ruleNamespaceSelector: {},
            },
        },
        alertmanager: {
            alertmanagerSpec: {
                image: img(i.images.alertmanager),
                retention: s.alertmanager.retention,
                storage: claim(i.storageClass, s.alertmanager.storage),
            },
        },
        grafana: {
            image: img(i.images.grafana),
            sidecar: { image: img(i.images.grafanaSidecar) },
            initChownData: { image: img(i.images.grafanaInit) },
            // The helm test pod pulls bats from Docker Hub; it is never run here.
            testFramework: { enabled: false },
            admin: {
                existingSecret: i.adminSecretName,
                userKey: GRAFANA_ADMIN_KEYS.user,
                passwordKey: GRAFANA_ADMIN_KEYS.password,
            },
            // The volume is ReadWriteOnce: the old pod must let go of it before the new one starts (the chart's
            // RollingUpdate would leave a new pod on another node waiting for the attachment).
            deploymentStrategy: { type: "Recreate" },
            persistence: {
                enabled: true,
                type: "pvc",
                storageClassName: i.storageClass,
                accessModes: ["ReadWriteOnce"],
                size: s.grafana.storage,
            },
            "grafana.ini": {
                server: { domain: host, root_url: i.grafanaUrl, serve_from_sub_path: true },
                // No update checks or usage reports from inside the gap.
                analytics: { check_for_updates: false, reporting_enabled: false },
            },
        },
        "kube-state-metrics": { image: img(i.images.kubeStateMetrics) },
        // The catalog tag already names the distroless variant; the chart would append it again.
        "prometheus-node-exporter": { image: { ...img(i.images.nodeExporter), distroless: false } },
    };
}
