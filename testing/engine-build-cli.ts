/** `npm run engine:build`: builds and caches the real engine (Pulumi CLI, plugins, a Kubernetes control plane, kwok). */
import * as fs from "node:fs";
import * as path from "node:path";
import { buildEngine, checkPins } from "./engine/build";
import { engineBinDir } from "./engine/paths";
import { parseCli, runCli } from "../cli/run";

const USAGE = "usage: npm run engine:build";

function megabytes(dir: string): number {
    const bytes = fs.readdirSync(dir).reduce((n, f) => n + fs.statSync(path.join(dir, f)).size, 0);
    return Math.round(bytes / 2 ** 20);
}

runCli("engine:build", async () => {
    if (!parseCli(USAGE, { options: {} })) return 2;
    checkPins(JSON.parse(fs.readFileSync(path.join(__dirname, "..", "package.json"), "utf8")));
    const t0 = Date.now();
    const built = await buildEngine((line) => console.log(line));
    for (const b of built) console.log(`  ${b.name.padEnd(28)} ${b.cached ? "cached" : `${b.seconds}s`}`);
    const total = Math.round((Date.now() - t0) / 1000);
    console.log(`engine: ready in ${total}s, ${megabytes(engineBinDir())} MiB of binaries in ${engineBinDir()}`);
    return 0;
});
