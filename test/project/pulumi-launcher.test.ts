/**
 * `npm run pulumi` (cli/pulumi.ts) with a stand-in Pulumi CLI (`PULUMI`, a small Node.js script that writes a
 * "kubeconfig" into `$TMPDIR`, records what it saw and then exits or waits): the run's private folder (mode 0700,
 * under the project's `.pulumi-tmp/`) is removed on a normal exit, on a failure (the exit code passes through), after
 * a forwarded SIGINT or SIGTERM, and by the reaper after kill -9 of the launcher's whole process group (also what an
 * orphaned plugin writes there afterwards); folders of runs that are over are swept at the next start.
 */
import assert from "node:assert/strict";
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as net from "node:net";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { launcherCommand, projectDirFor, withStackPolicyPack } from "../../cli/pulumi";
import {
    PRIVATE_TMPDIR_ENV,
    PRIVATE_TMP_ROOT,
    TS_NODE_CACHE,
    inPrivateTmpdir,
    processesUsing,
} from "../../lib/private-tmp";
import { eventually } from "../helpers/eventually";

/**
 * The stand-in CLI. Arguments: `exit <code>` or `wait` (any other command exits with `$FAKE_EXIT` when it is set). It writes `$TMPDIR/kubeconfig123`, then `seen.json` (its
 * temp variables and the folder's mode) in `$OUT`, records each SIGINT/SIGTERM in `$OUT/signals` and exits 130/143
 * 300 ms after the first; `orphan` also starts a process in a session of its own (as Pulumi starts its plugins) that
 * writes into the folder 1.5 s later.
 */
const FAKE = `#!${process.execPath}
const fs = require("fs"), path = require("path"), { spawn } = require("child_process");
const out = process.env.OUT, tmp = process.env.TMPDIR;
fs.writeFileSync(path.join(tmp, "kubeconfig123"), "client-key-data: c2VjcmV0");
const seen = { TMPDIR: tmp, TMP: process.env.TMP, TEMP: process.env.TEMP, marker: process.env.${PRIVATE_TMPDIR_ENV},
    mode: (fs.statSync(tmp).mode & 0o777).toString(8), tsNodeCache: process.env.TS_NODE_CACHE_DIRECTORY };
for (const [sig, code] of [["SIGINT", 130], ["SIGTERM", 143]]) process.on(sig, () => {
    fs.appendFileSync(path.join(out, "signals"), sig + "\\n");
    setTimeout(() => process.exit(code), 300);
});
if (process.argv[2] === "orphan") {
    const late = "setTimeout(() => { fs.mkdirSync(process.env.TMPDIR, { recursive: true }); " +
        "fs.writeFileSync(process.env.TMPDIR + '/late', 'x'); }, 1500)";
    const o = spawn(process.execPath, ["-e", "const fs = require('fs'); " + late], { detached: true, stdio: "ignore" });
    seen.orphan = o.pid;
    o.unref();
}
fs.writeFileSync(path.join(out, "seen.json"), JSON.stringify(seen));
if (process.argv[2] === "exit") process.exit(Number(process.argv[3]));
if (process.env.FAKE_EXIT) process.exit(Number(process.env.FAKE_EXIT));
setInterval(() => {}, 1000);
`;

let work: string;
let project: string;
let fake: string;

before(() => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), "launcher-test-"));
    project = path.join(work, "project");
    fs.mkdirSync(path.join(project, "sub"), { recursive: true });
    fs.writeFileSync(path.join(project, "Pulumi.yaml"), "name: t\nruntime: nodejs\n");
    fake = path.join(work, "fake-pulumi");
    fs.writeFileSync(fake, FAKE, { mode: 0o755 });
});

/** Launchers started by a test: a test that fails before its launcher ends must not leave it (and the run) hanging. */
const started: ChildProcess[] = [];

after(() => {
    for (const c of started) {
        if (c.exitCode !== null || c.signalCode !== null) continue;
        try {
            process.kill(-c.pid!, "SIGKILL"); // its process group: the stand-in CLI too
        } catch {
            // already gone
        }
    }
    fs.rmSync(work, { recursive: true, force: true });
});

interface Seen {
    TMPDIR: string;
    TMP: string;
    TEMP: string;
    marker: string;
    mode: string;
    tsNodeCache: string;
    orphan?: number;
}

/** A fresh output directory for the stand-in. */
function outDir(): string {
    return fs.mkdtempSync(path.join(work, "out-"));
}

function env(out: string): NodeJS.ProcessEnv {
    return { ...process.env, PULUMI: fake, OUT: out };
}

/** Runs the launcher to its end. */
function runLauncher(args: string[], out: string, extraEnv: NodeJS.ProcessEnv = {}) {
    const [node, pre] = launcherCommand();
    return spawnSync(node, [...pre, ...args], { cwd: project, env: { ...env(out), ...extraEnv }, encoding: "utf8" });
}

/** Starts the launcher in a session of its own (no terminal, its own process group), as a background run. */
function startLauncher(args: string[], out: string): { child: ChildProcess; exit: Promise<number | null> } {
    const [node, pre] = launcherCommand();
    const child = spawn(node, [...pre, ...args], { cwd: project, env: env(out), stdio: "ignore", detached: true });
    started.push(child);
    const exit = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    return { child, exit };
}

async function seenBy(out: string): Promise<Seen> {
    const file = path.join(out, "seen.json");
    // The launcher compiles itself (tsx) before it starts the CLI: on a loaded 2-core machine that took over 15 s.
    return eventually("the stand-in CLI to start", async () => fs.existsSync(file), 60_000).then(
        () => JSON.parse(fs.readFileSync(file, "utf8")) as Seen,
    );
}

/** Run folders left under the project's `.pulumi-tmp`. */
function runDirs(): string[] {
    const root = path.join(project, PRIVATE_TMP_ROOT);
    return fs.existsSync(root) ? fs.readdirSync(root).filter((n) => n.startsWith("run-")) : [];
}

/** Processes whose command line names `dir` (the reaper). */
function reapersOf(dir: string): number[] {
    return fs
        .readdirSync("/proc")
        .filter((n) => /^\d+$/.test(n))
        .filter((n) => {
            try {
                return fs.readFileSync(`/proc/${n}/cmdline`, "utf8").includes(dir);
            } catch {
                return false;
            }
        })
        .map(Number);
}

// Each test bounded: one whose launcher never ends fails, and `after` stops what it started.
describe("npm run pulumi: the launcher", { timeout: 180_000 }, () => {
    it("runs the CLI with a private 0700 folder under .pulumi-tmp as TMPDIR/TMP/TEMP and removes it on exit", async () => {
        const out = outDir();
        const r = runLauncher(["exit", "0"], out);
        assert.equal(r.status, 0, r.stderr);
        const seen = await seenBy(out);
        assert.match(seen.TMPDIR, new RegExp(`^${project}/\\.pulumi-tmp/run-\\d+-\\w+$`));
        assert.equal(seen.TMP, seen.TMPDIR);
        assert.equal(seen.TEMP, seen.TMPDIR);
        assert.equal(seen.marker, seen.TMPDIR);
        assert.equal(seen.mode, "700");
        // Pulumi's TypeScript compile cache stays outside the run folder, kept across runs.
        assert.equal(seen.tsNodeCache, path.join(project, TS_NODE_CACHE));
        assert.equal((fs.statSync(path.join(project, PRIVATE_TMP_ROOT)).mode & 0o777).toString(8), "700");
        assert.equal(fs.existsSync(seen.TMPDIR), false, "the run folder is still there");
        assert.deepEqual(runDirs(), []);
        // The reaper finds the launcher gone and exits too.
        await eventually("the reaper to exit", async () => reapersOf(seen.TMPDIR).length === 0, 10_000);
    });

    it("passes the CLI's exit code through on failure and still removes the folder", async () => {
        const out = outDir();
        const r = runLauncher(["exit", "3"], out, { TS_NODE_CACHE_DIRECTORY: path.join(work, "own-cache") });
        assert.equal(r.status, 3);
        const seen = await seenBy(out);
        assert.equal(seen.tsNodeCache, path.join(work, "own-cache"), "a TS_NODE_CACHE_DIRECTORY of the caller is kept");
        assert.equal(fs.existsSync(seen.TMPDIR), false);
        assert.deepEqual(runDirs(), []);
    });

    it("after a failed up whose cluster does not answer, says so and names the command to run again", async () => {
        // A port nothing listens on: the stack's API server is away.
        const port = await new Promise<number>((resolve) => {
            const srv = net.createServer().listen(0, "127.0.0.1", () => {
                const p = (srv.address() as net.AddressInfo).port;
                srv.close(() => resolve(p));
            });
        });
        const kubeconfig = path.join(work, "away-kubeconfig.yaml");
        fs.writeFileSync(
            kubeconfig,
            `apiVersion: v1\nkind: Config\ncurrent-context: c\nclusters:\n- name: c\n  cluster:\n    server: https://127.0.0.1:${port}\n` +
                "contexts:\n- name: c\n  context:\n    cluster: c\n    user: u\nusers:\n- name: u\n  user:\n    token: t\n",
        );
        fs.writeFileSync(
            path.join(project, "Pulumi.away.yaml"),
            `config:\n  aihub-airgap:kubernetes:\n    kubeconfig: ${kubeconfig}\n`,
        );
        try {
            const r = runLauncher(["up", "--stack", "away"], outDir(), { FAKE_EXIT: "2" });
            assert.equal(r.status, 2);
            assert.match(
                r.stderr,
                new RegExp(
                    `aihub-airgap: the run failed and the cluster's API server does not answer \\(https://127\\.0\\.0\\.1:${port}: connect ECONNREFUSED .*\\).*` +
                        "run `npm run pulumi -- up --stack away` again",
                ),
            );
            // A run that succeeds, or fails for another reason while the cluster answers, adds nothing.
            const ok = runLauncher(["up", "--stack", "away"], outDir(), { FAKE_EXIT: "0" });
            assert.equal(ok.status, 0);
            assert.doesNotMatch(ok.stderr, /does not answer/);
        } finally {
            fs.rmSync(path.join(project, "Pulumi.away.yaml"));
        }
    });

    it("finds the project from a subdirectory and from --cwd/-C", () => {
        assert.equal(projectDirFor([], path.join(project, "sub")), project);
        assert.equal(projectDirFor(["up", "-C", project], work), project);
        assert.equal(projectDirFor([`--cwd=${path.join(project, "sub")}`], work), project);
        assert.equal(projectDirFor(["version"], work), work);
    });

    it("says so when there is no Pulumi CLI (exit 127) and leaves no folder", () => {
        const out = outDir();
        const r = runLauncher(["version"], out, { PULUMI: path.join(work, "no-such-pulumi") });
        assert.equal(r.status, 127);
        assert.match(r.stderr, /not found \(install the Pulumi CLI, or set PULUMI=/);
        assert.deepEqual(runDirs(), []);
    });

    for (const sig of ["SIGINT", "SIGTERM"] as const) {
        it(`forwards ${sig} to the CLI once (the same signal twice within 100 ms counts once), then cleans up`, async () => {
            const out = outDir();
            const { child, exit } = startLauncher(["wait"], out);
            const seen = await seenBy(out);
            assert.ok(fs.existsSync(path.join(seen.TMPDIR, "kubeconfig123")));
            child.kill(sig);
            await new Promise((r) => setTimeout(r, 100));
            child.kill(sig);
            assert.equal(await exit, sig === "SIGINT" ? 130 : 143);
            assert.deepEqual(fs.readFileSync(path.join(out, "signals"), "utf8").trim().split("\n"), [sig]);
            assert.equal(fs.existsSync(seen.TMPDIR), false);
            assert.deepEqual(runDirs(), []);
        });
    }

    const script = spawnSync("script", ["--version"]).status === 0;
    it(
        "Ctrl-C in a terminal reaches the CLI once: the terminal sends it to the whole group, the launcher does not repeat it",
        { skip: script ? false : "util-linux script(1) not found" },
        async () => {
            const out = outDir();
            const [node, pre] = launcherCommand();
            const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
            const cmd = [node, ...pre, "wait"].map(quote).join(" ");
            // script(1) runs the command on a new terminal; a ^C written to it is the terminal's interrupt key.
            const term = spawn("script", ["-qec", cmd, "/dev/null"], {
                cwd: project,
                env: env(out),
                stdio: ["pipe", "ignore", "ignore"],
            });
            const exit = new Promise<number | null>((resolve) => term.on("exit", (code) => resolve(code)));
            const seen = await seenBy(out);
            term.stdin.write("\x03");
            assert.equal(await exit, 130);
            term.stdin.end();
            assert.deepEqual(fs.readFileSync(path.join(out, "signals"), "utf8").trim().split("\n"), ["SIGINT"]);
            assert.equal(fs.existsSync(seen.TMPDIR), false);
        },
    );

    it("kill -9 of the launcher's process group: the reaper removes the folder, and again after an orphan wrote to it", async () => {
        const out = outDir();
        const { child } = startLauncher(["orphan"], out);
        const seen = await seenBy(out);
        assert.ok(fs.existsSync(path.join(seen.TMPDIR, "kubeconfig123")));
        assert.ok(seen.orphan, "the stand-in did not start its orphan");
        const t0 = Date.now();
        process.kill(-child.pid!, "SIGKILL");
        await eventually("the reaper to remove the folder", async () => !fs.existsSync(seen.TMPDIR), 5_000);
        const removedAfter = (Date.now() - t0) / 1000;
        console.log(`# figure: run folder removed after kill -9: ${removedAfter.toFixed(2)} s`);
        // The orphan (its own session, as a plugin) outlives the kill; what it writes later goes too, and the reaper
        // ends once no process carries the marker.
        await eventually("the orphan to exit", async () => processesUsing(seen.TMPDIR).length === 0, 10_000);
        await eventually("the reaper to exit", async () => reapersOf(seen.TMPDIR).length === 0, 10_000);
        assert.equal(fs.existsSync(seen.TMPDIR), false, "what the orphan wrote after the kill is still there");
        assert.deepEqual(runDirs(), []);
    });

    it("sweeps the folders of runs that are over at the next start, keeping those of live runs", () => {
        const root = path.join(project, PRIVATE_TMP_ROOT);
        const gone = spawnSync(process.execPath, ["-e", "0"]).pid;
        const stale = path.join(root, `run-${gone}-abc123`);
        const live = path.join(root, `run-${process.pid}-def456`);
        for (const d of [stale, live]) {
            fs.mkdirSync(d, { recursive: true, mode: 0o700 });
            fs.writeFileSync(path.join(d, "kubeconfig999"), "client-key-data: c2VjcmV0");
        }
        const unrelated = path.join(root, "notes");
        fs.writeFileSync(unrelated, "kept");
        const r = runLauncher(["exit", "0"], outDir());
        assert.equal(r.status, 0, r.stderr);
        assert.equal(fs.existsSync(stale), false, "the stale run folder was not swept");
        assert.equal(fs.existsSync(live), true, "the folder of a live process was swept");
        assert.equal(fs.existsSync(unrelated), true);
        fs.rmSync(live, { recursive: true });
        fs.rmSync(unrelated);
    });
});

describe("inPrivateTmpdir: what the program checks before it warns", () => {
    it("is true only when the marker names the existing temporary folder", () => {
        const dir = fs.mkdtempSync(path.join(work, "t-"));
        assert.equal(inPrivateTmpdir({ [PRIVATE_TMPDIR_ENV]: dir }, dir), true);
        assert.equal(inPrivateTmpdir({ [PRIVATE_TMPDIR_ENV]: `${dir}/` }, dir), true);
        assert.equal(inPrivateTmpdir({}, dir), false);
        assert.equal(inPrivateTmpdir({ [PRIVATE_TMPDIR_ENV]: dir }, os.tmpdir()), false);
        assert.equal(inPrivateTmpdir({ [PRIVATE_TMPDIR_ENV]: path.join(dir, "gone") }, path.join(dir, "gone")), false);
    });
});

describe("withStackPolicyPack: the stack's policyPack key as a default --policy-pack", () => {
    const pack = path.join("/p", "policy");
    it("adds the project's pack to preview and up when the stack file says true (boolean or the CLI's string)", () => {
        assert.deepEqual(
            withStackPolicyPack(["preview", "-s", "x"], "preview", () => true, "/p"),
            ["preview", "-s", "x", "--policy-pack", pack],
        );
        assert.deepEqual(
            withStackPolicyPack(["up", "--yes"], "up", () => "true", "/p"),
            ["up", "--yes", "--policy-pack", pack],
        );
        assert.deepEqual(
            withStackPolicyPack(["up", "--", "x"], "up", () => true, "/p"),
            ["up", "--policy-pack", pack, "--", "x"],
        );
    });
    it("leaves the arguments alone when the key is false or absent, for other commands, and when a pack is given", () => {
        for (const [args, command, value] of [
            [["up"], "up", false],
            [["up"], "up", undefined],
            [["up"], "up", "yes"],
            [["destroy"], "destroy", true],
            [["refresh"], "refresh", true],
            [["up", "--policy-pack", "other"], "up", true],
            [["preview", "--policy-pack=other"], "preview", true],
        ] as [string[], string, unknown][]) {
            assert.deepEqual(
                withStackPolicyPack(args, command, () => value, "/p"),
                args,
                args.join(" "),
            );
        }
        // Other commands never read the stack file.
        assert.deepEqual(
            withStackPolicyPack(["destroy"], "destroy", () => assert.fail("read"), "/p"),
            ["destroy"],
        );
    });
});
