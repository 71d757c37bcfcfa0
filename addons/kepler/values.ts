/**
 * Kepler chart values: the image from the private registry, the ServiceAccount ours (the chart has no pull-secret
 * value, so the account that carries it is created with the pull secret and the chart's RBAC is replaced by ours),
 * and the chart's ServiceMonitor labelled for the monitoring add-on's Prometheus.
 */
import { mapRepository, parseImageRef } from "../../lib/imageref";

/** Helm release name (the chart's full name: DaemonSet, Service, ConfigMap, ServiceMonitor are named after it). */
export const RELEASE_NAME = "kepler";
/** The ServiceAccount the DaemonSet runs as (created by the component, with the pull secret). */
export const SERVICE_ACCOUNT = "kepler";

/** What the values depend on. */
export interface KeplerValuesInput {
    /** Upstream Kepler image. */
    image: string;
    /** Private registry `host[:port][/project]`. */
    registry: string;
    /** Labels the monitoring Prometheus selects ServiceMonitors by. */
    selectorLabels: Record<string, string>;
    /** Scrape interval. */
    scrapeInterval: string;
}

/** The chart values. */
export function keplerValues(i: KeplerValuesInput): Record<string, unknown> {
    const tag = parseImageRef(i.image).tag;
    if (!tag) throw new Error(`Kepler image ${i.image} needs a tag`);
    return {
        image: { repository: mapRepository(i.image, i.registry), tag, pullPolicy: "IfNotPresent" },
        serviceAccount: { create: true, name: SERVICE_ACCOUNT },
        rbac: { create: false },
        serviceMonitor: { enabled: true, interval: i.scrapeInterval, labels: i.selectorLabels },
        // The chart's default is debug, one line per process per interval.
        config: { log: { level: "info" } },
    };
}
