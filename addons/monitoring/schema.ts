/**
 * `aihub-airgap:addons.monitoring`: kube-prometheus-stack with persistent Prometheus, Alertmanager and Grafana on the
 * Ceph RWO class, Grafana under a path of the AI Hub host.
 */
import { z } from "zod";
import { k8sName, quantity } from "../../config/schema";
import { isQuantity, quantityBytes } from "../../lib/quantity";
import { catalogVersion, chartPath } from "../shared/chart";
import { MONITORING_CATALOG, MONITORING_VERSION } from "./catalog";

/** A size with a floor (a volume below it cannot hold what it is for). */
const sizeAtLeast = (min: string, why: string) =>
    quantity.refine((v) => !isQuantity(v) || quantityBytes(v) >= quantityBytes(min), {
        error: `is below ${min}, too small ${why} (give at least ${min})`,
    });

/** Prometheus' retention duration (its CRD pattern), e.g. 15d or 1w. */
const PROM_DURATION = /^(0|(([0-9]+)y)?(([0-9]+)w)?(([0-9]+)d)?(([0-9]+)h)?(([0-9]+)m)?(([0-9]+)s)?(([0-9]+)ms)?)$/;
/** Alertmanager's retention (its CRD pattern): one number and unit, at most hours. */
const AM_DURATION = /^[0-9]+(ms|s|m|h)$/;
/** Prometheus' ByteSize (its CRD pattern), e.g. 40GiB. */
const BYTE_SIZE = /^(0|([0-9]*[.])?[0-9]+((K|M|G|T|E|P)i?)?B)$/;

/** A URL path prefix: `/name`, lower-case letters, digits and '-', no trailing slash. */
export const uiPath = z.string().regex(/^(\/[a-z0-9][a-z0-9-]*)+$/, {
    error: "must be a path under the AI Hub host like /addons/grafana (a leading '/', no trailing '/', no '/' alone: AI Hub owns the root)",
});

export const monitoringSchema = z.strictObject({
    /** Packaged kube-prometheus-stack chart, e.g. ./bundle/charts/kube-prometheus-stack-88.5.3.tgz. */
    chart: chartPath,
    /** Chart version; selects the image catalog. @default 88.5.3 */
    version: catalogVersion(Object.keys(MONITORING_CATALOG), "addons/monitoring/catalog.ts").default(
        MONITORING_VERSION,
    ),
    /** Namespace of the stack (created here). @default monitoring */
    namespace: k8sName.default("monitoring"),
    prometheus: z
        .strictObject({
            /** Volume size. @default 50Gi */
            storage: sizeAtLeast("2Gi", "for a Prometheus TSDB").default("50Gi"),
            /** How long samples are kept. @default 15d */
            retention: z
                .string()
                .regex(PROM_DURATION, { error: "is not a Prometheus duration (write it like 15d, 2w or 36h)" })
                .min(1, { error: "is empty (write a duration like 15d, 2w or 36h)" })
                .default("15d"),
            /**
             * Size at which the oldest blocks go, below the volume size. @default 85% of `storage` (so the volume
             * never fills up before the retention time is reached)
             */
            retentionSize: z
                .string()
                .regex(BYTE_SIZE, { error: "is not a Prometheus byte size (write it like 40GiB or 500MiB)" })
                .optional(),
        })
        .prefault({}),
    alertmanager: z
        .strictObject({
            /** Volume size. @default 5Gi */
            storage: sizeAtLeast("100Mi", "for Alertmanager's silences and notification log").default("5Gi"),
            /** How long silences and the notification log are kept. @default 120h */
            retention: z
                .string()
                .regex(AM_DURATION, { error: "is not an Alertmanager duration (hours at most: write it like 120h)" })
                .default("120h"),
        })
        .prefault({}),
    grafana: z
        .strictObject({
            /** Volume size (dashboards, users, plugins state). @default 10Gi */
            storage: sizeAtLeast("1Gi", "for Grafana's database").default("10Gi"),
            /**
             * Path under `https://<aihub.domain>` where Grafana is served; not one AI Hub serves (its own Grafana is at
             * /grafana). @default /addons/grafana
             */
            path: uiPath.default("/addons/grafana"),
        })
        .prefault({}),
    /** Scrape the Ceph mgr's metrics and alert on Ceph health and full pools/OSDs. @default true */
    ceph: z.boolean({ error: "must be true or false" }).default(true),
});

/** The validated `addons.monitoring` section. */
export type MonitoringConfig = z.output<typeof monitoringSchema>;
