/** `aihub-airgap:addons.kepler`: Kepler's per-pod energy metrics, scraped by the monitoring add-on's Prometheus. */
import { z } from "zod";
import { k8sName } from "../../config/schema";
import { catalogVersion, chartPath } from "../shared/chart";
import { KEPLER_CATALOG, KEPLER_VERSION } from "./catalog";

export const keplerSchema = z.strictObject({
    /** Packaged Kepler chart, e.g. ./bundle/charts/kepler-0.11.4.tgz. */
    chart: chartPath,
    /** Chart version; selects the image. @default 0.11.4 */
    version: catalogVersion(Object.keys(KEPLER_CATALOG), "addons/kepler/catalog.ts").default(KEPLER_VERSION),
    /** Namespace of the exporter (created here). @default kepler */
    namespace: k8sName.default("kepler"),
    /** How often Prometheus scrapes Kepler (the counters are cumulative, so a longer interval loses nothing). @default 30s */
    scrapeInterval: z
        .string()
        .regex(/^[1-9][0-9]*(s|m)$/, { error: "is not a scrape interval (write it like 30s or 1m)" })
        .default("30s"),
});

/** The validated `addons.kepler` section. */
export type KeplerConfig = z.output<typeof keplerSchema>;
