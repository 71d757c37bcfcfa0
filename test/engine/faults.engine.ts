/**
 * Issue 26 under the real engine (lab stack, the real vendor charts): `pulumi up` interrupted the ways an admin's
 * run is, each time followed by the documented recovery — the same `npm run pulumi -- up` again — and at the end a
 * comparison with a clean run.
 *
 * One chain of runs from an empty cluster and an empty private registry, each interrupted at the next point of the
 * critical path, so that one full `up` of work shows every fault: SIGKILL to the launcher's whole process group (a
 * dropped SSH connection) during the bundle push; Ctrl-C (SIGINT) during the Rook operator release; SIGKILL while
 * the CephCluster is awaited; SIGKILL 2 s into the AI Hub release; the API server stopped for 20 s while the next
 * run is under way. After every SIGKILL the next run must say what it found and that it recovered. Once the chain
 * has converged: no lock, pending operation, orphaned plugin or run folder is left, a preview shows no change, every
 * volume that existed at an interruption is still there (same uid), every pod's image pulls from the private
 * registry, and no secret is in state or output. Then a destroy and a clean `up` (a second `up` started beside it is
 * refused, naming the first) give the reference: the chain's end state (every object, Helm release and state URN;
 * end-state.ts) must equal it. A wrong passphrase last. The truncated state and lock cases run without a cluster in
 * test/ops/recover.test.ts.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { after, before, describe } from "node:test";
import { stateFile } from "../../lib/interrupted-run";
import { PRIVATE_TMP_ROOT } from "../../lib/private-tmp";
import { orphanedRunProcesses } from "../../ops/recover";
import { sleep } from "../../lib/async";
import { imageArtifacts, readManifest } from "../../pipeline/manifest";
import { readPids, startProcess, stopProcesses } from "../../testing/sim/processes";
import { eventually } from "../helpers/eventually";
import { podPullFailures } from "../helpers/kubelet-pull";
import { backendState, endState, helmRecords, volumeUids, type EndState } from "./end-state";
import { noSecretInPlainText } from "./checks";
import { PulumiCli, untilPrinted, type RunResult, type StartedRun } from "./pulumi";
import { EngineScenario } from "./scenario";
import { figure, requireEngine, step } from "./steps";

let s: EngineScenario;
let recovered: EndState;
/** Every PVC and PV seen at an interruption, with its uid then. */
const volumesSeen = new Map<string, string>();
const figures: string[] = [];

const UP = ["up", "--yes", "--skip-preview"];
const AIHUB_RELEASE = /helm\.sh\/v3:Release\s+aihub\s+creating/;
const ROOK_RELEASE = /helm\.sh\/v3:Release\s+rook-rook-ceph\s+creating/;
const CEPH_CLUSTER = /ceph\.rook\.io\/v1:CephCluster\s+\S+\s+creating/;

/** What was there the moment after an interruption. */
interface Interrupted {
    output: string;
    seconds: number;
    /** Seconds from the run's start to the end of the launcher's repair (undefined: it had nothing to repair). */
    repairedIn?: number;
}

/** The launcher's last line before it starts the command, once it repaired what an interrupted run left. */
const REPAIRED = /now running `pulumi up`|nothing else to repair/;

/** Watches a run's output; the getter returns the seconds from `t0` to the first match of `re` (or undefined). */
function firstSeen(run: StartedRun, re: RegExp, t0: number): () => number | undefined {
    let at: number | undefined;
    const timer = setInterval(() => {
        if (at === undefined && re.test(run.output())) at = (Date.now() - t0) / 1000;
    }, 100);
    void run.done.finally(() => clearInterval(timer));
    return () => at;
}

/**
 * Starts `up` through the launcher, waits until `at` says the moment has come (plus `delayMs`), and interrupts it.
 * SIGKILL goes to the launcher's whole process group, as a dropped SSH session; SIGINT to the launcher, as `kill
 * -INT` or npm passing on a Ctrl-C (a terminal's Ctrl-C reaches the CLI directly, and the launcher does not repeat it).
 */
async function interruptUp(
    what: string,
    at: (output: string) => boolean,
    signal: "SIGKILL" | "SIGINT",
    delayMs: number,
): Promise<Interrupted> {
    const t0 = Date.now();
    const run = s.cli.start([...UP, "--stack", s.stack], { ownGroup: true });
    const repaired = firstSeen(run, REPAIRED, t0);
    await eventually(`${what} in the run`, async () => at(run.output()) || undefined, 600_000);
    await sleep(delayMs);
    if (signal === "SIGKILL") process.kill(-run.child.pid!, "SIGKILL");
    else process.kill(run.child.pid!, "SIGINT");
    // Orphaned plugins keep the CLI's pipes open; the launcher's own exit is what counts here.
    const r = await Promise.race([run.done, sleep(signal === "SIGKILL" ? 10_000 : 300_000).then(() => undefined)]);
    if (signal === "SIGINT") assert.ok(r, "up did not end within 5 minutes of SIGINT");
    const st = backendState(s);
    for (const [k, uid] of await volumeUids(s)) volumesSeen.set(k, uid);
    const records = await helmRecords(s);
    const orphans = orphanedRunProcesses(s.cli.projectDir).map((o) => `${o.command} (${o.pid})`);
    console.log(
        `# ${what} (${signal}): locks ${JSON.stringify(st.locks)}, pending ${JSON.stringify(st.pending.map((p) => `${p.type} ${p.urn.split("::").pop()}`))}`,
    );
    console.log(`#   helm records ${JSON.stringify(records)}, orphans ${JSON.stringify(orphans)}`);
    console.log(`#   last output: ${run.output().trim().split("\n").slice(-2).join(" | ")}`);
    if (signal === "SIGKILL") assert.equal(st.locks.length, 1, `${what}: the killed run left no lock`);
    else assert.deepEqual([st.locks, r?.code === 0], [[], false], `${what}: SIGINT did not cancel cleanly`);
    return { output: run.output(), seconds: (Date.now() - t0) / 1000, repairedIn: repaired() };
}

/** The launcher's report of a recovery in the output of the run after a SIGKILL. */
function assertRecoveryReport(output: string): void {
    assert.match(output, /aihub-airgap: the last Pulumi run of stack lab did not finish: pid \d+ \(\S+@\S+\)/);
    assert.match(output, /removed the stale lock/);
    // A kill before the engine wrote its pending operations leaves only the lock to remove.
    assert.match(
        output,
        /aihub-airgap: recovered stack lab; now running `pulumi up`|the state has no unfinished operation; nothing else to repair/,
    );
}

/** The launcher's lines of a run's output, for the log. */
function said(output: string): string {
    return (
        output
            .split("\n")
            .filter((l) => /^(aihub-airgap: | {2}- )/.test(l))
            .join(" | ") || "nothing"
    );
}

/**
 * The run after a fault, for the report: seconds to the end of the launcher's repair (when it had one to do) and to
 * the run's interruption or end.
 */
function record(fault: string, run: { seconds: number; repairedIn?: number }): void {
    const repair = run.repairedIn === undefined ? "nothing to repair" : `repaired in ${run.repairedIn.toFixed(1)} s`;
    figures.push(`${fault}: ${repair}, run ${run.seconds.toFixed(1)} s`);
    if (run.repairedIn !== undefined) figure(`repair after ${fault}`, run.repairedIn);
    figure(`run after ${fault}`, run.seconds);
}

/** Run folders of the launcher left in the project (each holds the run's kubeconfig copies). */
function runFolders(): string[] {
    const root = path.join(s.cli.projectDir, PRIVATE_TMP_ROOT);
    return fs.existsSync(root) ? fs.readdirSync(root).filter((n) => n.startsWith("run-")) : [];
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

describe("pulumi up interrupted at every point of its critical path, recovered by running it again (issue 26)", () => {
    step(
        "SIGKILL during the bundle push, then Ctrl-C during the Rook operator release: the next runs recover",
        async () => {
            const images = imageArtifacts(readManifest(String(s.plain.bundle.path))!).length;
            const manifests = () => s.registry.requests().filter((l) => /^PUT \/v2\/.+\/manifests\//.test(l)).length;
            const blobs = () => s.registry.requests().filter((l) => /^PUT \/v2\/.+\/blobs\/uploads\//.test(l)).length;
            await interruptUp("the bundle push", () => blobs() > 0, "SIGKILL", 0);
            const at = manifests();
            assert.ok(at < images, `the push had finished (${at} of ${images} manifests) before the kill`);
            console.log(`# push killed with ${at} of ${images} image manifests and ${blobs()} blobs in the registry`);
            const second = await interruptUp("the Rook operator release", (o) => ROOK_RELEASE.test(o), "SIGINT", 1000);
            console.log(`# the run after the push was killed said: ${said(second.output)}`);
            assertRecoveryReport(second.output);
            record("SIGKILL during the bundle push (until Ctrl-C)", second);
        },
        20,
    );

    step(
        "SIGKILL while the CephCluster is awaited, then 2 s into the AI Hub release: each next run recovers",
        async () => {
            const third = await interruptUp("the wait for the CephCluster", (o) => CEPH_CLUSTER.test(o), "SIGKILL", 0);
            console.log(`# the run after Ctrl-C said: ${said(third.output)}`);
            record("Ctrl-C during the Rook operator release (until SIGKILL)", third);
            const fourth = await interruptUp("the AI Hub release", (o) => AIHUB_RELEASE.test(o), "SIGKILL", 2000);
            console.log(`# the run after the CephCluster wait was killed said: ${said(fourth.output)}`);
            assertRecoveryReport(fourth.output);
            record("SIGKILL while the CephCluster is awaited (until SIGKILL)", fourth);
        },
        20,
    );

    step(
        "the API server stopped for 20 s while the recovery run is under way: it fails cleanly or rides it out; the next run converges",
        async () => {
            const t0 = Date.now();
            const run = s.cli.start([...UP, "--stack", s.stack]);
            const repaired = firstSeen(run, REPAIRED, t0);
            // stdout comes first in output(): the up's own lines (after its "Updating (lab)" header; the recovery's
            // refresh says "Refreshing"), the launcher's report is on stderr. The update starts with the header
            // (--skip-preview): every step of the program is still ahead of it. (Waiting for its first operation
            // instead let the run finish before the stop on an idle machine.)
            await untilPrinted(run, "Updating (lab)", "the recovery run's update started", 600_000);
            let ended = 0;
            void run.done.then(() => (ended = Date.now()));
            const api = readPids(s.sim.dir).find((p) => p.name === "kube-apiserver")!;
            const down = Date.now();
            // Killed, not stopped gracefully: a terminating API server keeps answering for seconds, as a crash
            // or a lost control-plane node does not.
            await stopProcesses([api], 0);
            assert.equal(ended, 0, "the run ended before the API server was stopped");
            await sleep(20_000);
            startProcess(s.sim.dir, "kube-apiserver", api.argv);
            const restarted = Date.now();
            await eventually(
                "the API server to answer again",
                async () => (await s.sim.client.request("GET", "/readyz", undefined, undefined, 3000)).status === 200,
                120_000,
            );
            figure("API server down and back", (Date.now() - down) / 1000);
            const r = await run.done;
            console.log(`# the run after the AI Hub release was killed said: ${said(r.stderr)}`);
            assertRecoveryReport(r.stderr);
            const errors = (r.stdout + r.stderr)
                .split("\n")
                .filter((l) => /\berror:|errored|^aihub-airgap: the run failed/.test(l));
            console.log(
                `# up across the API server outage: exit ${r.code} ${((ended - down) / 1000).toFixed(1)} s after the ` +
                    `API server stopped; ${errors.slice(0, 12).join(" | ").slice(0, 3000)}`,
            );
            if (r.code !== 0) {
                // What failed is named by what the provider could not reach.
                assert.match(r.stdout, /connection refused|the server is currently unable|dial tcp|no route|EOF/);
                if (ended < restarted) {
                    // The launcher asked the cluster after the failure and says what happened and what to run.
                    assert.match(
                        r.stderr,
                        /aihub-airgap: the run failed and the cluster's API server does not answer \(https:\/\/127\.0\.0\.1:\d+: .*\).* run `npm run pulumi -- up --stack lab` again/,
                    );
                }
            }
            const st = backendState(s);
            assert.deepEqual(
                [st.pending, st.locks],
                [[], []],
                "the run that met the outage left pending operations or a lock",
            );
            let last: RunResult = r;
            if (r.code !== 0) {
                last = await s.pulumiOk(UP);
                console.log(`# the re-run after the outage said: ${said(last.stderr)}`);
            }
            record("SIGKILL during the AI Hub release (with the API server outage, until converged)", {
                seconds: (Date.now() - t0) / 1000,
                repairedIn: repaired(),
            });
            figures.push(
                r.code === 0
                    ? `API server away 20 s: the run rode it out (${r.seconds.toFixed(1)} s)`
                    : `API server away 20 s: the run failed ${((ended - down) / 1000).toFixed(1)} s after it stopped; ` +
                          `the re-run once it answered converged in ${last.seconds.toFixed(1)} s`,
            );
            figure("re-run after the API server outage", last.seconds);
        },
        20,
    );

    step(
        "the chain converged: nothing stale, no change left, every volume kept, every image pulls, no secret leaked",
        async () => {
            await s.pulumiOk(["preview", "--expect-no-changes"]);
            const st = backendState(s);
            assert.deepEqual([st.pending, st.locks], [[], []], "pending operations or locks left");
            assert.deepEqual(orphanedRunProcesses(s.cli.projectDir), [], "processes of a killed run left");
            assert.deepEqual(runFolders(), [], "run folders (with kubeconfig copies) left");
            const now = await volumeUids(s);
            const lost = [...volumesSeen].filter(([k, uid]) => now.get(k) !== uid).map(([k]) => k);
            assert.deepEqual(lost, [], "volumes that existed at an interruption were deleted or replaced");
            assert.deepEqual(await podPullFailures(s.sim.client, s.registry.caCert), []);
            noSecretInPlainText(s, await s.secretValues());
            recovered = await endState(s);
            assert.ok(
                recovered.objects.length > 50 && recovered.urns.length > 30,
                JSON.stringify(recovered).slice(0, 300),
            );
            console.log(`# figures: ${figures.join("; ")}`);
        },
    );

    step(
        "destroy, then a clean up (a second up beside it refused, naming the first): its end state equals the chain's",
        async () => {
            await s.pulumiOk(["destroy", "--yes", "--skip-preview"]);
            assert.deepEqual(await helmRecords(s), []);
            const first = s.cli.start([...UP, "--stack", s.stack]);
            await eventually("the clean up to create objects", async () => /creating/.test(first.output()), 300_000);
            const second = await s.pulumi(UP);
            assert.notEqual(second.code, 0);
            assert.match(
                second.stderr,
                /aihub-airgap: stack lab is in use by another Pulumi run: pid \d+ \(\S+@\S+\) since \S+ \(\d+ s ago\): \S*pulumi up --yes --skip-preview --stack lab/,
            );
            assert.match(second.stderr, /nothing was changed/);
            const r = await first.done;
            assert.equal(r.code, 0, r.stdout + r.stderr);
            figure("lab clean up", r.seconds);
            const clean = await endState(s);
            assert.deepEqual(clean.releases, [
                "aihub/rapidminer-aihub deployed",
                "rook-ceph/ceph-csi-drivers deployed",
                "rook-ceph/rook-ceph deployed",
            ]);
            assert.deepEqual(recovered, clean, "the end state after the faults differs from a clean run's");
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
});
