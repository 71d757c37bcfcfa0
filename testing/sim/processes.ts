/**
 * The simulated cluster's processes: started detached (they outlive `npm run sim -- up`), each with its own log
 * file, recorded with pid and command line in `pids.json` so `down` stops exactly those and nothing else.
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { sleep } from "../../lib/async";

/** One started process as recorded in `pids.json`. */
export interface ProcessRecord {
    /** Short name: also the log file's name (`logs/<name>.log`). */
    name: string;
    pid: number;
    /** The full command line it was started with (argv[0] first), compared with /proc/<pid>/cmdline. */
    argv: string[];
    log: string;
}

/** The file holding the records of a sim directory. */
export function pidsFile(dir: string): string {
    return path.join(dir, "pids.json");
}

/** The records of a sim directory (empty when there is none or it is unreadable). */
export function readPids(dir: string): ProcessRecord[] {
    try {
        const parsed = JSON.parse(fs.readFileSync(pidsFile(dir), "utf8")) as unknown;
        return Array.isArray(parsed) ? (parsed as ProcessRecord[]) : [];
    } catch {
        return [];
    }
}

function writePids(dir: string, records: ProcessRecord[]): void {
    const tmp = `${pidsFile(dir)}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify(records, null, 2) + "\n");
    fs.renameSync(tmp, pidsFile(dir));
}

/** Options of one started process. */
export interface StartOptions {
    /** Extra environment (added to this process's environment). */
    env?: Record<string, string>;
    cwd?: string;
    /**
     * The command line the process runs once `argv` has exec'd into it (e.g. a launcher that execs the real binary in
     * the same process), recorded so that {@link isRunning} recognises it; default `argv`.
     */
    runs?: string[];
}

/**
 * Starts `argv` detached with stdout and stderr appended to `<dir>/logs/<name>.log`, and records it in `pids.json`
 * before returning (so a failure later still lets `down` find it).
 */
export function startProcess(dir: string, name: string, argv: string[], opts: StartOptions = {}): ProcessRecord {
    const logDir = path.join(dir, "logs");
    fs.mkdirSync(logDir, { recursive: true });
    const log = path.join(logDir, `${name}.log`);
    const fd = fs.openSync(log, "a");
    try {
        const child = spawn(argv[0], argv.slice(1), {
            detached: true,
            stdio: ["ignore", fd, fd],
            cwd: opts.cwd ?? dir,
            env: { ...process.env, ...opts.env },
        });
        if (child.pid === undefined) throw new Error(`could not start ${argv[0]}`);
        child.on("error", () => undefined);
        child.unref();
        const record: ProcessRecord = { name, pid: child.pid, argv: opts.runs ?? argv, log };
        writePids(dir, [...readPids(dir).filter((r) => r.name !== name), record]);
        return record;
    } finally {
        fs.closeSync(fd);
    }
}

/**
 * True while the pid exists, is not a zombie, and still runs the recorded command line (a recycled pid running
 * something else counts as gone).
 */
export function isRunning(record: ProcessRecord): boolean {
    try {
        const stat = fs.readFileSync(`/proc/${record.pid}/stat`, "utf8");
        const state = stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3);
        if (state === "Z" || state === "X") return false;
        const cmdline = fs.readFileSync(`/proc/${record.pid}/cmdline`, "utf8").split("\0");
        if (cmdline[cmdline.length - 1] === "") cmdline.pop();
        return cmdline.length === record.argv.length && cmdline.every((a, i) => a === record.argv[i]);
    } catch {
        return false;
    }
}

/** The last lines of a process's log, for error messages. */
export function logTail(record: ProcessRecord, lines = 15): string {
    try {
        return fs.readFileSync(record.log, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
    } catch {
        return "(no log)";
    }
}

/** Throws with the log's tail when the process has exited. */
export function assertRunning(record: ProcessRecord): void {
    if (!isRunning(record)) {
        throw new Error(`${record.name} (pid ${record.pid}) exited; last lines of ${record.log}:\n${logTail(record)}`);
    }
}

/**
 * Stops the given processes: SIGTERM to those still running their recorded command, then SIGKILL to any left
 * after `graceMs`. Returns the names of those that had to be killed.
 */
export async function stopProcesses(records: ProcessRecord[], graceMs = 5000): Promise<string[]> {
    const signal = (r: ProcessRecord, sig: NodeJS.Signals) => {
        if (!isRunning(r)) return false;
        try {
            process.kill(r.pid, sig);
            return true;
        } catch {
            return false;
        }
    };
    const pending = records.filter((r) => signal(r, "SIGTERM"));
    const deadline = Date.now() + graceMs;
    while (pending.some(isRunning) && Date.now() < deadline) await sleep(100);
    const killed = pending.filter((r) => signal(r, "SIGKILL")).map((r) => r.name);
    const killDeadline = Date.now() + 5000;
    while (pending.some(isRunning) && Date.now() < killDeadline) await sleep(50);
    return killed;
}
