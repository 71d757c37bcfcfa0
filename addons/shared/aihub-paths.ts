/**
 * Add-on UIs share `aihub.domain` with AI Hub, where the longer path prefix wins (Gateway API, ingress-nginx): an
 * add-on path that equals, contains or lies under a path AI Hub serves would hide that part of AI Hub (its Grafana,
 * notebooks, Keycloak sign-in) or be hidden by it. The paths come from catalog/aihub-paths.ts per chart version, with
 * the stack's AI Hub values applied.
 */
import { aihubServedPaths, pathsCollide } from "../../catalog/aihub-paths";
import type { Problem } from "../../lib/problems";
import type { PlatformConfig } from "../../platform/contracts";

/** The problems of an add-on UI path (`key`, e.g. `addons.monitoring.grafana.path`); `suggestion` is a free path. */
export function aihubPathProblems(
    key: string,
    path: string,
    all: Partial<PlatformConfig>,
    suggestion: string,
): Problem[] {
    const aihub = all.aihub;
    if (!aihub) return [];
    const served = aihubServedPaths(
        aihub.version,
        (aihub as { vendorValues?: Record<string, unknown> }).vendorValues ?? {},
        aihub.values ?? {},
    );
    return served
        .filter((s) => pathsCollide(path, s.path))
        .map((s) => ({
            path: key,
            text:
                `${path} collides with ${s.path}, where ${s.what} is served` +
                `${s.key ? ` (${s.key} of the AI Hub ${aihub.version} chart)` : ` (fixed by the AI Hub ${aihub.version} chart)`}; ` +
                `on one host the longer path prefix wins, so one would hide the other ` +
                `(choose a path that is neither ${s.path}, nor above or under it, e.g. ${suggestion})`,
        }));
}
