/**
 * What a stack needs carried across the gap: its charts and its images, each image with its place in the private
 * registry (design §5, §6).
 */
import { mapImages, type ImageMapping } from "./imageref";
import type { PlatformConfig } from "../stacks/schema";

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
    return charts;
}

/** Upstream images the stack needs that config names directly. */
export function configImages(cfg: PlatformConfig): string[] {
    return [cfg.ceph.image, ...(cfg.bundle?.extraImages ?? [])];
}

/** The stack's images mapped into its private registry; throws on a target collision. */
export function stackImages(cfg: PlatformConfig): ImageMapping[] {
    return mapImages(configImages(cfg), cfg.registry.server);
}
