/**
 * A preload (`node --require`) that records which module files a process loaded: when the process exits (a SIGTERM
 * makes it exit 0 first), it writes the files in `require`'s cache, as JSON, beside the preload. For the tests that
 * show a process does not load a module (TypeScript, tsx, the SDK's unused parts).
 */
import * as fs from "node:fs";
import * as path from "node:path";

let probes = 0;

/** A new probe in `dir`: its file, the NODE_OPTIONS word that preloads it, and what the probed process loaded. */
export function moduleProbe(dir: string): { file: string; nodeOptions: string; loaded: () => string[] } {
    probes++;
    const file = path.join(dir, `module-probe-${probes}.cjs`);
    const out = path.join(dir, `module-probe-${probes}.json`);
    fs.writeFileSync(
        file,
        [
            `const write = () => require("fs").writeFileSync(${JSON.stringify(out)}, JSON.stringify(Object.keys(require.cache)));`,
            'process.on("exit", write);',
            'process.on("SIGTERM", () => process.exit(0));',
            "",
        ].join("\n"),
    );
    return {
        file,
        nodeOptions: `--require ${JSON.stringify(file)}`,
        loaded: () => JSON.parse(fs.readFileSync(out, "utf8")) as string[],
    };
}
