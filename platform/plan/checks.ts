/**
 * Every policy finding over a program's registered resources: the checks of the resource graph (findings.ts and
 * policies/) and of the releases as helm renders them (render.ts). One implementation for `npm run plan`, which
 * records the resources under the mock runtime, and for the CrossGuard policy pack (policy/), which gets them from the
 * engine during `pulumi preview` and `pulumi up`.
 */
import type { PlatformConfig } from "../contracts";
import { runPolicies } from "./findings";
import type { Checked, Finding } from "./policy";
import { releaseImageFindings } from "./policies/releases";
import { RENDER_POLICIES } from "./policies/render";
import { renderRelease } from "./render";

/** The findings of `resources` for a stack's config; chart paths are relative to `projectDir`. */
export function planFindings(resources: Checked[], cfg: PlatformConfig, projectDir: string): Finding[] {
    return [
        ...runPolicies(resources, cfg),
        ...renderFindings(resources, cfg, projectDir),
        ...releaseImageFindings(resources, cfg, projectDir),
    ];
}

/** Findings of the helm-rendered AI Hub release; a warning says when it could not be rendered here. */
function renderFindings(resources: Checked[], cfg: PlatformConfig, projectDir: string): Finding[] {
    const release = resources.find(
        (r) => r.type === "kubernetes:helm.sh/v3:Release" && r.inputs.chart === cfg.aihub.chart,
    );
    if (!release) return [];
    const render = renderRelease(release, projectDir);
    if ("objects" in render) return RENDER_POLICIES.flatMap((p) => p(render, release, cfg));
    const failed = "failed" in render;
    return [
        {
            level: failed ? "error" : "warning",
            rule: "aihub-render",
            resource: release.urn,
            text: failed
                ? render.failed
                : `the AI Hub release was not rendered (${render.skipped}), so chart placeholders and volume sizes are unchecked`,
        },
    ];
}
