/** What every command shares: argument parsing with a usage line, and exit codes (0 ok, 1 failed, 2 bad usage). */
import * as path from "node:path";
import { parseArgs, type ParseArgsConfig } from "node:util";
import { checkoutRoot } from "../lib/checkout";
import { ConfigError } from "../lib/problems";
import { YamlFileError } from "../lib/yamlfile";

/** Parses argv; on bad usage prints the problem and the usage line and returns undefined. */
export function parseCli<T extends ParseArgsConfig>(
    usage: string,
    config: T,
    onUsageError: (message: string) => void = (m) => console.error(`${m}\n${usage}`),
): ReturnType<typeof parseArgs<T>> | undefined {
    try {
        return parseArgs(config);
    } catch (e) {
        onUsageError((e as Error).message);
        return undefined;
    }
}

/** Writes text to stdout and resolves once it is handed to the OS, so an exit right after cannot cut it short. */
export function writeStdout(text: string): Promise<void> {
    return new Promise((resolve, reject) => process.stdout.write(text, (e) => (e ? reject(e) : resolve())));
}

/** One line for an error: config and file problems as they are, anything else as `<name> failed: …`. */
export function errorLine(name: string, e: unknown): string {
    if (e instanceof ConfigError || e instanceof YamlFileError) return e.message;
    return `${name} failed: ${(e as Error)?.message ?? String(e)}`;
}

/**
 * Runs a command's main and exits with its code once stdout is flushed. Any error, also one thrown later from a
 * callback (the Pulumi runtime rejects promises of its own), prints one line, or through `report` (e.g. one JSON
 * document), and exits 1; never a stack trace.
 */
export function runCli(name: string, main: () => Promise<number>, report?: (line: string) => Promise<void>): void {
    let failed = false;
    const fail = (e: unknown) => {
        if (failed) return;
        failed = true;
        const line = errorLine(name, e);
        const out = report ? report(line) : Promise.resolve(console.error(line));
        out.finally(() => process.exit(1));
    };
    process.on("uncaughtException", fail);
    process.on("unhandledRejection", fail);
    main().then((code) => {
        if (!failed) process.exit(code);
    }, fail);
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
    return path.resolve(dir ?? checkoutRoot());
}
