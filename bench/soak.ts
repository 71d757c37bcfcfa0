/**
 * `npx tsx bench/soak.ts [--cycles N] [stack[@aihubVersion]…]` (default 20 cycles of `lab` and `airgap`): issue 26's
 * soak. For each stack: a fresh simulated cluster with the real engine (as the engine tests run it, in a
 * loopback-only network namespace), one `pulumi up`, then N cycles of `pulumi preview --expect-no-changes --diff` and
 * a no-op `pulumi up --expect-no-changes --diff` (test/engine/soak.ts). Prints each cycle's times and any drift with
 * the diff Pulumi printed, and a summary line per stack; exits 1 when any cycle drifted. `lab@2025.1.1` installs that
 * AI Hub chart version (the one whose scale steps the engine suite runs) instead of the stack file's.
 */
import { parseArgs } from "node:util";
import { EngineScenario } from "../test/engine/scenario";
import { soak } from "../test/engine/soak";
import { mainInLoopback } from "./common";

async function soakStack(spec: string, cycles: number): Promise<boolean> {
    const [base, aihubVersion] = spec.split("@");
    if (base !== "lab" && base !== "airgap") throw new Error(`unknown stack ${base}: lab or airgap`);
    const s = await EngineScenario.start({ base, ...(aihubVersion ? { aihubVersion } : {}) });
    try {
        const up = await s.pulumiOk(["up", "--yes", "--skip-preview"]);
        console.log(`== ${spec}: up ${up.seconds.toFixed(1)} s; ${cycles} soak cycles`);
        const result = await soak(s, cycles, (l) => console.log(l));
        const drifted = result.filter((c) => c.drift.length > 0).length;
        const mean = (f: (c: (typeof result)[0]) => number) =>
            (result.reduce((n, c) => n + f(c), 0) / result.length).toFixed(1);
        console.log(
            `== ${spec}: ${drifted} of ${cycles} cycles drifted; mean preview ${mean((c) => c.preview)} s, ` +
                `mean no-op up ${mean((c) => c.up)} s`,
        );
        return drifted === 0;
    } finally {
        await s.stop();
    }
}

async function main(): Promise<void> {
    const { values, positionals } = parseArgs({
        options: { cycles: { type: "string", default: "20" } },
        allowPositionals: true,
    });
    const cycles = Number(values.cycles);
    if (!Number.isInteger(cycles) || cycles < 1) throw new Error(`--cycles ${values.cycles}: a whole number ≥ 1`);
    let ok = true;
    for (const spec of positionals.length ? positionals : ["lab", "airgap"]) ok = (await soakStack(spec, cycles)) && ok;
    if (!ok) process.exit(1);
}

mainInLoopback(main);
