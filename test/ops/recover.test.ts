/**
 * The launcher's recovery of an interrupted run (ops/recover.ts, lib/interrupted-run.ts) on a file backend laid out
 * as the Pulumi CLI lays it out (pkg/backend/diy/lock.go and state.go@v3.248.0): whose lock is live, dead or
 * elsewhere; a live holder refuses the run by name; a stale lock is removed; a truncated state file refuses the run,
 * naming the newest readable backup and the commands that restore it; what to do about a Release's Helm records.
 * The repair of Helm records and the refresh are exercised under the real engine by hand (docs/recovery.md).
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, test } from "node:test";
import {
    lockHolderState,
    processStartedAt,
    releaseRepair,
    stateBackups,
    type PendingOperation,
    type StackLock,
} from "../../lib/interrupted-run";
import { RunRefused, recoverInterruptedRun, stopProcesses } from "../../ops/recover";

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "recover-"));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** A project with a file backend and a stack `lab`; returns its directory and backend. */
function project(name: string): { dir: string; backend: string } {
    const dir = path.join(tmp, name);
    fs.mkdirSync(path.join(dir, ".pulumi-state", ".pulumi", "stacks", "aihub-airgap"), { recursive: true });
    fs.writeFileSync(
        path.join(dir, "Pulumi.yaml"),
        "name: aihub-airgap\nruntime: nodejs\nbackend:\n  url: file://./.pulumi-state\n",
    );
    return { dir, backend: path.join(dir, ".pulumi-state") };
}

function writeLock(backend: string, pid: number, opts: { hostname?: string; at?: Date } = {}): string {
    const d = path.join(backend, ".pulumi", "locks", "organization", "aihub-airgap", "lab");
    fs.mkdirSync(d, { recursive: true });
    const file = path.join(d, `${pid}-lock.json`);
    const content = {
        pid,
        username: "admin",
        hostname: opts.hostname ?? os.hostname(),
        timestamp: (opts.at ?? new Date()).toISOString(),
    };
    fs.writeFileSync(file, JSON.stringify(content));
    fs.writeFileSync(`${file}.attrs`, "{}");
    return file;
}

function writeState(backend: string, doc: unknown, suffix = ""): string {
    const file = path.join(backend, ".pulumi", "stacks", "aihub-airgap", `lab.json${suffix}`);
    fs.writeFileSync(file, typeof doc === "string" ? doc : JSON.stringify(doc));
    return file;
}

const EMPTY_STATE = { version: 3, checkpoint: { stack: "lab", latest: { resources: [] } } };

/** A process whose command name starts with `pulumi` (a copy of `sleep` under that name), as a lock holder. */
function fakePulumi(): { pid: number; stop: () => void } {
    const bin = path.join(tmp, "pulumi");
    if (!fs.existsSync(bin)) fs.copyFileSync("/bin/sleep", bin);
    fs.chmodSync(bin, 0o755);
    const child = spawn(bin, ["60"], { stdio: "ignore" });
    return { pid: child.pid!, stop: () => child.kill("SIGKILL") };
}

function recover(dir: string, command = "up") {
    const lines: string[] = [];
    const ran: string[][] = [];
    return {
        lines,
        ran,
        done: recoverInterruptedRun({
            projectDir: dir,
            stack: "lab",
            command,
            env: {},
            log: (l) => lines.push(l),
            runPulumi: async (args) => {
                ran.push(args);
                return 0;
            },
            // No cluster here: a pending Release operation needs one, the others do not.
            client: () => {
                throw new Error("no cluster in this test");
            },
        }),
    };
}

test("a lock's holder: alive while its pulumi runs; dead when gone or the pid was reused since; elsewhere on another host", async () => {
    const p = fakePulumi();
    try {
        await new Promise((r) => setTimeout(r, 200));
        const lock = (pid: number, at: Date, hostname = os.hostname()): StackLock => ({
            file: "x",
            pid,
            username: "admin",
            hostname,
            timestamp: at.toISOString(),
        });
        assert.equal(lockHolderState(lock(p.pid, new Date())), "alive");
        // The same pid, but the lock is older than the process: the pid was reused.
        assert.equal(lockHolderState(lock(p.pid, new Date(Date.now() - 3600_000))), "dead");
        // This test's own process runs node, not pulumi.
        assert.equal(lockHolderState(lock(process.pid, new Date())), "dead");
        assert.equal(lockHolderState(lock(p.pid, new Date(), "other-host")), "elsewhere");
        p.stop();
        await new Promise((r) => setTimeout(r, 200));
        assert.equal(lockHolderState(lock(p.pid, new Date())), "dead");
    } finally {
        p.stop();
    }
});

test("a live holder refuses the run, naming its pid, user, host and command line; its lock stays", async () => {
    const { dir, backend } = project("live");
    writeState(backend, EMPTY_STATE);
    const p = fakePulumi();
    try {
        await new Promise((r) => setTimeout(r, 200));
        const file = writeLock(backend, p.pid);
        const r = recover(dir);
        await assert.rejects(r.done, (e: Error) => {
            assert.ok(e instanceof RunRefused);
            assert.match(e.message, new RegExp(`stack lab is in use by another Pulumi run: pid ${p.pid} \\(admin@`));
            assert.match(e.message, /pulumi 60\. Wait for it to end, then run `pulumi up` again; nothing was changed/);
            return true;
        });
        assert.ok(fs.existsSync(file));
        assert.deepEqual(r.ran, []);
    } finally {
        p.stop();
    }
});

test("a lock from another host refuses the run and names `pulumi cancel` for when that run is over", async () => {
    const { dir, backend } = project("elsewhere");
    writeState(backend, EMPTY_STATE);
    const file = writeLock(backend, 4242, { hostname: "bastion-2" });
    await assert.rejects(
        recover(dir).done,
        /locked by a run on another host: pid 4242 \(admin@bastion-2\).*`pulumi cancel --stack lab`/,
    );
    assert.ok(fs.existsSync(file));
});

test("a stale lock without pending operations is removed and said so; no refresh runs", async () => {
    const { dir, backend } = project("stale");
    writeState(backend, EMPTY_STATE);
    const file = writeLock(backend, 999_999_999, { at: new Date(Date.now() - 60_000) });
    const r = recover(dir);
    const report = await r.done;
    assert.equal(report.staleLocks.length, 1);
    assert.ok(!fs.existsSync(file) && !fs.existsSync(`${file}.attrs`));
    assert.match(
        r.lines[0],
        /the last Pulumi run of stack lab did not finish: pid 999999999 \(admin@.+\) since .+ holds the stack lock and is gone/,
    );
    assert.match(
        r.lines.join("\n"),
        /removed the stale lock \.pulumi-state\/\.pulumi\/locks\/organization\/aihub-airgap\/lab\/999999999-lock\.json/,
    );
    assert.deepEqual(r.ran, []);
});

test("a stale lock with pending creates of plain objects: the refresh drops them (no cluster needed)", async () => {
    const { dir, backend } = project("pending");
    const urn =
        "urn:pulumi:lab::aihub-airgap::aihub-airgap:ceph:CephCluster$kubernetes:ceph.rook.io/v1:CephCluster::ceph";
    writeState(backend, {
        ...EMPTY_STATE,
        checkpoint: {
            latest: {
                resources: [],
                pending_operations: [
                    { type: "creating", resource: { urn, type: "kubernetes:ceph.rook.io/v1:CephCluster", inputs: {} } },
                ],
            },
        },
    });
    writeLock(backend, 999_999_998, { at: new Date(Date.now() - 60_000) });
    const r = recover(dir);
    const report = await r.done;
    assert.equal(report.pending.length, 1);
    assert.deepEqual(r.ran, [["refresh", "--yes", "--skip-preview", "--clear-pending-creates", "--stack", "lab"]]);
    assert.match(
        r.lines.join("\n"),
        /unfinished in the state: creating ceph \(kubernetes:ceph\.rook\.io\/v1:CephCluster\)/,
    );
});

test("a truncated state file refuses the run, naming the file, the newest readable backup and how to restore it", async () => {
    const { dir, backend } = project("truncated");
    const good = JSON.stringify(EMPTY_STATE);
    const backups = path.join(backend, ".pulumi", "backups", "aihub-airgap", "lab");
    fs.mkdirSync(backups, { recursive: true });
    fs.writeFileSync(path.join(backups, "lab.1700000000000000000.json"), good);
    fs.writeFileSync(path.join(backups, "lab.1800000000000000000.json"), good);
    // The `.bak` is as damaged as the file (both cut by a full disk): it is not offered.
    writeState(backend, good.slice(0, 20), ".bak");
    writeState(backend, good.slice(0, 30));
    assert.deepEqual(
        stateBackups(backend, "aihub-airgap", "lab").map((f) => path.basename(f)),
        ["lab.json.bak", "lab.1800000000000000000.json", "lab.1700000000000000000.json"],
    );
    const r = recover(dir);
    await assert.rejects(r.done, (e: Error) => {
        assert.ok(e instanceof RunRefused);
        assert.match(e.message, /lab\.json is not a readable Pulumi state file \(.*JSON.*\); nothing was run\./);
        assert.match(
            e.message,
            /newest readable backup is \.pulumi-state\/\.pulumi\/backups\/aihub-airgap\/lab\/lab\.1800000000000000000\.json \(1 older: .*lab\.1700000000000000000\.json\)/,
        );
        assert.match(
            e.message,
            /`pulumi stack import --stack lab --file \.pulumi-state\/\.pulumi\/backups\/aihub-airgap\/lab\/lab\.1800000000000000000\.json`/,
        );
        assert.match(e.message, /npm run pulumi -- refresh --stack lab/);
        return true;
    });
    assert.deepEqual(r.ran, []);
});

test("a Release's Helm records decide the repair: pending-* dropped, a finished install's records all dropped (not imported), nothing recorded cleared", () => {
    const op = (type: string): PendingOperation => ({
        type,
        urn: "urn:pulumi:lab::aihub-airgap::aihub-airgap:aihub:AiHub$kubernetes:helm.sh/v3:Release::aihub",
        resourceType: "kubernetes:helm.sh/v3:Release",
        inputs: { name: "rapidminer-aihub", namespace: "aihub" },
    });
    const rev = (revision: number, status: string) => ({
        secret: `sh.helm.release.v1.rapidminer-aihub.v${revision}`,
        revision,
        status,
    });
    assert.deepEqual(releaseRepair(op("creating"), []), { action: "clear" });
    assert.deepEqual(releaseRepair(op("creating"), [rev(1, "pending-install")]), {
        action: "drop-record",
        revisions: [rev(1, "pending-install")],
    });
    assert.deepEqual(releaseRepair(op("creating"), [rev(1, "deployed")]), {
        action: "drop-record",
        revisions: [rev(1, "deployed")],
    });
    assert.deepEqual(releaseRepair(op("creating"), [rev(1, "failed")]), {
        action: "drop-record",
        revisions: [rev(1, "failed")],
    });
    assert.deepEqual(
        releaseRepair(op("updating"), [rev(1, "superseded"), rev(2, "deployed"), rev(3, "pending-upgrade")]),
        {
            action: "drop-record",
            revisions: [rev(3, "pending-upgrade")],
        },
    );
    assert.deepEqual(releaseRepair(op("updating"), [rev(1, "superseded"), rev(2, "deployed")]), {
        action: "none",
    });
});

test("stopping an orphaned process signals its pid only while the pid runs the process listed (pids are reused)", async () => {
    const child = spawn("/bin/sleep", ["60"], { stdio: "ignore" });
    const exited = new Promise((r) => child.once("exit", r));
    try {
        const start = processStartedAt(child.pid!)!;
        assert.ok(start > 0);
        // The pid now names a process that started later than the one listed: it is someone else's, left alone.
        await stopProcesses([{ pid: child.pid!, command: "sleep", start: start - 5 }], 200);
        assert.equal(processStartedAt(child.pid!), start, "a process that only shares the pid was signalled");
        await stopProcesses([{ pid: child.pid!, command: "sleep", start }], 200);
        await exited;
        assert.equal(child.signalCode, "SIGTERM");
    } finally {
        child.kill("SIGKILL");
    }
});
