/** Renders a plan as text for people or as one JSON document for scripts. */
import { formatProblem } from "../../lib/problems";
import type { PlanResult } from "./run";
import type { Registration } from "./recorder";

/** A short label for a resource: `Type name`. */
function label(r: Registration): string {
    const type = r.type.replace(/^kubernetes:/, "").replace(/^aihub-airgap:/, "");
    return `${type} ${r.name}`;
}

/** The resource tree with dependency edges and protection marks. */
export function renderTree(resources: readonly Registration[]): string[] {
    const byUrn = new Map(resources.map((r) => [r.urn, r]));
    const lines: string[] = [];
    const walk = (r: Registration, depth: number) => {
        const deps = r.deps
            .filter((d) => d !== r.parent)
            .map((d) => byUrn.get(d))
            .filter((d): d is Registration => !!d)
            .map((d) => d.name);
        const marks = [
            r.protect ? "protected" : "",
            r.customTimeouts?.create ? `timeout ${r.customTimeouts.create}` : "",
        ].filter(Boolean);
        lines.push(
            `${"  ".repeat(depth)}${label(r)}${marks.length ? ` [${marks.join(", ")}]` : ""}` +
                (deps.length ? `  <- ${[...new Set(deps)].join(", ")}` : ""),
        );
        for (const c of resources.filter((x) => x.parent === r.urn)) walk(c, depth + 1);
    };
    for (const root of resources.filter((r) => !r.parent || !byUrn.has(r.parent))) walk(root, 0);
    return lines;
}

/** The plan as human-readable text. */
export function renderText(p: PlanResult): string {
    const out: string[] = [`Plan for stack "${p.stack}" (${p.file})`];
    if (p.errors.length) {
        out.push("", `Config errors (${p.errors.length}):`, ...p.errors.map((e) => `  ${formatProblem(e)}`));
    }
    if (p.warnings.length) {
        out.push("", `Warnings (${p.warnings.length}):`, ...p.warnings.map((w) => `  ${formatProblem(w)}`));
    }
    if (p.errors.length) return [...out, "", ...nextSteps(p)].join("\n");
    out.push(
        "",
        `Resources (${p.resources.length}; "<-" lists dependencies):`,
        ...renderTree(p.resources).map((l) => `  ${l}`),
    );
    out.push("", `Images (${p.images.length}):`, ...p.images.map((i) => `  ${i.source} -> ${i.target}`));
    out.push(
        "",
        `Charts (${p.charts.length}):`,
        ...p.charts.map((c) => `  ${c.key}: ${c.path}${c.present ? "" : " (not present yet: run npm run bundle)"}`),
    );
    out.push("", `Policy findings (${p.findings.length}):`);
    out.push(...(p.findings.length ? p.findings.map((f) => `  ${f.level} ${f.rule}: ${f.text}`) : ["  none"]));
    return [...out, "", ...nextSteps(p)].join("\n");
}

/** What to run next, from what the plan found (the runbook is docs/install-and-runbook.md). */
function nextSteps(p: PlanResult): string[] {
    const s = p.stack;
    if (p.errors.length || p.findings.some((f) => f.level === "error")) {
        return ["Next: fix the errors above (each names its key and the fix), then run the plan again."];
    }
    if (p.charts.some((c) => !c.present)) {
        return [
            "Next: build the bundle on the bastion and carry it here (docs/install-and-runbook.md):",
            `  npm run bundle -- --stack ${s} --out bundle    # on the bastion`,
            "  npm run verify -- bundle                        # inside the gap",
            `  npm run pulumi -- preview --stack ${s}`,
        ];
    }
    return [
        `Next: npm run pulumi -- preview --stack ${s}, then npm run pulumi -- up --stack ${s} (docs/install-and-runbook.md).`,
    ];
}

/** The JSON document of a plan that could not run (bad usage, unreadable stack file): the same keys, empty. */
export function failedPlanJson(stack: string | undefined, error: string): string {
    const doc = {
        stack: stack ?? null,
        ok: false,
        errors: [error],
        warnings: [],
        resources: [],
        images: [],
        charts: [],
    };
    return JSON.stringify({ ...doc, findings: [] }, null, 2);
}

/** The plan as the JSON document of design §7. */
export function renderJson(p: PlanResult): string {
    return JSON.stringify(
        {
            stack: p.stack,
            ok: p.errors.length === 0 && !p.findings.some((f) => f.level === "error"),
            errors: p.errors.map(formatProblem),
            warnings: p.warnings.map(formatProblem),
            resources: p.resources.map((r) => ({
                urn: r.urn,
                type: r.type,
                name: r.name,
                parent: r.parent || undefined,
                dependsOn: r.deps,
                protect: r.protect,
                customTimeouts: r.customTimeouts,
            })),
            images: p.images,
            charts: p.charts,
            findings: p.findings,
        },
        null,
        2,
    );
}
