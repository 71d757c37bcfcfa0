/**
 * Where the bundle lands inside the gap: the stack names the bundle (`bundle.path`) and every chart
 * (`rook.chart`, `rook.csiDriversChart`, `aihub.chart`) by path, and the bundle stores charts under `charts/`.
 * When those disagree the inside finds nothing, so the bastion says so before anything is carried.
 */
import * as path from "node:path";
import type { PlatformConfig } from "../platform/contracts";

/** The stack's chart paths by config key. */
function chartKeys(cfg: PlatformConfig): [string, string][] {
    return [
        ["rook.chart", cfg.rook.chart],
        ...(cfg.rook.csiDriversChart ? [["rook.csiDriversChart", cfg.rook.csiDriversChart] as [string, string]] : []),
        ["aihub.chart", cfg.aihub.chart],
    ];
}

/** The bundle directory relative to the project (the stack's `bundle.path`, else where `--out` put it). */
export function bundlePathOf(cfg: PlatformConfig, projectDir: string, out: string): string {
    return cfg.bundle?.path ?? `./${path.relative(projectDir, out)}`;
}

/** One line per disagreement between `--out`, `bundle.path` and the chart paths, each naming the key and the fix. */
export function placementWarnings(cfg: PlatformConfig, projectDir: string, out: string): string[] {
    const bundleDir = path.resolve(projectDir, bundlePathOf(cfg, projectDir, out));
    const warnings: string[] = [];
    if (path.resolve(out) !== bundleDir) {
        warnings.push(
            `--out ${out} is not bundle.path (${cfg.bundle?.path}): inside the gap, put the bundle at ${cfg.bundle?.path}`,
        );
    }
    for (const [key, chart] of chartKeys(cfg)) {
        const carried = path.join(bundleDir, "charts", path.basename(chart));
        if (path.resolve(projectDir, chart) !== carried) {
            const rel = `./${path.relative(projectDir, carried)}`;
            warnings.push(`${key} is ${chart}, but inside the gap the chart is at ${rel}: set ${key}: ${rel}`);
        }
    }
    return warnings;
}
