/**
 * `npm run plan -- --stack <name> [--json]`: checks a stack without cluster, Pulumi CLI or passphrase.
 * Exits 1 on config errors or error-level policy findings, 2 on bad usage. With `--json`, stdout is always one JSON
 * document, failures included. `--diff-chart <new chart>` (needs helm, or HELM naming it) also shows what upgrading
 * AI Hub to that chart changes.
 */
import * as path from "node:path";
import { chartDiffForStack, renderChartDiff, type ChartDiff } from "../platform/plan/chart-diff";
import { failedPlanJson, renderJson, renderText } from "../platform/plan/print";
import { readStackFile } from "../config/stackfile";
import { requireStack } from "../config/load";
import { PLATFORM_SPEC } from "../platform/spec";
import { checkoutRoot } from "../lib/checkout";
import { parseCli, runCli, writeStdout } from "./run";

// The plan never prints a stack trace (runCli prints one line), but the Pulumi SDK captures one for every promise it
// makes (runtime/debuggable.js): for a 100-node stack that was a quarter of the run. Capture none.
Error.stackTraceLimit = 0;

const USAGE =
    "usage: npm run plan -- --stack <name> [--json] [--dir <project dir>] [--diff-chart <new AI Hub chart .tgz>]";
const json = process.argv.includes("--json");
const stackArg = () => {
    const i = process.argv.findIndex((a) => a === "--stack" || a === "-s");
    return i >= 0 ? process.argv[i + 1] : undefined;
};
/** A failure as one JSON document on stdout (with --json) or one line on stderr. */
const report = (line: string): Promise<void> => {
    if (json) return writeStdout(failedPlanJson(stackArg(), line) + "\n");
    console.error(line);
    return Promise.resolve();
};

async function main(): Promise<number> {
    let usageError = "";
    const parsed = parseCli(
        USAGE,
        {
            options: {
                stack: { type: "string", short: "s" },
                json: { type: "boolean" },
                dir: { type: "string" },
                "diff-chart": { type: "string" },
                help: { type: "boolean", short: "h" },
            },
        },
        (m) => (usageError = `${m}\n${USAGE}`),
    );
    if (!parsed) {
        await report(usageError);
        return 2;
    }
    const args = parsed.values;
    if (args.help) {
        console.log(USAGE);
        return 0;
    }
    if (!args.stack) {
        await report(`--stack is required\n${USAGE}`);
        return 2;
    }
    const projectDir = path.resolve(args.dir ?? checkoutRoot());
    // A stack file that cannot be read fails here, before the Pulumi runtime is loaded (seconds on a busy machine).
    readStackFile(projectDir, args.stack);
    const { runPlan } = await import("../platform/plan/run");
    const plan = await runPlan({ projectDir, stack: args.stack });
    let diff: ChartDiff | undefined;
    if (args["diff-chart"] && plan.errors.length === 0) {
        const cfg = requireStack(PLATFORM_SPEC, { projectDir, stack: args.stack }).config;
        diff = chartDiffForStack(process.env.HELM ?? "helm", cfg, path.resolve(args["diff-chart"]), projectDir);
    }
    if (args.json) {
        const doc = JSON.parse(renderJson(plan)) as Record<string, unknown>;
        await writeStdout(JSON.stringify(diff ? { ...doc, chartDiff: diff } : doc, null, 2) + "\n");
    } else {
        await writeStdout(renderText(plan) + (diff ? `\n\n${renderChartDiff(diff)}` : "") + "\n");
    }
    return plan.errors.length || plan.findings.some((f) => f.level === "error") ? 1 : 0;
}

runCli("plan", main, report);
