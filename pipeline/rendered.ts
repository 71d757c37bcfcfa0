/**
 * Images of the Helm releases as the stack installs them: the program runs under the mock runtime (as `plan` does),
 * and each recorded Release's chart is rendered with helm using that release's own values — vendor values file,
 * computed values and inline `aihub.values` — so images chosen through values are carried, not chart defaults.
 * Runs on the bastion (bundle); needs helm and the chart files.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { runPlan } from "../platform/plan/run";
import { renderChartImages } from "./charts";
import { scratchDir } from "./scratch";

/** The Release type token of @pulumi/kubernetes. */
const RELEASE = "kubernetes:helm.sh/v3:Release";

/** Every container image the stack's releases render (before any relocation), sorted. */
export async function releaseImages(
    projectDir: string,
    stack: string,
    helm = process.env.HELM ?? "helm",
): Promise<string[]> {
    const plan = await runPlan({ projectDir, stack });
    if (plan.errors.length) {
        throw new Error(`stack ${stack} is not valid:\n${plan.errors.map((e) => `  ${e.path}: ${e.text}`).join("\n")}`);
    }
    // The values hold generated (mock) credentials: keep them in a private dir that goes away.
    const scratch = scratchDir("aihub-values-");
    try {
        const found = new Set<string>();
        for (const r of plan.resources.filter((x) => x.type === RELEASE)) {
            const i = r.inputs as { chart: string; values?: Record<string, unknown> };
            const file = path.join(scratch.dir, `${r.name}.json`);
            fs.writeFileSync(file, JSON.stringify(i.values ?? {}), { mode: 0o600 });
            for (const img of renderChartImages(path.resolve(projectDir, i.chart), helm, [file])) found.add(img);
        }
        return [...found].sort();
    } finally {
        scratch.remove();
    }
}
