/** Rules comparing `addons.monitoring` with the rest of the config. */
import type { PlatformConfig } from "../../platform/contracts";
import { quantityBytes } from "../../lib/quantity";
import type { AddOnProblems } from "../../platform/contracts";
import { aihubPathProblems } from "../shared/aihub-paths";
import { chartVersionProblems } from "../shared/chart";
import type { MonitoringConfig } from "./schema";

const POWERS: Record<string, number> = { "": 0, K: 1, M: 2, G: 3, T: 4, P: 5, E: 6 };

/** Bytes of a Prometheus ByteSize (`40GiB`, `512MB`); Prometheus reads both unit forms as powers of 1024. */
export function byteSizeBytes(v: string): number {
    const m = /^(([0-9]*[.])?[0-9]+)((K|M|G|T|E|P)?i?)B$/.exec(v);
    if (!m) return 0;
    return Number(m[1]) * 1024 ** POWERS[(m[4] ?? "") as keyof typeof POWERS];
}

/**
 * The add-on's rules: chart file and version agree, Grafana's path is not one AI Hub serves, retention fits the
 * volume, which class holds the volumes.
 */
export function monitoringRules(s: MonitoringConfig, all: Partial<PlatformConfig>): AddOnProblems {
    const at = "addons.monitoring";
    const errors = chartVersionProblems(`${at}.chart`, s.chart, s.version, `kube-prometheus-stack-${s.version}.tgz`);
    errors.push(...aihubPathProblems(`${at}.grafana.path`, s.grafana.path, all, "/addons/grafana"));
    const size = s.prometheus.retentionSize;
    if (size !== undefined && byteSizeBytes(size) >= quantityBytes(s.prometheus.storage)) {
        errors.push({
            path: `${at}.prometheus.retentionSize`,
            text: `${size} does not fit the ${s.prometheus.storage} volume (prometheus.storage): Prometheus would fill it before deleting old blocks (give less, about 85% of the volume, or leave it out for that default)`,
        });
    }
    const warnings = [];
    if (all.ceph && all.ceph.blockStorageClass === undefined) {
        warnings.push({
            path: at,
            text: `ceph.blockStorageClass is not set, so the Prometheus, Alertmanager and Grafana volumes go on the CephFS class ${all.ceph.storageClass} (set ceph.blockStorageClass for RBD volumes, which Prometheus' database prefers)`,
        });
    }
    return { errors, warnings };
}
