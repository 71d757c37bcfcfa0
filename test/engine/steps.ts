/** Sequential engine steps: once one fails, the rest are skipped (their state would be meaningless). */
import { test } from "node:test";
import { engineMissing } from "./pulumi";

let failed: string | undefined;

/** A test that runs only when the engine is built and every earlier step passed. */
export function step(name: string, fn: () => Promise<void>, timeoutMinutes = 10): void {
    test(name, { timeout: timeoutMinutes * 60_000 }, async (t) => {
        if (failed) return t.skip(`skipped: "${failed}" failed`);
        try {
            await fn();
        } catch (e) {
            failed = name;
            throw e;
        }
    });
}

/**
 * A read-only check between steps: skipped after a failed step, but its own failure does not skip what follows (the
 * next checks and the destroy still say what they find).
 */
export function check(name: string, fn: () => Promise<void>, timeoutMinutes = 10): void {
    test(name, { timeout: timeoutMinutes * 60_000 }, async (t) => {
        if (failed) return t.skip(`skipped: "${failed}" failed`);
        await fn();
    });
}

/** Fails (never skips) when the engine is not built: CI must not pass without running it. */
export function requireEngine(): void {
    const why = engineMissing();
    if (why) throw new Error(`${why} (run npm run engine:build first)`);
}

/** Prints a measured figure in the test output, for the README and the closing note. */
export function figure(label: string, seconds: number): void {
    console.log(`# figure: ${label}: ${seconds.toFixed(1)} s`);
}
