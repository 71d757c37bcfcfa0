/**
 * `npm run plan -- --stack <name> [--json]`: checks a stack without cluster, Pulumi CLI or passphrase.
 * Exits 1 on config errors or error-level policy findings, 2 on bad usage.
 */
import * as path from "node:path";
import { parseArgs } from "node:util";
import { renderJson, renderText } from "../plan/print";
import { runPlan } from "../plan/run";
import { ConfigError } from "../stacks/problems";

const USAGE = "usage: npm run plan -- --stack <name> [--json] [--dir <project dir>]";

async function main(): Promise<number> {
    let args;
    try {
        args = parseArgs({
            options: {
                stack: { type: "string", short: "s" },
                json: { type: "boolean" },
                dir: { type: "string" },
                help: { type: "boolean", short: "h" },
            },
        }).values;
    } catch (e) {
        console.error(`${(e as Error).message}\n${USAGE}`);
        return 2;
    }
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

main().then(
    (code) => process.exit(code),
    (e) => {
        console.error(e instanceof ConfigError ? e.message : `plan failed: ${(e as Error).message ?? e}`);
        process.exit(1);
    },
);
