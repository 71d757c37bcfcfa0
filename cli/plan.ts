/**
 * `npm run plan -- --stack <name> [--json]`: checks a stack without cluster, Pulumi CLI or passphrase.
 * Exits 1 on config errors or error-level policy findings, 2 on bad usage. With `--json`, stdout is always one JSON
 * document, failures included.
 */
import * as path from "node:path";
import { failedPlanJson, renderJson, renderText } from "../plan/print";
import { readStackFile } from "../stacks/stackfile";
import { parseCli, runCli, writeStdout } from "./run";

const USAGE = "usage: npm run plan -- --stack <name> [--json] [--dir <project dir>]";
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
    const projectDir = path.resolve(args.dir ?? path.join(__dirname, ".."));
    // A stack file that cannot be read fails here, before the Pulumi runtime is loaded (seconds on a busy machine).
    readStackFile(projectDir, args.stack);
    const { runPlan } = await import("../plan/run");
    const plan = await runPlan({ projectDir, stack: args.stack });
    await writeStdout((args.json ? renderJson(plan) : renderText(plan)) + "\n");
    return plan.errors.length || plan.findings.some((f) => f.level === "error") ? 1 : 0;
}

runCli("plan", main, report);
