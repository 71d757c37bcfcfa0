/** What every command shares: argument parsing with a usage line, and exit codes (0 ok, 1 failed, 2 bad usage). */
import * as path from "node:path";
import { parseArgs, type ParseArgsConfig } from "node:util";
import { ConfigError } from "../stacks/problems";

/** Parses argv; on bad usage prints the problem and the usage line and returns undefined. */
export function parseCli<T extends ParseArgsConfig>(
    usage: string,
    config: T,
): ReturnType<typeof parseArgs<T>> | undefined {
    try {
        return parseArgs(config);
    } catch (e) {
        console.error(`${(e as Error).message}\n${usage}`);
        return undefined;
    }
}

/** Runs a command's main and exits with its code; an unexpected error prints `<name> failed: …` and exits 1. */
export function runCli(name: string, main: () => Promise<number>): void {
    main().then(
        (code) => process.exit(code),
        (e) => {
            console.error(e instanceof ConfigError ? e.message : `${name} failed: ${(e as Error).message ?? e}`);
            process.exit(1);
        },
    );
}

/** For commands that need `--stack`: the exit code when they should stop (0 after --help, 2 without --stack). */
export function stackUsageExit(usage: string, args: { help?: boolean; stack?: string }): number | undefined {
    if (args.help) {
        console.log(usage);
        return 0;
    }
    if (!args.stack) {
        console.error(`--stack is required\n${usage}`);
        return 2;
    }
    return undefined;
}

/** The options of every command that reads a stack: `--stack`, `--dir` (the project), `--help`. */
export const STACK_OPTIONS = {
    stack: { type: "string", short: "s" },
    dir: { type: "string" },
    help: { type: "boolean", short: "h" },
} as const;

/** The options of the commands that talk to the live cluster. */
export const CLUSTER_OPTIONS = { kubeconfig: { type: "string" }, context: { type: "string" } } as const;

/** The project directory: `--dir`, else the checkout this command runs from. */
export function projectDirOf(dir: string | undefined): string {
    return path.resolve(dir ?? path.join(__dirname, ".."));
}
