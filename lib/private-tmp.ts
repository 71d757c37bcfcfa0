/**
 * A private temporary folder per Pulumi run (`npm run pulumi`, cli/pulumi.ts). The kubernetes provider writes a copy
 * of an explicit kubeconfig, client key included, into `os.TempDir()` on every configuration and never removes it
 * (pulumi-kubernetes 4.25.0, `writeKubeconfigToFile`); the only way to keep that copy out of a shared `/tmp` is to
 * hand Pulumi a `TMPDIR` of its own and remove it afterwards, whichever way the run ends. This module holds what the
 * launcher, its reaper and the program share: the folder's name and marker, and how to tell a folder still in use.
 *
 * Liveness is read from `/proc` (Linux): a process's start time guards against a reused pid, and a process still
 * running with the marker in its environment (a provider plugin, which Pulumi starts in a process group of its own,
 * outlives a killed CLI) keeps the folder in use. Without `/proc` only the pid is checked.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as tty from "node:tty";

/** The environment variable a run's processes carry: the private temporary folder itself. */
export const PRIVATE_TMPDIR_ENV = "AIHUB_PRIVATE_TMPDIR";

/** The folder under the project that holds the runs' folders (git-ignored). */
export const PRIVATE_TMP_ROOT = ".pulumi-tmp";

/**
 * Where the launcher keeps the compile cache of Pulumi's TypeScript runner (ts-node, `TS_NODE_CACHE_DIRECTORY`),
 * relative to the project: compiled program sources, no credential. Kept across runs, as it was in `/tmp`: a cold
 * cache type-checks the whole program again (a lab preview took 18.6–25.5 s cold against 5.7–7.3 s warm here).
 */
export const TS_NODE_CACHE = `${PRIVATE_TMP_ROOT}/ts-node-cache`;

const RUN_DIR = /^run-(\d+)-[A-Za-z0-9]+$/;

/** Whether `dir` is a run folder: `<…>/.pulumi-tmp/run-<pid>-<random>` (the only kind the reaper removes). */
export function isRunDir(dir: string): boolean {
    return path.basename(path.dirname(dir)) === PRIVATE_TMP_ROOT && RUN_DIR.test(path.basename(dir));
}

/** True when this process's temporary folder is the private folder a launcher made for it. */
export function inPrivateTmpdir(env: NodeJS.ProcessEnv, tmpdir: string): boolean {
    const marked = env[PRIVATE_TMPDIR_ENV];
    return !!marked && path.resolve(marked) === path.resolve(tmpdir) && fs.existsSync(marked);
}

/** A process to watch: its pid and, where `/proc` tells it, its start time (clock ticks since boot). */
export interface Watched {
    pid: number;
    start?: string;
}

/** Fields of `/proc/<pid>/stat` after the command name (which may hold spaces and parentheses). */
function statFields(pid: number | "self"): string[] | undefined {
    try {
        const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
        return stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    } catch {
        return undefined;
    }
}

const hasProc = (): boolean => fs.existsSync("/proc/self/stat");

/** `pid` with its start time, to be handed to a watcher. */
export function watched(pid: number): Watched {
    // Field 22 of stat is the start time; fields here start at 3 (state).
    const start = statFields(pid)?.[19];
    return start ? { pid, start } : { pid };
}

/** Whether the process runs (a zombie does not; a pid reused since `start` does not). */
export function processAlive(w: Watched): boolean {
    if (hasProc()) {
        const f = statFields(w.pid);
        if (!f || f[0] === "Z" || f[0] === "X") return false;
        return w.start === undefined || f[19] === w.start;
    }
    try {
        process.kill(w.pid, 0);
        return true;
    } catch (e) {
        return (e as NodeJS.ErrnoException).code === "EPERM";
    }
}

/**
 * Whether this process is in the foreground process group of its terminal. A key the user presses there (Ctrl-C)
 * reaches every process of that group, so a child in the same group already has the signal.
 */
export function inForegroundOfTerminal(): boolean {
    const f = statFields("self");
    if (f) return f[5] !== "-1" && f[2] === f[5]; // pgrp === tpgid
    return tty.isatty(0);
}

/** Pids of the processes (this one aside) whose environment names `dir` as their private temporary folder. */
export function processesUsing(dir: string): number[] {
    if (!hasProc()) return [];
    const needle = Buffer.from(`${PRIVATE_TMPDIR_ENV}=${dir}\0`);
    const out: number[] = [];
    for (const name of fs.readdirSync("/proc")) {
        if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
        let env: Buffer;
        try {
            env = fs.readFileSync(`/proc/${name}/environ`);
        } catch {
            continue;
        }
        const at = env.indexOf(needle);
        if (at === 0 || (at > 0 && env[at - 1] === 0)) out.push(Number(name));
    }
    return out;
}

/** Creates `<projectDir>/.pulumi-tmp` (mode 0700) and in it a new `run-<pid>-<random>` folder (mode 0700). */
export function makeRunDir(projectDir: string, pid = process.pid): string {
    const root = path.join(projectDir, PRIVATE_TMP_ROOT);
    fs.mkdirSync(root, { recursive: true, mode: 0o700 });
    // Another user's `.pulumi-tmp` (a shared checkout) stays as it is; each run folder is 0700 either way.
    if (fs.statSync(root).uid === process.getuid?.()) fs.chmodSync(root, 0o700);
    const dir = fs.mkdtempSync(path.join(root, `run-${pid}-`));
    fs.chmodSync(dir, 0o700);
    return dir;
}

/** Removes `dir` and everything in it; never throws. */
export function removeDir(dir: string): void {
    try {
        fs.rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
    } catch {
        // A file still being written (ENOTEMPTY): the reaper or the next sweep takes it.
    }
}

/**
 * Removes the run folders under `<projectDir>/.pulumi-tmp` that no run uses any more: their launcher's pid is gone
 * and no process carries their marker. Returns the folders removed.
 */
export function sweepStale(projectDir: string): string[] {
    const root = path.join(projectDir, PRIVATE_TMP_ROOT);
    let names: string[];
    try {
        names = fs.readdirSync(root);
    } catch {
        return [];
    }
    const removed: string[] = [];
    for (const name of names) {
        const m = RUN_DIR.exec(name);
        if (!m) continue;
        const dir = path.join(root, name);
        if (processAlive({ pid: Number(m[1]) }) || processesUsing(dir).length > 0) continue;
        removeDir(dir);
        removed.push(dir);
    }
    return removed;
}

/** Options of {@link reap}. */
export interface ReapOptions {
    /** Poll interval while the watched processes run. @default 250 */
    intervalMs?: number;
    /** How long to keep waiting for processes that still carry the marker once the watched ones are gone. @default 15 min */
    lingerMs?: number;
}

/**
 * The reaper: waits until every watched process (the launcher and the Pulumi CLI) is gone, removes `dir`, then keeps
 * removing it while processes that carry its marker (orphaned plugins of a killed CLI) still run, so nothing they
 * write afterwards stays either.
 */
export async function reap(dir: string, watch: Watched[], opts: ReapOptions = {}): Promise<void> {
    const interval = opts.intervalMs ?? 250;
    const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
    while (watch.some(processAlive)) await sleep(interval);
    removeDir(dir);
    const until = Date.now() + (opts.lingerMs ?? 15 * 60_000);
    while (processesUsing(dir).length > 0 && Date.now() < until) {
        await sleep(Math.max(interval, 1000));
        if (fs.existsSync(dir)) removeDir(dir);
    }
    removeDir(dir);
}
