/**
 * Issue 28 under the real engine (lab stack): the kubernetes provider writes a copy of the stack's kubeconfig, client
 * key included, into `$TMPDIR` every time it is configured and never removes it. A plain `pulumi preview` shows that
 * it does (the copy is found in the test's temporary folder: the check can see the defect); then, run as the runbook
 * says (`npm run pulumi`, the launcher), after preview, up, destroy, a failed up and an up killed with SIGKILL to the
 * launcher's whole process group, no file in the temporary folder the launcher started from, the machine's
 * temporary folder (files of this test's time), the project (state, post-renderer, `.pulumi-tmp` and its compile
 * cache), Helm's and kubectl's caches or PULUMI_HOME holds the client key, the registry password or its auth token.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe } from "node:test";
import { PRIVATE_TMP_ROOT, processesUsing } from "../../lib/private-tmp";
import { pulumiHome } from "../../testing/engine/plugin";
import { eventually } from "../helpers/eventually";
import {
    byTopEntry,
    clientKeyNeedles,
    filesUnder,
    registryNeedles,
    scan,
    TmpSampler,
    type Hit,
    type Needle,
} from "./leftovers";
import { EngineScenario } from "./scenario";
import { figure, requireEngine, step } from "./steps";

let s: EngineScenario;
let started: number;
let needles: Needle[];
let runs: TmpSampler;

/** Where a leaked copy could be, and the scan of them all. */
function leftovers(): Hit[] {
    const home = os.homedir();
    const caches = [".kube/cache", ".cache/helm", ".config/helm"].map((d) => path.join(home, d));
    return [
        // The launcher's environment's temporary folder (the machine's /tmp as far as Pulumi knows).
        ...scan([s.cli.tmpdir], needles),
        // The project: state, history and backups, the post-renderer scripts, `.pulumi-tmp`.
        ...scan([s.cli.projectDir], needles),
        // The real temporary folder, Helm's and kubectl's caches and PULUMI_HOME, for files written since the test
        // began; the work directory holds the sim's own key files (and the two folders above).
        ...scan([os.tmpdir(), ...caches, pulumiHome()], needles, { since: started, skip: [s.work] }),
    ];
}

function runFolders(): string[] {
    const root = path.join(s.cli.projectDir, PRIVATE_TMP_ROOT);
    return fs.existsSync(root) ? fs.readdirSync(root).filter((n) => n.startsWith("run-")) : [];
}

/** A launcher run must leave no credential anywhere and no run folder. */
function nothingLeft(when: string): void {
    assert.deepEqual(leftovers(), [], `credentials left after ${when}`);
    assert.deepEqual(runFolders(), [], `run folders left after ${when}`);
}

function printSummary(what: string, summary: Record<string, number>): void {
    const parts = Object.entries(summary).map(([k, n]) => `${k}${n > 1 ? ` (${n} files)` : ""}`);
    console.log(`# ${what}: ${parts.join(", ") || "nothing"}`);
}

before(async () => {
    requireEngine();
    started = Date.now();
    s = await EngineScenario.start({ base: "lab" });
    const registry = s.plain.registry as { username: string };
    needles = [
        ...clientKeyNeedles(s.sim.kubeconfig),
        ...registryNeedles(registry.username, s.secrets["registry.password"]),
    ];
    runs = new TmpSampler(path.join(s.cli.projectDir, PRIVATE_TMP_ROOT));
});

after(async () => {
    runs?.stop();
    await s?.stop();
});

describe("no credential left on disk by a Pulumi run (issue 28)", () => {
    step(
        "a plain pulumi preview, without the launcher, leaves the kubeconfig with its client key in $TMPDIR",
        async () => {
            // The stack file names the kubeconfig the sim's admin kubeconfig was copied into, decoy context added.
            assert.equal(clientKeyNeedles(String(s.plain.kubernetes.kubeconfig))[0].text, needles[0].text);
            const r = await s.cli.run(["preview", "--stack", s.stack], undefined, { direct: true });
            assert.equal(r.code, 0, r.stdout + r.stderr);
            figure("lab pulumi preview without the launcher", r.seconds);
            // The program says so, naming the fix.
            assert.match(
                r.stdout + r.stderr,
                /is not private: the kubernetes provider leaves a copy of the kubeconfig/,
            );
            assert.match(r.stdout + r.stderr, /npm run pulumi -- up --stack <stack>/);
            const hits = leftovers();
            const copies = [...new Set(hits.map((h) => h.file))];
            console.log(
                `# plain preview: ${copies.map((f) => path.relative(s.work, f)).join(", ")} hold ${hits.length} needles`,
            );
            assert.ok(copies.length >= 1, "the scan found no copy: it cannot tell a fixed run from a leaking one");
            for (const f of copies) {
                assert.equal(path.dirname(f), s.cli.tmpdir);
                assert.match(path.basename(f), /^kubeconfig\d+$/);
                assert.equal((fs.statSync(f).mode & 0o777).toString(8), "600");
            }
            assert.ok(hits.some((h) => h.needle === "client-key-data (base64)"));
            printSummary("left in $TMPDIR by the plain preview", byTopEntry(filesUnder(s.cli.tmpdir)));
            for (const f of copies) fs.rmSync(f);
            assert.deepEqual(leftovers(), []);
        },
    );

    step("npm run pulumi -- preview leaves nothing", async () => {
        runs.start();
        const r = await s.pulumiOk(["preview"]);
        figure("lab pulumi preview through the launcher", r.seconds);
        assert.doesNotMatch(r.stdout + r.stderr, /is not private/);
        nothingLeft("preview");
        printSummary("written into the run's private folder by preview", runs.take());
    });

    step("npm run pulumi -- up (preview and update) leaves nothing", async () => {
        const r = await s.pulumiOk(["up", "--yes"]);
        figure("lab pulumi up through the launcher (preview included)", r.seconds);
        nothingLeft("up");
        printSummary("written into the run's private folder by up", runs.take());
    });

    step("npm run pulumi -- destroy leaves nothing", async () => {
        const r = await s.pulumiOk(["destroy", "--yes", "--skip-preview"]);
        figure("lab pulumi destroy through the launcher", r.seconds);
        nothingLeft("destroy");
        printSummary("written into the run's private folder by destroy", runs.take());
    });

    step(
        "a failed up (the registry refuses a wrong password, after the kubernetes provider wrote its kubeconfig copy) leaves nothing",
        async () => {
            const wrong = `Wrong-${Math.random().toString(36).slice(2)}-pw`;
            const registry = s.plain.registry as { username: string };
            needles.push(...registryNeedles(registry.username, wrong));
            const set = ["config", "set", "--secret", "--path", "aihub-airgap:registry.password", "--stack", s.stack];
            await s.cli.ok(set, wrong);
            const r = await s.pulumi(["up", "--yes", "--skip-preview"]);
            assert.notEqual(r.code, 0, "the up with a wrong registry password succeeded");
            assert.match(r.stdout + r.stderr, /rejected the credentials/);
            // The provider was configured before the push failed: its kubeconfig copy (client key included) was in the
            // run's folder. (The push, first on the chain, may fail before any object is created.)
            const written = runs.take();
            assert.ok(written.kubeconfigN, `the run's folder held ${JSON.stringify(written)}`);
            nothingLeft("a failed up");
            printSummary("written into the run's private folder by the failed up", written);
            await s.cli.ok(set, s.secrets["registry.password"]);
        },
    );

    step(
        "an up killed with SIGKILL to the launcher's process group mid-run: the reaper removes the run folder, nothing is left",
        async () => {
            const root = path.join(s.cli.projectDir, PRIVATE_TMP_ROOT);
            const run = s.cli.start(["up", "--yes", "--skip-preview", "--stack", s.stack], { ownGroup: true });
            const pid = run.child.pid!;
            const dir = await eventually(
                "the provider's kubeconfig copy in the run folder and an object being created",
                async () => {
                    const d = fs.readdirSync(root).find((n) => n.startsWith(`run-${pid}-`));
                    if (!d) return undefined;
                    const copy = fs.readdirSync(path.join(root, d)).some((f) => /^kubeconfig\d+$/.test(f));
                    return copy && /kubernetes:\S+\s+\S+\s+creating/.test(run.output())
                        ? path.join(root, d)
                        : undefined;
                },
                120_000,
            );
            printSummary("in the run folder when killed", runs.take());
            const t0 = Date.now();
            process.kill(-pid, "SIGKILL");
            // Its pipes close with the launcher and the CLI (plugins write into the CLI's pipes, not these).
            await Promise.race([run.done, new Promise((r) => setTimeout(r, 10_000))]);
            await eventually("the reaper to remove the run folder", async () => !fs.existsSync(dir), 30_000);
            figure("run folder removed after kill -9 of the launcher's group", (Date.now() - t0) / 1000);
            // Pulumi starts its plugins in process groups of their own: they outlive the kill until their engine
            // health check fails. They are this test's processes; end them, then the reaper ends too.
            const orphans = processesUsing(dir);
            const names = orphans.map((p) => {
                try {
                    return path.basename(fs.readFileSync(`/proc/${p}/cmdline`, "utf8").split("\0")[0]);
                } catch {
                    return "?";
                }
            });
            console.log(`# orphaned after the kill: ${names.join(", ") || "none"}`);
            nothingLeft("a killed up (orphans still running)");
            for (const p of orphans) {
                try {
                    process.kill(p, "SIGKILL");
                } catch {
                    // Gone already.
                }
            }
            await eventually("the orphans to end", async () => processesUsing(dir).length === 0, 30_000);
            await eventually(
                "the reaper to end",
                async () =>
                    !fs
                        .readdirSync("/proc")
                        .filter((n) => /^\d+$/.test(n))
                        .some((n) => {
                            try {
                                return fs.readFileSync(`/proc/${n}/cmdline`, "utf8").includes(dir);
                            } catch {
                                return false;
                            }
                        }),
                30_000,
            );
            nothingLeft("a killed up");
        },
    );
});
