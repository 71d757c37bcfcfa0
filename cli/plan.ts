/**
 * `npm run plan -- --stack <name> [--json]`: checks a stack without cluster, Pulumi CLI or passphrase.
 * Exits 1 on config errors or error-level policy findings, 2 on bad usage.
 * `--diff-chart <new chart>` (needs helm, or HELM naming it) also shows what upgrading AI Hub to that chart changes.
 */
import * as path from "node:path";
import { chartDiffForStack, renderChartDiff, type ChartDiff } from "../plan/chart-diff";
import { renderJson, renderText } from "../plan/print";
import { readStackFile } from "../stacks/stackfile";
import { validateConfig } from "../stacks/validate";
import { runPlan } from "../plan/run";
import { parseCli, runCli } from "./run";

const USAGE =
    "usage: npm run plan -- --stack <name> [--json] [--dir <project dir>] [--diff-chart <new AI Hub chart .tgz>]";

async function main(): Promise<number> {
    const parsed = parseCli(USAGE, {
        options: {
            stack: { type: "string", short: "s" },
            json: { type: "boolean" },
            dir: { type: "string" },
            "diff-chart": { type: "string" },
            help: { type: "boolean", short: "h" },
        },
    });
    if (!parsed) return 2;
    const args = parsed.values;
    if (args.help) {
        console.log(USAGE);
        return 0;
    }
    if (!args.stack) {
        console.error(`--stack is required\n${USAGE}`);
        return 2;
    }
    const projectDir = path.resolve(args.dir ?? path.join(__dirname, ".."));
    const plan = await runPlan({ projectDir, stack: args.stack });
    let diff: ChartDiff | undefined;
    if (args["diff-chart"] && plan.errors.length === 0) {
        const sf = readStackFile(projectDir, args.stack);
        const cfg = validateConfig(
            { values: sf.values, securePaths: sf.securePaths },
            { baseDir: projectDir, missing: "warn" },
        ).config!;
        diff = chartDiffForStack(process.env.HELM ?? "helm", cfg, path.resolve(args["diff-chart"]), projectDir);
    }
    if (args.json) {
        const doc = JSON.parse(renderJson(plan)) as Record<string, unknown>;
        console.log(JSON.stringify(diff ? { ...doc, chartDiff: diff } : doc, null, 2));
    } else {
        console.log(renderText(plan));
        if (diff) console.log(`\n${renderChartDiff(diff)}`);
    }
    return plan.errors.length || plan.findings.some((f) => f.level === "error") ? 1 : 0;
}

runCli("plan", main);
