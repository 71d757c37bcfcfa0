/**
 * `npx tsx bench/up-profile.ts [--skip-preview] [lab|airgap|addons…]` (default `lab`; `addons`: the lab stack with
 * every add-on on, as the add-on engine test runs it): `pulumi up` of each stack on a fresh
 * simulated cluster with the real engine (as the engine tests run it, in a loopback-only network namespace), and
 * prints, from that one run:
 *  1. the wall time of the `up` against its critical path (bench/critical-path.ts: the longest chain of dependent
 *     steps the program declares, with the step durations of this run) — the ratio is the overhead the engine and the
 *     program add on top of the waits the dependencies impose — and where the rest went: before the update's first
 *     step (the CLI, `up`'s own preview, whose planned steps it prints, the program's start), between the first and
 *     the last step, after the last;
 *  2. the chain itself, with how long each step took and how late it started after its dependencies ended;
 *  3. the slowest steps off the chain.
 * `--skip-preview` runs `up --skip-preview`, to show what `up`'s own preview costs (the runbook keeps the preview: it
 * stops a failing update before any change). The engine's event log comes through a FIFO and each line is stamped
 * when read (its own timestamps are whole seconds).
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as readline from "node:readline";
import { ADDONS } from "../platform/registry";
import { startAddOnScenario } from "../test/engine/addon-fixture";
import { EngineScenario } from "../test/engine/scenario";
import { criticalPath, stepsFromEvents, type StepTiming, type TimedEvent } from "./critical-path";
import { mainInLoopback } from "./common";

const now = () => Number(process.hrtime.bigint()) / 1e9;

/** How long after the CLI exits what it wrote last is still read from the FIFO. */
const DRAIN_MS = 500;

/**
 * Reads the engine's event log through a FIFO (so its debug diagnostics, which can quote Secret data, never touch
 * the disk), stamping each resource event when it arrives. The FIFO is opened read-write, so the CLI opening and
 * closing it (it does, before it logs) never ends the reading; `close()`, once the CLI has exited, reads what is
 * left and resolves with the events.
 */
function followEvents(fifo: string): { close: () => Promise<TimedEvent[]> } {
    spawnSync("mkfifo", ["-m", "600", fifo]);
    const events: TimedEvent[] = [];
    const input = fs.createReadStream(fifo, { flags: "r+" });
    const lines = readline.createInterface({ input, crlfDelay: Infinity });
    lines.on("line", (l) => {
        if (!l.includes('"resourcePreEvent"') && !l.includes('"resOutputsEvent"')) return;
        events.push({ at: now(), event: JSON.parse(l) });
    });
    return {
        close: async () => {
            await new Promise((r) => setTimeout(r, DRAIN_MS));
            lines.close();
            input.destroy();
            // The stream's last read waits in a worker thread for data that never comes (this end holds the FIFO
            // open for writing too): one more line ends it, so the process can exit.
            fs.writeFileSync(fifo, "\n");
            return events;
        },
    };
}

/** The short name of a URN: its type's last part and its name. */
function short(urn: string): string {
    const parts = urn.split("::");
    const type = parts[2].split("$").pop()!;
    return `${type.replace(/^kubernetes:/, "")} ${parts[3]}`;
}

/** The stacks this bench profiles. */
const STACKS = ["lab", "airgap", "addons"] as const;

async function profile(stack: (typeof STACKS)[number], skipPreview: boolean): Promise<void> {
    const s =
        stack === "addons"
            ? (await startAddOnScenario(ADDONS.map((a) => a.name))).s
            : await EngineScenario.start({ base: stack });
    try {
        const fifo = path.join(s.work, "events.fifo");
        const follow = followEvents(fifo);
        const t0 = now();
        const r = await s.pulumi(["up", "--yes", ...(skipPreview ? ["--skip-preview"] : []), "--event-log", fifo]);
        const wall = now() - t0;
        const events = await follow.close();
        if (r.code !== 0)
            throw new Error(`pulumi up of ${stack} failed:\n${r.stdout.slice(-3000)}\n${r.stderr.slice(-3000)}`);
        const state = JSON.parse((await s.pulumiOk(["stack", "export"])).stdout);
        const deps = new Map<string, string[]>(
            state.deployment.resources
                .filter((x: { custom?: boolean }) => x.custom)
                .map((x: { urn: string; dependencies?: string[] }) => [x.urn, x.dependencies ?? []]),
        );
        const steps = stepsFromEvents(events, deps);
        const first = Math.min(...steps.map((x) => x.start));
        const last = Math.max(...steps.map((x) => x.end));
        const cp = criticalPath(steps);
        console.log(`\n== ${stack}${skipPreview ? " (--skip-preview)" : ""}: ${steps.length} resources created`);
        console.log(
            `pulumi up wall time ${wall.toFixed(1)} s (load average ${os.loadavg()[0].toFixed(1)}): before the first step ${(first - t0).toFixed(1)} s, first step to last ${(last - first).toFixed(1)} s, after the last ${(t0 + wall - last).toFixed(1)} s`,
        );
        console.log(
            `critical path ${cp.seconds.toFixed(1)} s (${cp.chain.length} steps): wall / critical path = ${(wall / cp.seconds).toFixed(2)}×`,
        );
        const planned = events
            .filter((e) => e.event.resourcePreEvent?.planning || e.event.resOutputsEvent?.planning)
            .map((e) => e.at - t0);
        if (planned.length > 0)
            console.log(
                `up's own preview: its first planned step ${Math.min(...planned).toFixed(1)} s after the start, its last ${Math.max(...planned).toFixed(1)} s`,
            );
        const chainStart = steps.find((x) => x.urn === cp.chain[0]?.urn)?.start ?? first;
        console.log(`the chain's first step began ${(chainStart - first).toFixed(1)} s after the run's first step`);
        console.log("the chain (step seconds, started late by):");
        for (const c of cp.chain)
            console.log(
                `  ${c.seconds.toFixed(1).padStart(6)} s  +${c.lateBy.toFixed(1).padStart(5)} s  ${short(c.urn)}`,
            );
        const onChain = new Set(cp.chain.map((c) => c.urn));
        const slow = steps
            .filter((x) => !onChain.has(x.urn))
            .sort((a, b) => b.end - b.start - (a.end - a.start))
            .slice(0, 5);
        console.log("slowest steps off the chain:");
        for (const x of slow) console.log(`  ${(x.end - x.start).toFixed(1).padStart(6)} s  ${short(x.urn)}`);
        const byUrn = new Map(steps.map((x) => [x.urn, x]));
        const depsEnd = (x: StepTiming) =>
            Math.max(first, ...x.deps.filter((d) => byUrn.has(d)).map((d) => byUrn.get(d)!.end));
        // The path the run actually waited along: from the step that ended last, back through the dependency of each
        // that ended last. Where it leaves the critical path, a dependency off the chain ended later than the chain's.
        console.log("the path the run waited along, from the last step back (began at, took, started late by):");
        for (let x = steps.find((y) => y.end === last); x !== undefined;) {
            console.log(
                `  ${(x.start - first).toFixed(1).padStart(6)}  ${(x.end - x.start).toFixed(1).padStart(5)}  +${(x.start - depsEnd(x)).toFixed(1).padStart(5)}  ${onChain.has(x.urn) ? "*" : " "} ${short(x.urn)}`,
            );
            const ds = x.deps.filter((d) => byUrn.has(d)).map((d) => byUrn.get(d)!);
            x = ds.length > 0 ? ds.reduce((a, b) => (b.end > a.end ? b : a)) : undefined;
        }
    } finally {
        await s.stop();
    }
}

async function main(): Promise<void> {
    // The CLI registers `--event-log` only with its debug commands on (pkg/cmd/pulumi/operations/up.go, 3.248).
    process.env.PULUMI_DEBUG_COMMANDS = "true";
    const skipPreview = process.argv.includes("--skip-preview");
    const stacks = process.argv.slice(2).filter((a) => a !== "--skip-preview");
    for (const stack of stacks.length > 0 ? stacks : ["lab"]) {
        const known = STACKS.find((x) => x === stack);
        if (!known) throw new Error(`no engine scenario for stack ${stack} (${STACKS.join(", ")})`);
        await profile(known, skipPreview);
    }
}

mainInLoopback(main);
