/** What every command shares: argument parsing with a usage line, and exit codes (0 ok, 1 failed, 2 bad usage). */
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
