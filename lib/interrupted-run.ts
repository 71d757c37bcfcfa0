/**
 * What an interrupted `pulumi up` leaves behind with the local file backend, read without the Pulumi CLI: the stack's
 * lock files (`<backend>/.pulumi/locks/organization/<project>/<stack>/<id>.json`, each `{pid, username, hostname,
 * timestamp}` of the CLI that holds it; pulumi pkg/backend/diy/lock.go@v3.248.0), the pending operations of the
 * state (`<backend>/.pulumi/stacks/<project>/<stack>.json`, `checkpoint.latest.pending_operations`), and the Helm
 * release records a killed install or upgrade leaves `pending-*` (Secrets of type `helm.sh/release.v1`, labels
 * `name`, `status`, `version`; helm pkg/storage/driver/secrets.go). The launcher (cli/pulumi.ts, ops/recover.ts)
 * decides from these what to repair; everything here only reads.
 *
 * Liveness is read from `/proc` (Linux): a lock's pid counts as its holder only while that pid runs a `pulumi`
 * binary that started before the lock was written (a pid reused since then does not hold it).
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as zlib from "node:zlib";

/** One lock file of the stack. */
export interface StackLock {
    /** The lock file. */
    file: string;
    pid: number;
    username: string;
    hostname: string;
    /** When the lock was taken (RFC 3339). */
    timestamp: string;
}

/** Whether the run that holds a lock still runs: `alive`, `dead`, or `elsewhere` (another host: cannot tell). */
export type LockHolderState = "alive" | "dead" | "elsewhere";

/** One pending operation of the state: what the engine had started and not finished. */
export interface PendingOperation {
    /** `creating`, `updating`, `deleting`, `reading`, `importing`. */
    type: string;
    urn: string;
    /** The resource type token, e.g. `kubernetes:helm.sh/v3:Release`. */
    resourceType: string;
    /** The provider ID, when the engine knew one (updates and deletes). */
    id?: string;
    /** The operation's inputs (plain values; secrets stay ciphertext objects). */
    inputs: Record<string, unknown>;
}

/** The Helm release resource type of the kubernetes provider. */
export const HELM_RELEASE_TYPE = "kubernetes:helm.sh/v3:Release";

/** The backend directory of a `file://` backend URL, resolved against the project directory; undefined otherwise. */
export function fileBackendDir(url: string, projectDir: string): string | undefined {
    if (!url.startsWith("file://")) return undefined;
    const p = url.slice("file://".length).split("?")[0];
    if (p === "~" || p.startsWith("~/")) return path.join(os.homedir(), p.slice(1));
    return path.resolve(projectDir, p);
}

/** The stack's name as its files are named: the last part of `org/project/stack`. */
function shortStack(stack: string): string {
    return stack.split("/").pop() ?? stack;
}

/** The lock folder of a stack in a file backend. */
export function lockDir(backendDir: string, project: string, stack: string): string {
    return path.join(backendDir, ".pulumi", "locks", "organization", project, shortStack(stack));
}

/** The lock files of a stack (unreadable ones are reported with pid 0). */
export function readLocks(backendDir: string, project: string, stack: string): StackLock[] {
    const dir = lockDir(backendDir, project, stack);
    let names: string[];
    try {
        names = fs.readdirSync(dir).filter((n) => n.endsWith(".json"));
    } catch {
        return [];
    }
    return names.map((n) => {
        const file = path.join(dir, n);
        try {
            const c = JSON.parse(fs.readFileSync(file, "utf8")) as Partial<StackLock>;
            return {
                file,
                pid: Number(c.pid) || 0,
                username: String(c.username ?? "?"),
                hostname: String(c.hostname ?? "?"),
                timestamp: String(c.timestamp ?? ""),
            };
        } catch {
            return { file, pid: 0, username: "?", hostname: "?", timestamp: "" };
        }
    });
}

/** Seconds since the epoch at which `pid` started, from `/proc` (undefined when it does not run or is a zombie). */
export function processStartedAt(pid: number): number | undefined {
    try {
        const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
        const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
        if (fields[0] === "Z" || fields[0] === "X") return undefined;
        const btime = /^btime (\d+)$/m.exec(fs.readFileSync("/proc/stat", "utf8"));
        // Field 22 of stat (index 19 here) is the start in clock ticks since boot; Linux's USER_HZ is 100.
        return btime ? Number(btime[1]) + Number(fields[19]) / 100 : undefined;
    } catch {
        return undefined;
    }
}

/** The command line of a process (`[]` when it is gone). */
export function commandLine(pid: number): string[] {
    try {
        return fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").filter(Boolean);
    } catch {
        return [];
    }
}

/** Whether the CLI that took `lock` still runs on this host. */
export function lockHolderState(lock: StackLock, hostname = os.hostname()): LockHolderState {
    if (lock.hostname !== hostname) return "elsewhere";
    if (lock.pid <= 0) return "dead";
    const started = processStartedAt(lock.pid);
    if (started === undefined) return "dead";
    const taken = Date.parse(lock.timestamp) / 1000;
    // The CLI starts before it takes the lock; a process that started later reuses the pid. Two seconds of slack for
    // the tick rounding of the start time.
    if (Number.isFinite(taken) && started > taken + 2) return "dead";
    const argv0 = path.basename(commandLine(lock.pid)[0] ?? "");
    return argv0.startsWith("pulumi") ? "alive" : "dead";
}

/** The state file of a stack in a file backend (plain, gzip or zstd as the backend wrote it), if there is one. */
export function stateFile(backendDir: string, project: string, stack: string): string | undefined {
    const base = path.join(backendDir, ".pulumi", "stacks", project, shortStack(stack));
    return [".json", ".json.gz"].map((ext) => base + ext).find((f) => fs.existsSync(f));
}

/**
 * The copies of a stack's state the file backend keeps, newest first: `<state>.bak` (the state before the last
 * write) and `.pulumi/backups/<project>/<stack>/<stack>.<unix ns>.json` (one per finished update; pulumi
 * pkg/backend/diy/state.go@v3.248.0 `backupTarget`, `backupStack`).
 */
export function stateBackups(backendDir: string, project: string, stack: string): string[] {
    const dir = path.join(backendDir, ".pulumi", "backups", project, shortStack(stack));
    let names: string[] = [];
    try {
        names = fs.readdirSync(dir).filter((n) => /\.\d+\.json(\.gz)?$/.test(n));
    } catch {
        // No finished update yet.
    }
    const ns = (n: string) => BigInt(/\.(\d+)\.json/.exec(n)![1]);
    const timed = names.sort((a, b) => (ns(b) > ns(a) ? 1 : ns(b) < ns(a) ? -1 : 0)).map((n) => path.join(dir, n));
    const bak = [".json.bak", ".json.gz.bak"]
        .map((ext) => path.join(backendDir, ".pulumi", "stacks", project, shortStack(stack) + ext))
        .filter((f) => fs.existsSync(f));
    return [...bak, ...timed];
}

/** A state file that cannot be read; the message names the file, what is wrong and the backups to restore from. */
export class UnreadableState extends Error {}

/** The state as the backend stored it (the checkpoint document). Throws {@link UnreadableState} naming the file. */
export function readCheckpoint(file: string): Record<string, unknown> {
    try {
        const raw = fs.readFileSync(file);
        const text = file.endsWith(".gz") ? zlib.gunzipSync(raw).toString("utf8") : raw.toString("utf8");
        const doc = JSON.parse(text) as Record<string, unknown>;
        if (!doc || typeof doc !== "object" || !("checkpoint" in doc)) throw new Error("no checkpoint in it");
        return doc;
    } catch (e) {
        throw new UnreadableState(`${file} is not a readable Pulumi state file (${(e as Error).message})`);
    }
}

/** The pending operations recorded in a checkpoint document. */
export function pendingOperations(checkpoint: Record<string, unknown>): PendingOperation[] {
    const latest = (checkpoint.checkpoint as { latest?: { pending_operations?: unknown[] } } | undefined)?.latest;
    return (latest?.pending_operations ?? []).map((raw) => {
        const op = raw as { type?: string; resource?: Record<string, unknown> };
        const r = op.resource ?? {};
        return {
            type: String(op.type ?? ""),
            urn: String(r.urn ?? ""),
            resourceType: String(r.type ?? ""),
            ...(r.id ? { id: String(r.id) } : {}),
            inputs: (r.inputs ?? {}) as Record<string, unknown>,
        };
    });
}

/** What the state holds that the release repair needs: the Helm releases it knows and the namespaces it uses. */
export interface StateSummary {
    /** `namespace/name` of every Release resource in the state. */
    releases: Set<string>;
    /** Every namespace a Kubernetes resource of the state is in or is. */
    namespaces: Set<string>;
}

/** The releases and namespaces of a checkpoint document. */
export function stateSummary(checkpoint: Record<string, unknown>): StateSummary {
    const latest = (checkpoint.checkpoint as { latest?: { resources?: unknown[] } } | undefined)?.latest;
    const out: StateSummary = { releases: new Set(), namespaces: new Set() };
    for (const raw of latest?.resources ?? []) {
        const r = raw as {
            type?: string;
            inputs?: Record<string, unknown>;
            outputs?: Record<string, unknown>;
        };
        const v = { ...(r.inputs ?? {}), ...(r.outputs ?? {}) };
        if (r.type === HELM_RELEASE_TYPE) {
            const ns = typeof v.namespace === "string" ? v.namespace : "default";
            if (typeof v.name === "string") out.releases.add(`${ns}/${v.name}`);
            out.namespaces.add(ns);
            continue;
        }
        if (!r.type?.startsWith("kubernetes:")) continue;
        const meta = (v.metadata ?? {}) as { name?: unknown; namespace?: unknown };
        if (r.type === "kubernetes:core/v1:Namespace" && typeof meta.name === "string") out.namespaces.add(meta.name);
        if (typeof meta.namespace === "string") out.namespaces.add(meta.namespace);
    }
    return out;
}

/** The namespace and name of the Helm release a pending operation on a Release is about. */
export function releaseOf(op: PendingOperation): { namespace: string; name: string } | undefined {
    if (op.resourceType !== HELM_RELEASE_TYPE) return undefined;
    const name = op.inputs.name;
    const namespace = op.inputs.namespace ?? "default";
    if (typeof name === "string" && typeof namespace === "string") return { namespace, name };
    if (op.id?.includes("/")) {
        const [ns, n] = op.id.split("/");
        return { namespace: ns, name: n };
    }
    return undefined;
}

/** One revision of a Helm release as its record Secret's labels tell it. */
export interface ReleaseRevision {
    /** The record Secret's name (`sh.helm.release.v1.<release>.v<revision>`). */
    secret: string;
    revision: number;
    /** `deployed`, `superseded`, `failed`, `uninstalled`, `pending-install`, `pending-upgrade`, `pending-rollback`. */
    status: string;
}

/** What to do about one Release the interrupted run was creating or updating. */
export type ReleaseRepair =
    /** Nothing of it is recorded in the cluster: the pending create is dropped and the next `up` installs it. */
    | { action: "clear" }
    /**
     * Helm's records to remove: of a run that never finished (`pending-*`, or a first install that failed), or every
     * revision of a release Helm finished installing after the run died (`deployed`, which the state does not know).
     * The objects the chart created stay, and the next install or upgrade adopts them (their
     * `meta.helm.sh/release-name` annotation names the release). A finished install is not imported: `pulumi import`
     * reads the release's values back without knowing which are secret, and the checkpoints it writes (the update
     * history and the state backups, kept after the next `up` encrypts the state again) would hold them in plain text.
     */
    | { action: "drop-record"; revisions: ReleaseRevision[] }
    /** The release is in a state the interrupted run did not leave (e.g. deployed after an update): left alone. */
    | { action: "none" };

/** The latest of a release's revisions (undefined: it has none). */
export function latestRevision(revisions: readonly ReleaseRevision[]): ReleaseRevision | undefined {
    return [...revisions].sort((a, b) => b.revision - a.revision)[0];
}

/** The repair for a Release with pending operation `op`, given the release's revisions in the cluster. */
export function releaseRepair(op: PendingOperation, revisions: ReleaseRevision[]): ReleaseRepair {
    const latest = latestRevision(revisions);
    if (!latest) return { action: op.type === "creating" ? "clear" : "none" };
    if (latest.status.startsWith("pending-")) return { action: "drop-record", revisions: [latest] };
    if (op.type !== "creating") return { action: "none" };
    if (latest.status === "deployed") return { action: "drop-record", revisions };
    // A first install that failed: Helm refuses to install over it without `replace`.
    if (latest.status === "failed" && revisions.length === 1) return { action: "drop-record", revisions: [latest] };
    return { action: "clear" };
}
