/**
 * Recovery of a `pulumi up` (or destroy, refresh) that was interrupted: killed outright (a dropped SSH connection
 * kills the whole process group), or ended by anything that gave the CLI no time to finish. What such a run leaves:
 *
 * 1. the stack's lock file, whose pid is gone: every later `up` stops on it;
 * 2. the provider plugins it started, still running in process groups of their own: the kubernetes provider checks
 *    the engine's health only every 5 minutes (pulumi pkg/resource/provider/main.go@v3.248.0) and goes on with the
 *    Helm install it was doing, unrecorded;
 * 3. pending operations in the state (what the engine had started);
 * 4. a Helm release record left `pending-install` or `pending-upgrade` (Helm then refuses every install of that
 *    name, "cannot re-use a name that is still in use", and every upgrade, "another operation is in progress"), or a
 *    release the orphaned provider finished installing that the state does not know.
 *
 * `recoverInterruptedRun` repairs exactly these, in this order, and says what it did: it stops the orphaned plugins
 * of runs whose launcher is gone, removes the lock files whose holder is gone, removes Helm's record of a release
 * operation that never finished (only the record: every object the chart created stays, and the next install or
 * upgrade adopts it; for a release Helm finished installing that the state does not know, every revision's record, so
 * that the next `up` installs it again over the same objects), and runs `pulumi refresh` that drops the pending
 * creates (the kubernetes provider creates by server-side apply, so an object that exists is taken over, not
 * duplicated). It deletes no Kubernetes object but Helm's record Secret, and no data. A lock held by a run that is
 * still going (or by another host, where it cannot tell) is never touched: the launcher refuses with the holder named.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { readStackFile } from "../config/stackfile";
import {
    HELM_RELEASE_TYPE,
    commandLine,
    fileBackendDir,
    lockDir,
    latestRevision,
    lockHolderState,
    pendingOperations,
    processStartedAt,
    readCheckpoint,
    readLocks,
    releaseOf,
    releaseRepair,
    stateFile,
    stateBackups,
    stateSummary,
    UnreadableState,
    type StateSummary,
    type PendingOperation,
    type ReleaseRevision,
    type StackLock,
} from "../lib/interrupted-run";
import type { ApiClient, KubeObject } from "../lib/kube-api";
import { PRIVATE_TMPDIR_ENV, PRIVATE_TMP_ROOT, processAlive } from "../lib/private-tmp";
import { readYamlFile } from "../lib/yamlfile";
import { clusterAccess, clusterClient } from "./target";

/** The launcher refuses to start: another run holds the stack, or its state cannot be read. The message says what to do. */
export class RunRefused extends Error {}

/** What {@link recoverInterruptedRun} needs. */
export interface RecoverOptions {
    projectDir: string;
    /** The stack's name as given to Pulumi. */
    stack: string;
    /** The Pulumi command about to run (`up`, `destroy`, `refresh`, `import`). */
    command: string;
    /** Runs the Pulumi CLI with these arguments (same environment as the run) and resolves with its exit code. */
    runPulumi: (args: string[]) => Promise<number>;
    /** One line of the report (stderr). */
    log: (line: string) => void;
    /** The API client for the stack's cluster (default: from the stack's `aihub-airgap:kubernetes`). */
    client?: () => ApiClient;
    /**
     * The Helm releases (namespace and name) the stack's program installs, for a release (`pending-*` or deployed)
     * the state has no trace of (its pending create was cleared by hand): only such a release's records are repaired.
     */
    ownedReleases?: () => Promise<OwnedRelease[]>;
    /** How long orphaned plugins get to end by themselves before they are stopped. @default 5000 */
    orphanGraceMs?: number;
    env?: NodeJS.ProcessEnv;
}

/** What was found and done. */
export interface RecoveryReport {
    staleLocks: StackLock[];
    stoppedOrphans: { pid: number; command: string }[];
    pending: PendingOperation[];
    droppedRecords: string[];
}

const PREFIX = "aihub-airgap:";

/** Project name and backend directory of a project (undefined backend: not a file backend, nothing to do here). */
export function projectBackend(
    projectDir: string,
    env: NodeJS.ProcessEnv = process.env,
): { project: string; backendDir?: string } {
    const doc = (readYamlFile(path.join(projectDir, "Pulumi.yaml")) ?? {}) as {
        name?: string;
        backend?: { url?: string };
    };
    const url = env.PULUMI_BACKEND_URL || doc.backend?.url || "";
    return { project: String(doc.name ?? ""), backendDir: fileBackendDir(url, projectDir) };
}

function describeLock(l: StackLock): string {
    const age = Date.parse(l.timestamp);
    const ago = Number.isFinite(age) ? ` (${Math.round((Date.now() - age) / 1000)} s ago)` : "";
    return `pid ${l.pid} (${l.username}@${l.hostname}) since ${l.timestamp}${ago}`;
}

/** A process of a Pulumi run: its pid, command name and start time (seconds since the epoch, from `/proc`). */
export interface RunProcess {
    pid: number;
    command: string;
    start: number;
}

/**
 * Processes left by runs of this project whose launcher is gone: they carry the run's private temporary folder
 * (`AIHUB_PRIVATE_TMPDIR=<project>/.pulumi-tmp/run-<launcher pid>-…`) in their environment.
 */
export function orphanedRunProcesses(projectDir: string): RunProcess[] {
    const root = path.join(projectDir, PRIVATE_TMP_ROOT) + path.sep;
    const needle = `${PRIVATE_TMPDIR_ENV}=`;
    const out: RunProcess[] = [];
    let names: string[];
    try {
        names = fs.readdirSync("/proc").filter((n) => /^\d+$/.test(n) && Number(n) !== process.pid);
    } catch {
        return [];
    }
    for (const name of names) {
        let env: string[];
        try {
            env = fs.readFileSync(`/proc/${name}/environ`, "utf8").split("\0");
        } catch {
            continue;
        }
        const dir = env.find((e) => e.startsWith(needle))?.slice(needle.length);
        if (!dir || !dir.startsWith(root)) continue;
        const launcher = /^run-(\d+)-/.exec(path.basename(dir));
        if (!launcher || processAlive({ pid: Number(launcher[1]) })) continue;
        const pid = Number(name);
        const start = processStartedAt(pid);
        if (start === undefined) continue;
        out.push({ pid, command: path.basename(commandLine(pid)[0] ?? "?"), start });
    }
    return out;
}

/**
 * SIGTERM, then SIGKILL after `graceMs`, to the given processes; resolves when they are gone. A process counts as
 * the one listed only while its pid runs with the start time recorded: pids are reused (Linux's default `pid_max` is
 * 32768, and a busy machine wraps it in minutes), so a pid whose process ended during the grace period may already
 * name an unrelated process, which must not be signalled.
 */
export async function stopProcesses(processes: RunProcess[], graceMs = 10_000): Promise<void> {
    const same = (p: RunProcess) => processStartedAt(p.pid) === p.start;
    const send = (p: RunProcess, sig: NodeJS.Signals) => {
        if (!same(p)) return;
        try {
            process.kill(p.pid, sig);
        } catch {
            // Gone already.
        }
    };
    const running = () => processes.filter(same);
    for (const p of running()) send(p, "SIGTERM");
    const deadline = Date.now() + graceMs;
    while (running().length > 0 && Date.now() < deadline) await sleep(200);
    for (const p of running()) send(p, "SIGKILL");
    while (running().length > 0) await sleep(100);
}

function sleep(ms: number): Promise<void> {
    return new Promise((r) => setTimeout(r, ms));
}

/** The stack's cluster client from `aihub-airgap:kubernetes` in `Pulumi.<stack>.yaml` (flags and env as ops do). */
function stackClient(projectDir: string, stack: string): ApiClient {
    const file = readStackFile(projectDir, stack);
    const k = (file.values.kubernetes ?? {}) as { kubeconfig?: string; context?: string };
    const access = clusterAccess(
        {},
        {
            kubernetes: {
                ...(k.kubeconfig ? { kubeconfig: path.resolve(projectDir, k.kubeconfig) } : {}),
                ...(k.context ? { context: k.context } : {}),
            },
        },
    );
    return clusterClient(access);
}

/**
 * Why the stack's cluster (`aihub-airgap:kubernetes`) does not answer, or undefined when its API server says it is
 * ready (or the stack names no cluster this can reach: then there is nothing to add to Pulumi's own errors). Asked
 * by the launcher after a failed run, with a short timeout.
 */
export async function clusterUnreachable(projectDir: string, stack: string): Promise<string | undefined> {
    let client: ApiClient;
    try {
        client = stackClient(projectDir, stack);
    } catch {
        return undefined;
    }
    try {
        const res = await client.request("GET", "/readyz", undefined, undefined, 3000);
        return res.status === 200 ? undefined : `${client.access.server} answers /readyz with HTTP ${res.status}`;
    } catch (e) {
        return `${client.access.server}: ${(e as Error).message}`;
    } finally {
        client.close();
    }
}

/** The revisions of a Helm release from its record Secrets. */
async function releaseRevisions(client: ApiClient, namespace: string, name: string): Promise<ReleaseRevision[]> {
    const selector = encodeURIComponent(`owner=helm,name=${name}`);
    const secrets = await client.list<KubeObject>(`/api/v1/namespaces/${namespace}/secrets?labelSelector=${selector}`);
    return secrets
        .filter((s) => s.type === "helm.sh/release.v1")
        .map((s) => ({
            secret: s.metadata.name,
            revision: Number(s.metadata.labels?.version ?? 0),
            status: s.metadata.labels?.status ?? "",
        }));
}

/** The message for a state file that cannot be read: what is wrong, the backups, the commands that restore one. */
export function unreadableStateAdvice(
    what: string,
    backendDir: string,
    project: string,
    stack: string,
    projectDir: string,
): string {
    const backups = stateBackups(backendDir, project, stack).filter((f) => {
        try {
            readCheckpoint(f);
            return true;
        } catch {
            return false;
        }
    });
    const rel = (f: string) => path.relative(projectDir, f);
    const restore = backups.length
        ? `The newest readable backup is ${rel(backups[0])}` +
          (backups.length > 1
              ? ` (${backups.length - 1} older: ${backups.slice(1, 4).map(rel).join(", ")}${backups.length > 4 ? ", …" : ""})`
              : "") +
          `. Keep a copy of the damaged file, then restore the backup with \`pulumi stack import --stack ${stack} --file ${rel(backups[0])}\` ` +
          `and run \`npm run pulumi -- refresh --stack ${stack}\` (it reads every resource back from the cluster, so what ` +
          "changed after that backup is taken in), then `up` again."
        : "The backend holds no readable backup of it; restore the file from your own backup of the project directory.";
    return `${PREFIX} ${what}; nothing was run. ${restore}`;
}

/** Whether any stack of the project is locked by a run that is alive (or on another host). */
function anyLiveRun(opts: RecoverOptions): boolean {
    const { project, backendDir } = projectBackend(opts.projectDir, opts.env);
    if (!backendDir) return false;
    let stacks: string[];
    try {
        stacks = fs.readdirSync(path.dirname(lockDir(backendDir, project, opts.stack)));
    } catch {
        return false;
    }
    return stacks.some((st) => readLocks(backendDir, project, st).some((l) => lockHolderState(l) !== "dead"));
}

/** A Helm release the stack's program installs, as the plan registers it. */
export interface OwnedRelease {
    namespace: string;
    name: string;
}

/** Label selector of Helm records that can stop an install or upgrade: unfinished ones, and deployed ones. */
const LIVE_RECORDS = encodeURIComponent(
    "owner=helm,status in (pending-install,pending-upgrade,pending-rollback,deployed)",
);

/**
 * Repairs the Helm releases of the pending Release operations, then the releases of the stack's program that the state
 * does not know although Helm has them (a pending create whose trace was cleared by hand, `pulumi cancel` then
 * `pulumi refresh --clear-pending-creates`): a `pending-*` record is dropped, and so is every record of a release Helm
 * finished installing (see {@link ReleaseRepair} for why it is not imported). Only releases in a namespace the state
 * already uses are looked at, and the program is run (under mocks, for its releases) only when one of them is
 * unknown. `header`: printed before the first repair when nothing was reported yet.
 */
async function repairReleases(
    opts: RecoverOptions,
    report: RecoveryReport,
    state: StateSummary,
    header?: string,
): Promise<void> {
    const log = opts.log;
    const ops = report.pending.filter((p) => p.resourceType === HELM_RELEASE_TYPE);
    let client: ApiClient | undefined;
    let records: KubeObject[];
    try {
        client = (opts.client ?? (() => stackClient(opts.projectDir, opts.stack)))();
        // A short timeout: on every `up` this is the only call, and an unreachable cluster is Pulumi's to report.
        const res = await client.request<{ items?: KubeObject[] }>(
            "GET",
            `/api/v1/secrets?labelSelector=${LIVE_RECORDS}`,
            undefined,
            undefined,
            5000,
        );
        if (res.status !== 200) throw new Error(`listing Helm's records: HTTP ${res.status}`);
        records = res.body.items ?? [];
    } catch (e) {
        client?.close();
        // Without the cluster only a pending Release operation needs it; Pulumi reports an unreachable cluster itself.
        if (ops.length === 0) return;
        throw e;
    }
    const api = client!;
    let said = header === undefined;
    const say = (line: string) => {
        if (!said) log(header!);
        said = true;
        log(line);
    };
    /** Removes Helm's records `drop` of release `namespace/name`, whose revisions are `all`. */
    const remove = async (namespace: string, name: string, drop: ReleaseRevision[], all: ReleaseRevision[]) => {
        for (const r of drop) {
            await api.delete(`/api/v1/namespaces/${namespace}/secrets/${r.secret}`);
            report.droppedRecords.push(`${namespace}/${r.secret}`);
        }
        const latest = latestRevision(drop)!;
        const numbers = drop.map((r) => r.revision).join(", ");
        const kept = "every object it created is kept, and the next `pulumi up`";
        say(
            latest.status === "deployed"
                ? `  - Helm release ${namespace}/${name} is installed (Helm finished it after the run died, or the run's ` +
                      "trace was cleared by hand) but the state does not know it: removed Helm's record of it " +
                      `(revision ${numbers}); ${kept} installs the release again and adopts them`
                : `  - Helm release ${namespace}/${name} was left ${latest.status} (revision ${numbers}): removed Helm's ` +
                      `record of that revision; ${kept} ` +
                      (drop.length === all.length
                          ? "installs the release and adopts them"
                          : "upgrades the release again"),
        );
    };
    try {
        const done = new Set<string>();
        for (const op of ops) {
            const rel = releaseOf(op);
            if (!rel) continue;
            const revisions = await releaseRevisions(api, rel.namespace, rel.name);
            const repair = releaseRepair(op, revisions);
            done.add(`${rel.namespace}/${rel.name}`);
            if (repair.action === "drop-record") await remove(rel.namespace, rel.name, repair.revisions, revisions);
        }
        const unknown = new Set(
            records
                .map((r) => `${r.metadata.namespace}/${r.metadata.labels?.name}`)
                .filter((k) => !done.has(k) && !state.releases.has(k) && state.namespaces.has(k.split("/")[0])),
        );
        // A run of another stack of this project could be installing it right now: leave it alone then.
        if (unknown.size === 0 || !opts.ownedReleases || anyLiveRun(opts)) return;
        for (const owned of await opts.ownedReleases()) {
            if (!unknown.has(`${owned.namespace}/${owned.name}`)) continue;
            const revisions = await releaseRevisions(api, owned.namespace, owned.name);
            const latest = latestRevision(revisions);
            if (latest?.status.startsWith("pending-")) await remove(owned.namespace, owned.name, [latest], revisions);
            else if (latest?.status === "deployed") await remove(owned.namespace, owned.name, revisions, revisions);
        }
    } finally {
        api.close();
    }
}

/** Refuses (with {@link unreadableStateAdvice}) when the stack's state file cannot be read; for `preview`. */
export function checkStateReadable(projectDir: string, stack: string, env: NodeJS.ProcessEnv = process.env): void {
    const { project, backendDir } = projectBackend(projectDir, env);
    if (!backendDir || !project) return;
    const file = stateFile(backendDir, project, stack);
    try {
        if (file) readCheckpoint(file);
    } catch (e) {
        if (!(e instanceof UnreadableState)) throw e;
        throw new RunRefused(unreadableStateAdvice(e.message, backendDir, project, stack, projectDir));
    }
}

/**
 * Checks the stack before a locking Pulumi command and repairs what an interrupted run left (see the file comment).
 * Throws {@link RunRefused} when a live run (or another host) holds the lock; returns what it found and did (all empty
 * when the last run ended normally).
 */
export async function recoverInterruptedRun(opts: RecoverOptions): Promise<RecoveryReport> {
    const report: RecoveryReport = {
        staleLocks: [],
        stoppedOrphans: [],
        pending: [],
        droppedRecords: [],
    };
    const { project, backendDir } = projectBackend(opts.projectDir, opts.env);
    if (!backendDir || !project) return report;
    const stack = opts.stack;
    const locks = readLocks(backendDir, project, stack);
    const states = locks.map((l) => ({ lock: l, state: lockHolderState(l) }));
    const live = states.filter((s) => s.state === "alive");
    if (live.length > 0) {
        const who = live.map(({ lock }) => `${describeLock(lock)}: ${commandLine(lock.pid).join(" ")}`);
        throw new RunRefused(
            `${PREFIX} stack ${stack} is in use by another Pulumi run: ${who.join("; ")}. ` +
                `Wait for it to end, then run \`pulumi ${opts.command}\` again; nothing was changed.`,
        );
    }
    const elsewhere = states.filter((s) => s.state === "elsewhere");
    if (elsewhere.length > 0) {
        throw new RunRefused(
            `${PREFIX} stack ${stack} is locked by a run on another host: ${elsewhere.map((s) => describeLock(s.lock)).join("; ")}. ` +
                `If that run is over, remove the lock with \`pulumi cancel --stack ${stack}\`, then run the command again; ` +
                "nothing was changed.",
        );
    }
    report.staleLocks = states.map((s) => s.lock);
    const file = stateFile(backendDir, project, stack);
    let checkpoint: Record<string, unknown> = {};
    try {
        checkpoint = file ? readCheckpoint(file) : {};
    } catch (e) {
        if (!(e instanceof UnreadableState)) throw e;
        throw new RunRefused(unreadableStateAdvice(e.message, backendDir, project, stack, opts.projectDir));
    }
    report.pending = pendingOperations(checkpoint);
    const state = stateSummary(checkpoint);
    const orphans = orphanedRunProcesses(opts.projectDir);
    if (report.staleLocks.length === 0 && report.pending.length === 0 && orphans.length === 0) {
        // A release left by a run whose trace in the state was cleared by hand: only the cluster shows it.
        const header = `${PREFIX} an earlier Pulumi run of stack ${stack} was interrupted during a Helm operation. Recovering:`;
        await repairReleases(opts, report, state, header);
        if (report.droppedRecords.length > 0) {
            opts.log(`${PREFIX} recovered stack ${stack}; now running \`pulumi ${opts.command}\`.`);
        }
        return report;
    }

    const log = opts.log;
    if (report.staleLocks.length === 0 && report.pending.length === 0) {
        log(`${PREFIX} an earlier Pulumi run of this project was killed and left processes running:`);
    } else if (report.staleLocks.length > 0) {
        log(
            `${PREFIX} the last Pulumi run of stack ${stack} did not finish: ${report.staleLocks.map(describeLock).join("; ")} ` +
                "holds the stack lock and is gone (killed, or its terminal or SSH connection dropped). Recovering before " +
                `\`pulumi ${opts.command}\`:`,
        );
    } else {
        log(`${PREFIX} the state of stack ${stack} holds operations an interrupted run left unfinished. Recovering:`);
    }

    // 1. Plugins of the dead run go on changing the cluster unrecorded; stop them before looking at what they did.
    if (orphans.length > 0) {
        const until = Date.now() + (opts.orphanGraceMs ?? 5000);
        while (orphanedRunProcesses(opts.projectDir).length > 0 && Date.now() < until) await sleep(250);
        const left = orphanedRunProcesses(opts.projectDir);
        if (left.length > 0) {
            log(
                `  - stopping ${left.length} process(es) the interrupted run left running (they would go on changing the ` +
                    `cluster without recording it): ${left.map((o) => `${o.command} (pid ${o.pid})`).join(", ")}`,
            );
            await stopProcesses(left);
            report.stoppedOrphans = left;
        }
    }

    // 2. The stale lock files (only those whose holder is gone; checked again in case a run started meanwhile).
    for (const l of report.staleLocks) {
        if (lockHolderState(l) !== "dead") continue;
        for (const f of [l.file, `${l.file}.attrs`]) fs.rmSync(f, { force: true });
        log(`  - removed the stale lock ${path.relative(opts.projectDir, l.file)}`);
    }
    if (report.pending.length > 0) {
        log(
            `  - unfinished in the state: ${report.pending.map((p) => `${p.type} ${p.urn.split("::").pop()} (${p.resourceType})`).join(", ")}`,
        );
    }

    // 3. Helm's records of release operations that never finished.
    await repairReleases(opts, report, state);
    if (report.pending.length === 0) {
        if (report.droppedRecords.length === 0) {
            log(`  - the state has no unfinished operation; nothing else to repair.`);
        } else log(`${PREFIX} recovered stack ${stack}; now running \`pulumi ${opts.command}\`.`);
        return report;
    }

    // 4. The state: import what exists, drop the other pending creates, read everything back from the cluster.
    log(
        "  - pulumi refresh, dropping the pending creates (an object that exists is taken over by the next up, not duplicated)",
    );
    const code = await opts.runPulumi([
        "refresh",
        "--yes",
        "--skip-preview",
        "--clear-pending-creates",
        "--stack",
        stack,
    ]);
    if (code !== 0) {
        throw new Error(
            `${PREFIX} the recovery's \`pulumi refresh\` of stack ${stack} failed (exit ${code}, its output is above); ` +
                `nothing else was changed. Fix what it names, then run \`npm run pulumi -- ${opts.command} --stack ${stack}\` again.`,
        );
    }
    log(`${PREFIX} recovered stack ${stack}; now running \`pulumi ${opts.command}\`.`);
    return report;
}
