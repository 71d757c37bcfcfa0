/**
 * Issue 26 item 8, the soak: cycles of `pulumi preview --expect-no-changes --diff` and a no-op `pulumi up
 * --expect-no-changes --diff` on a stack that is up. Any change either one reports is drift: the cycle is recorded
 * with the diff Pulumi printed (the lines of the resources that would change), and the soak goes on, so that a drift
 * that comes and goes is counted, not only found. Used by the engine suite (a few cycles) and by bench/soak.ts (20).
 */
import type { EngineScenario } from "./scenario";

/** One cycle of the soak. */
export interface SoakCycle {
    /** Seconds of the preview and of the no-op up. */
    preview: number;
    up: number;
    /** What changed, as Pulumi's diff printed it (empty: no drift). */
    drift: string[];
}

/**
 * The lines of a `--diff` output that name a change: a resource's step (`~` update, `+-` replace, `+` create, `-`
 * delete, `++`/`--` create or delete before replace) and the properties it touches, each marked the same way.
 */
export function driftLines(stdout: string): string[] {
    return stdout
        .split("\n")
        .filter((l) => /^\s*(\+-|\+\+|--|~|\+|-)\s/.test(l))
        .map((l) => l.trimEnd());
}

/** Runs `cycles` soak cycles on a stack that is up; resolves with each cycle (never throws on drift). */
export async function soak(s: EngineScenario, cycles: number, log: (line: string) => void): Promise<SoakCycle[]> {
    const out: SoakCycle[] = [];
    for (let i = 1; i <= cycles; i++) {
        const p = await s.pulumi(["preview", "--expect-no-changes", "--diff"]);
        const u = await s.pulumi(["up", "--yes", "--skip-preview", "--expect-no-changes", "--diff"]);
        const drift: string[] = [];
        for (const [what, r] of [
            ["preview", p],
            ["up", u],
        ] as const) {
            if (r.code === 0) continue;
            const lines = driftLines(r.stdout);
            drift.push(`${what} exited ${r.code}:`, ...(lines.length ? lines : r.stdout.trim().split("\n").slice(-30)));
            drift.push(...r.stderr.trim().split("\n").slice(-5));
        }
        out.push({ preview: p.seconds, up: u.seconds, drift });
        log(
            `cycle ${i}/${cycles}: preview ${p.seconds.toFixed(1)} s, no-op up ${u.seconds.toFixed(1)} s, ${drift.length ? "DRIFT" : "no drift"}`,
        );
        for (const l of drift) log(`    ${l}`);
    }
    return out;
}
