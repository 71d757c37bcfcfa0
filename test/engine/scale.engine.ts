/**
 * `aihub.running` under the real engine (`lab` stack, the real AI Hub chart 2025.1.1, which also hard-codes an image): false scales every AI Hub workload to 0 in three steps
 * (front ends, servers, databases), each step finishing before the next starts, and removes the init Job; a second
 * run changes nothing; a Helm upgrade while stopped starts nothing; true brings every workload back in the reverse
 * order; then two soak cycles (preview --expect-no-changes and a no-op up, issue 26) show no drift. Prints the time
 * of each switch.
 */
import assert from "node:assert/strict";
import { after, before, describe } from "node:test";
import { aihubLayout } from "../../catalog/aihub-layout";
import { aihubWorkloads, TIERS, type Tier } from "../../modules/aihub/scale";
import { EngineScenario } from "./scenario";
import { figure, requireEngine, step } from "./steps";
import { mapImage } from "../../lib/imageref";
import { soak } from "./soak";

let s: EngineScenario;
/** The chart whose ActiveMQ Deployment hard-codes `busybox:latest` in its init container `amq-volume-fix`. */
const VERSION = "2025.1.1";
const workloads = aihubWorkloads(aihubLayout(VERSION), {});
const tierOf = new Map(workloads.map((w) => [w.name, w.tier]));

before(async () => {
    requireEngine();
    s = await EngineScenario.start({ base: "lab", aihubVersion: VERSION });
});

after(async () => {
    await s?.stop();
});

/** Replicas of every AI Hub workload, `name` → spec.replicas. */
async function replicas(): Promise<Record<string, number>> {
    const out: Record<string, number> = {};
    for (const plural of ["deployments", "statefulsets"]) {
        for (const w of await s.sim.client.list(`/apis/apps/v1/namespaces/aihub/${plural}`)) {
            out[w.metadata.name] = Number(w.spec?.replicas);
        }
    }
    return out;
}

/**
 * Runs `up --json` (engine events, one per line, in the order the engine emits them); returns, per tier, the position
 * of the first of its patches to start and of the last to finish.
 */
async function upTimed(label: string): Promise<Record<Tier, { start: number; end: number }>> {
    const r = await s.pulumiOk(["up", "--yes", "--skip-preview", "--json"]);
    figure(`lab ${label}`, r.seconds);
    const spans = {} as Record<Tier, { start: number; end: number }>;
    const lines = r.stdout.split("\n").filter((l) => l.startsWith("{"));
    lines.forEach((line, n) => {
        const e = JSON.parse(line) as {
            resourcePreEvent?: { metadata: { urn: string; op: string } };
            resOutputsEvent?: { metadata: { urn: string; op: string } };
        };
        const ev = e.resourcePreEvent ?? e.resOutputsEvent;
        const m = ev && /Patch::aihub-scale-(.+)$/.exec(ev.metadata.urn);
        if (!m || ev.metadata.op === "same") return;
        const tier = tierOf.get(m[1])!;
        const span = (spans[tier] ??= { start: Infinity, end: -1 });
        if (e.resourcePreEvent) span.start = Math.min(span.start, n);
        else span.end = Math.max(span.end, n);
    });
    return spans;
}

function assertOrder(spans: Record<Tier, { start: number; end: number }>, order: readonly Tier[]): void {
    assert.deepEqual(Object.keys(spans).sort(), [...TIERS].sort());
    for (let i = 1; i < order.length; i++) {
        assert.ok(spans[order[i]].start >= spans[order[i - 1]].end, `${order[i]} started before ${order[i - 1]} ended`);
    }
}

async function initJobs(): Promise<string[]> {
    return (await s.sim.client.list("/apis/batch/v1/namespaces/aihub/jobs")).map((j) => j.metadata.name);
}

describe("aihub.running under the real engine", () => {
    step("up: every workload at its count, the init Job there, the hard-coded image relocated", async () => {
        await s.pulumiOk(["up", "--yes", "--skip-preview"]);
        // The provider ran the post-renderer, which moved the chart's hard-coded image into the private registry.
        const activemq = (await s.podImages()).filter((i) => i.pod.startsWith("aihub/activemq-dep-"));
        assert.ok(
            activemq.some((i) => i.image === mapImage("busybox:latest", s.registry.host)),
            JSON.stringify(activemq),
        );
        const r = await replicas();
        assert.equal(Object.keys(r).length, workloads.length);
        assert.ok(
            Object.values(r).every((n) => n === 1),
            JSON.stringify(r),
        );
        assert.equal((await initJobs()).length, 1);
    });

    step("running false: front ends, then servers, then databases, each step done before the next", async () => {
        await s.setPlain({ aihub: { ...s.plain.aihub, running: false } });
        assertOrder(await upTimed("scale-down up"), TIERS);
        assert.ok(Object.values(await replicas()).every((n) => n === 0));
        assert.deepEqual(await initJobs(), []);
        await s.pulumiOk(["preview", "--expect-no-changes", "--diff"]);
    });

    step("a Helm upgrade while stopped starts nothing", async () => {
        s.plain.aihub = { ...s.plain.aihub, values: { common: { timeZone: "Europe/Vienna" } } };
        await s.setPlain({ aihub: { ...s.plain.aihub, running: false } });
        await s.pulumiOk(["up", "--yes", "--skip-preview"]);
        assert.ok(Object.values(await replicas()).every((n) => n === 0));
        assert.deepEqual(await initJobs(), []);
    });

    step("running true: databases, then servers, then front ends; no change on a second run", async () => {
        await s.setPlain({ aihub: { ...s.plain.aihub, running: true } });
        assertOrder(await upTimed("scale-up up"), [...TIERS].reverse());
        assert.ok(Object.values(await replicas()).every((n) => n === 1));
        assert.equal((await initJobs()).length, 1);
        await s.pulumiOk(["preview", "--expect-no-changes", "--diff"]);
    });

    step(
        "soak: 2 cycles of preview --expect-no-changes and a no-op up, zero drift (bench/soak.ts runs 20)",
        async () => {
            const cycles = await soak(s, 2, (l) => console.log(`# ${l}`));
            assert.deepEqual(
                cycles.flatMap((c) => c.drift),
                [],
            );
        },
    );
});
