/**
 * `npm run plan -- --stack <name> [--json]`: checks a stack without cluster, Pulumi CLI or passphrase.
 * Exits 1 on config errors or error-level policy findings, 2 on bad usage.
 */
import { renderJson, renderText } from "../plan/print";
import { runPlan } from "../plan/run";
import { parseCli, projectDirOf, runCli, STACK_OPTIONS, stackUsageExit } from "./run";

const USAGE = "usage: npm run plan -- --stack <name> [--json] [--dir <project dir>]";

async function main(): Promise<number> {
    const parsed = parseCli(USAGE, {
        options: { ...STACK_OPTIONS, json: { type: "boolean" } },
    });
    if (!parsed) return 2;
    const args = parsed.values;
    const stop = stackUsageExit(USAGE, args);
    if (stop !== undefined || !args.stack) return stop ?? 2;
    const projectDir = projectDirOf(args.dir);
    const plan = await runPlan({ projectDir, stack: args.stack });
    console.log(args.json ? renderJson(plan) : renderText(plan));
    return plan.errors.length || plan.findings.some((f) => f.level === "error") ? 1 : 0;
}

runCli("plan", main);
