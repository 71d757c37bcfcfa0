/**
 * What a stack needs carried across the gap (design §6): its charts, its images (catalog per Rook and AI Hub
 * version, the Ceph image from config, extra images, and on the bastion the images found by rendering the
 * charts), each with its place in the private registry (design §5). pipeline/inventory.ts adds the provider plugins
 * and the Pulumi CLI.
 */
import { enabledAddOns } from "./registry";
import { aihubImages } from "../catalog/aihub";
import { backupImages } from "../catalog/backup";
import { rookImages } from "../catalog/rook";
import { isInRegistry, mapImages, type ImageMapping } from "../lib/imageref";
import type { PlatformConfig } from "./contracts";

/** A chart the stack installs. */
export interface ChartNeed {
    /** The config key that names it. */
    key: string;
    /** Path as given in config. */
    path: string;
}

/** The charts a stack installs, from config. */
export function stackCharts(cfg: PlatformConfig): ChartNeed[] {
    const charts: ChartNeed[] = [{ key: "rook.chart", path: cfg.rook.chart }];
    if (cfg.rook.csiDriversChart) charts.push({ key: "rook.csiDriversChart", path: cfg.rook.csiDriversChart });
    charts.push({ key: "aihub.chart", path: cfg.aihub.chart });
    for (const { addon, section } of enabledAddOns(cfg.addons)) charts.push(...addon.charts(section));
    return charts;
}

/** Upstream images the stack needs that config names directly (the Ceph image also runs the toolbox). */
export function configImages(cfg: PlatformConfig): string[] {
    return [cfg.ceph.image, ...(cfg.bundle?.extraImages ?? [])];
}

/**
 * Upstream images the catalogs list for the configured Rook and AI Hub versions (run-time images included), plus
 * the snapshot-controller and backup tools when the stack installs them, and each enabled add-on's images.
 */
export function catalogImages(cfg: PlatformConfig): string[] {
    const snapshots = cfg.ceph.snapshotClass || cfg.backup !== undefined;
    return [
        ...rookImages(cfg.rook.version),
        ...aihubImages(cfg.aihub.version),
        ...backupImages({
            snapshotController: snapshots && cfg.ceph.snapshotController,
            backup: cfg.backup !== undefined,
        }),
        ...enabledAddOns(cfg.addons).flatMap(({ addon, section }) => addon.images(section, cfg)),
    ];
}

/**
 * The stack's images mapped into its private registry; throws on a target collision. `rendered` adds the images
 * found by rendering the charts (the bundle command does that with helm; `plan` stays offline and leaves it out).
 * Rendered references already inside the private registry are not upstream images and are dropped. `listed` adds
 * the images of `bundle --images-from` lists.
 */
export function stackImages(
    cfg: PlatformConfig,
    rendered: readonly string[] = [],
    listed: readonly string[] = [],
): ImageMapping[] {
    const upstream = rendered.filter((r) => !isInRegistry(r, cfg.registry.server));
    return mapImages([...catalogImages(cfg), ...configImages(cfg), ...upstream, ...listed], cfg.registry.server);
}
