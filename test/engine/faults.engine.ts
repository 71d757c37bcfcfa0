/**
 * Issue 26 under the real engine (lab stack, the fixture charts): `pulumi up` interrupted the ways an admin's run
 * is, then the documented recovery — the same `npm run pulumi -- up` again — and a comparison with a clean run.
 *
 * First a clean `up` gives the reference end state (every object, Helm release and state URN; end-state.ts), then
 * `destroy`. Each fault then starts from an empty cluster: `up` is killed with SIGKILL to the launcher's whole
 * process group (a dropped SSH connection) during the Rook operator release, while the CephCluster is awaited, and
 * during the AI Hub release (once with Pulumi's own commands first, to show where they leave the admin: the stack
 * lock, then Helm's "cannot re-use a name that is still in use"), and interrupted once with SIGINT. After the
 * recovery the end state must equal the clean run's, a preview must show no change, no lock, pending operation or
 * orphaned plugin may be left, and every volume that existed when the run was killed must still be there (same uid).
 * Two `up`s at once: the second refuses, naming the first. The API server stopped for 20 s in the middle of an `up`:
 * the run fails or rides it out, and a re-run converges.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { after, before, describe } from "node:test";
import { stateFile } from "../../lib/interrupted-run";
import { orphanedRunProcesses } from "../../ops/recover";
import { sleep } from "../../lib/async";
import { readPids, startProcess, stopProcesses } from "../../testing/sim/processes";
import { eventually } from "../helpers/eventually";
import { backendState, endState, helmRecords, volumeUids, type EndState } from "./end-state";
import { PulumiCli } from "./pulumi";
import { EngineScenario } from "./scenario";
import { figure, requireEngine, step } from "./steps";

let s: EngineScenario;
let clean: EndState;

const UP = ["up", "--yes", "--skip-preview"];
const AIHUB_RELEASE = /helm\.sh\/v3:Release\s+aihub\s+creating/;
const ROOK_RELEASE = /helm\.sh\/v3:Release\s+rook-rook-ceph\s+creating/;
const CEPH_CLUSTER = /ceph\.rook\.io\/v1:CephCluster\s+\S+\s+creating/;

/** What was there the moment after an interruption. */
interface Interrupted {
    output: string;
    volumes: Map<string, string>;
    records: string[];
    locks: string[];
    pending: string[];
    orphans: string[];
}

/** Starts `up` through the launcher, waits for `at` in its output (plus `delayMs`), and interrupts it. */
async function interruptUp(at: RegExp, signal: "SIGKILL" | "SIGINT", delayMs: number): Promise<Interrupted> {
    const run = s.cli.start([...UP, "--stack", s.stack], { ownGroup: true });
    await eventually(`${at} in the output of up`, async () => at.test(run.output()), 300_000);
    await sleep(delayMs);
    // SIGKILL: the launcher's whole process group, as a dropped SSH session. SIGINT: to the launcher, as `kill -INT`
    // or npm passing on a Ctrl-C (a terminal's Ctrl-C reaches the CLI directly, and the launcher does not repeat it).
    if (signal === "SIGKILL") process.kill(-run.child.pid!, "SIGKILL");
    else process.kill(run.child.pid!, "SIGINT");
    // Orphaned plugins keep the CLI's pipes open; the launcher's own exit is what counts here.
    const r = await Promise.race([run.done, sleep(signal === "SIGKILL" ? 10_000 : 300_000).then(() => undefined)]);
    if (signal === "SIGINT") assert.ok(r, "up did not end within 5 minutes of SIGINT");
    const st = backendState(s);
    const out: Interrupted = {
        output: run.output(),
        volumes: await volumeUids(s),
        records: await helmRecords(s),
        locks: st.locks,
        pending: st.pending.map((p) => `${p.type} ${p.urn.split("::").pop()}`),
        orphans: orphanedRunProcesses(s.cli.projectDir).map((o) => `${o.command} (${o.pid})`),
    };
    console.log(
        `# interrupted (${signal}): locks ${JSON.stringify(out.locks)}, pending ${JSON.stringify(out.pending)}`,
    );
    console.log(`#   helm records ${JSON.stringify(out.records)}, orphans ${JSON.stringify(out.orphans)}`);
    console.log(`#   last output: ${out.output.trim().split("\n").slice(-3).join(" | ")}`);
    return out;
}

/** The re-run converged: same end state as the clean run, no change left, nothing stale, every volume kept. */
async function converged(what: string, before: Interrupted): Promise<void> {
    assert.deepEqual(await endState(s), clean, `${what}: the end state differs from the clean run's`);
    await s.pulumiOk(["preview", "--expect-no-changes"]);
    const st = backendState(s);
    assert.deepEqual([st.pending, st.locks], [[], []], `${what}: pending operations or locks left`);
    assert.deepEqual(orphanedRunProcesses(s.cli.projectDir), [], `${what}: processes of the killed run left`);
    const now = await volumeUids(s);
    const lost = [...before.volumes].filter(([k, uid]) => now.get(k) !== uid).map(([k]) => k);
    assert.deepEqual(lost, [], `${what}: volumes that existed at the interruption were deleted or replaced`);
}

/** The recovery's report in the launcher's output. */
function assertRecoveryReport(output: string): void {
    assert.match(output, /aihub-airgap: the last Pulumi run of stack lab did not finish: pid \d+ \(\S+@\S+\)/);
    assert.match(output, /removed the stale lock/);
    assert.match(output, /aihub-airgap: recovered stack lab; now running `pulumi up`/);
}

async function destroy(): Promise<void> {
    await s.pulumiOk(["destroy", "--yes", "--skip-preview"]);
    assert.deepEqual(await helmRecords(s), []);
}

before(async () => {
    requireEngine();
    s = await EngineScenario.start({
        base: "lab",
        adjust: (p) => {
            (p as Record<string, unknown>).protectData = false;
        },
    });
});

after(async () => {
    await s?.stop();
});

describe("pulumi up interrupted, then recovered by running it again (issue 26)", () => {
    step("a clean up gives the reference end state; destroy empties the cluster", async () => {
        const r = await s.pulumiOk(UP);
        figure("lab clean up", r.seconds);
        clean = await endState(s);
        assert.ok(clean.objects.length > 50 && clean.urns.length > 30, JSON.stringify(clean).slice(0, 300));
        assert.deepEqual(clean.releases, [
            "aihub/rapidminer-aihub deployed",
            "rook-ceph/ceph-csi-drivers deployed",
            "rook-ceph/rook-ceph deployed",
        ]);
        await destroy();
    });

    step(
        "SIGKILL during the AI Hub release: Pulumi's own commands stop on the lock, then on Helm's pending record; the launcher's up recovers",
        async () => {
            const killed = await interruptUp(AIHUB_RELEASE, "SIGKILL", 2000);
            assert.equal(killed.locks.length, 1, "the killed run left no lock");
            assert.ok(killed.pending.includes("creating aihub"), `pending: ${killed.pending}`);
            // What the admin meets without the launcher's recovery (the engine's own CLI, as the issue tried it).
            const direct = { direct: true } as const;
            const again = await s.cli.run([...UP, "--stack", s.stack], undefined, direct);
            assert.notEqual(again.code, 0);
            assert.match(again.stdout + again.stderr, /the stack is currently locked by 1 lock\(s\)/);
            await s.cli.ok(["cancel", "--yes", "--stack", s.stack]);
            const refresh = ["refresh", "--yes", "--skip-preview", "--clear-pending-creates", "--stack", s.stack];
            assert.equal((await s.cli.run(refresh, undefined, direct)).code, 0);
            const third = await s.cli.run([...UP, "--stack", s.stack], undefined, direct);
            assert.notEqual(third.code, 0, "up after cancel and refresh succeeded: the fault is not reproduced");
            assert.match(third.stdout + third.stderr, /cannot re-use a name that is still in use/);
            console.log(`# helm records after Pulumi's own recovery: ${JSON.stringify(await helmRecords(s))}`);
            // The documented recovery: the same command through the launcher.
            const r = await s.pulumiOk(UP);
            figure("recovery up after kill -9 during the AI Hub release and a manual cancel", r.seconds);
            assert.match(
                r.stderr,
                /Helm release aihub\/rapidminer-aihub (was left pending-install|is installed \(.*\) but the state does not know it)/,
            );
            await converged("kill -9 during the AI Hub release, manual cancel", killed);
            await destroy();
        },
        20,
    );

    for (const [what, at, delay] of [
        ["the Rook operator release", ROOK_RELEASE, 1000],
        ["the wait for the CephCluster", CEPH_CLUSTER, 0],
        ["the AI Hub release", AIHUB_RELEASE, 2000],
    ] as const) {
        step(
            `SIGKILL of the launcher's process group during ${what}: the next up recovers and converges`,
            async () => {
                const killed = await interruptUp(at, "SIGKILL", delay);
                assert.equal(killed.locks.length, 1, "the killed run left no lock");
                const r = await s.pulumiOk(UP);
                figure(`recovery up after kill -9 during ${what}`, r.seconds);
                assertRecoveryReport(r.stderr);
                await converged(`kill -9 during ${what}`, killed);
                await destroy();
            },
            20,
        );
    }

    step(
        "SIGINT during the AI Hub release: Pulumi cancels gracefully; the next up converges",
        async () => {
            const stopped = await interruptUp(AIHUB_RELEASE, "SIGINT", 2000);
            const r = await s.pulumiOk(UP);
            figure("up after SIGINT during the AI Hub release", r.seconds);
            console.log(
                `# re-run after SIGINT said: ${
                    r.stderr
                        .split("\n")
                        .filter((l) => l.startsWith("aihub-airgap"))
                        .join(" | ") || "nothing"
                }`,
            );
            await converged("SIGINT during the AI Hub release", stopped);
        },
        20,
    );

    step("two ups of the same stack at once: the second refuses, naming the first; the first completes", async () => {
        await destroy();
        const first = s.cli.start([...UP, "--stack", s.stack]);
        await eventually("the first up to create objects", async () => /creating/.test(first.output()), 300_000);
        const second = await s.pulumi(UP);
        assert.notEqual(second.code, 0);
        const holder = backendState(s).locks;
        assert.equal(holder.length, 1);
        assert.match(
            second.stderr,
            /aihub-airgap: stack lab is in use by another Pulumi run: pid \d+ \(\S+@\S+\) since \S+ \(\d+ s ago\): \S*pulumi up --yes --skip-preview --stack lab/,
        );
        assert.match(second.stderr, /nothing was changed/);
        const r = await first.done;
        assert.equal(r.code, 0, r.stdout + r.stderr);
        assert.deepEqual(await endState(s), clean);
        await s.pulumiOk(["preview", "--expect-no-changes"]);
    });

    step(
        "the API server stopped for 20 s in the middle of an up: the run fails cleanly or rides it out; a re-run converges",
        async () => {
            await destroy();
            const run = s.cli.start([...UP, "--stack", s.stack]);
            await eventually("the AI Hub release to start", async () => AIHUB_RELEASE.test(run.output()), 300_000);
            const api = readPids(s.sim.dir).find((p) => p.name === "kube-apiserver")!;
            const t0 = Date.now();
            await stopProcesses([api]);
            await sleep(20_000);
            startProcess(s.sim.dir, "kube-apiserver", api.argv);
            await eventually(
                "the API server to answer again",
                async () => (await s.sim.client.request("GET", "/readyz", undefined, undefined, 3000)).status === 200,
                120_000,
            );
            figure("API server down and back", (Date.now() - t0) / 1000);
            const r = await run.done;
            console.log(
                `# up across the API server outage: exit ${r.code}; ${r.stdout.trim().split("\n").slice(-4).join(" | ")}`,
            );
            const st = backendState(s);
            assert.deepEqual(
                [st.pending, st.locks],
                [[], []],
                "the run that met the outage left pending operations or a lock",
            );
            const again = await s.pulumiOk(UP);
            figure("re-run after the API server outage", again.seconds);
            await converged("API server outage", { volumes: new Map() } as Interrupted);
        },
        20,
    );

    step("a wrong passphrase: up stops before reading anything, state and lock untouched", async () => {
        const file = stateFile(path.join(s.cli.projectDir, ".pulumi-state"), "aihub-airgap", s.stack)!;
        const before = fs.readFileSync(file);
        const wrong = new PulumiCli(s.cli.projectDir, "not-the-passphrase", s.cli.env().KUBECONFIG!, s.cli.tmpdir);
        const r = await wrong.run([...UP, "--stack", s.stack]);
        assert.notEqual(r.code, 0);
        assert.match(r.stdout + r.stderr, /incorrect passphrase/);
        assert.ok(fs.readFileSync(file).equals(before), "the state file changed");
        assert.deepEqual(backendState(s).locks, []);
    });

    step(
        "a truncated state file: the launcher refuses naming the newest readable backup; the restore it names converges",
        async () => {
            const file = stateFile(path.join(s.cli.projectDir, ".pulumi-state"), "aihub-airgap", s.stack)!;
            const volumes = await volumeUids(s);
            const text = fs.readFileSync(file, "utf8");
            fs.writeFileSync(file, text.slice(0, Math.floor(text.length / 2)));
            // Pulumi's own message names neither the file nor a way back.
            const plain = await s.cli.run(["preview", "--stack", s.stack], undefined, { direct: true });
            assert.match(plain.stdout + plain.stderr, /failed to load checkpoint/);
            const r = await s.pulumi(UP);
            assert.notEqual(r.code, 0);
            assert.match(r.stderr, /lab\.json is not a readable Pulumi state file .*; nothing was run\./);
            const restore = /`pulumi stack import --stack lab --file (\S+)`/.exec(r.stderr);
            assert.ok(restore, r.stderr);
            const t0 = Date.now();
            await s.cli.ok(["stack", "import", "--stack", s.stack, "--file", restore[1]]);
            await s.pulumiOk(["refresh", "--yes", "--skip-preview"]);
            await s.pulumiOk(UP);
            figure("restore from the backup, refresh and up", (Date.now() - t0) / 1000);
            await converged("truncated state restored from its backup", { volumes } as Interrupted);
        },
        20,
    );

    step("destroy after the faults leaves nothing", async () => {
        await destroy();
        assert.deepEqual(backendState(s).urns, []);
    });
});
