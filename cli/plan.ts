/**
 * `npm run plan -- --stack <name> [--json]`: checks a stack without cluster, Pulumi CLI or passphrase.
 * Exits 1 on config errors or error-level policy findings, 2 on bad usage.
 */
import * as path from "node:path";
import { renderJson, renderText } from "../plan/print";
import { runPlan } from "../plan/run";
import { parseCli, runCli } from "./run";

const USAGE = "usage: npm run plan -- --stack <name> [--json] [--dir <project dir>]";

async function main(): Promise<number> {
    const parsed = parseCli(USAGE, {
        options: {
            stack: { type: "string", short: "s" },
            json: { type: "boolean" },
            dir: { type: "string" },
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
    console.log(args.json ? renderJson(plan) : renderText(plan));
    return plan.errors.length || plan.findings.some((f) => f.level === "error") ? 1 : 0;
}

runCli("plan", main);
