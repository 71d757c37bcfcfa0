/**
 * `npm run pulumi -- <pulumi arguments>` (e.g. `npm run pulumi -- up --stack airgap`): runs the Pulumi CLI with a
 * temporary folder of its own, so the copy of the kubeconfig (client key included) that the kubernetes provider
 * writes into `$TMPDIR` on every run, and every other temporary file of the run, never lands in a shared `/tmp` and
 * is gone when the run ends.
 *
 * The folder is `<project>/.pulumi-tmp/run-<pid>-<random>` (mode 0700, git-ignored, on the project's file system);
 * `TMPDIR`, `TMP` and `TEMP` point at it and `AIHUB_PRIVATE_TMPDIR` names it (the program warns without it). The
 * compile cache of Pulumi's TypeScript runner, which lived in `/tmp`, goes to `.pulumi-tmp/ts-node-cache` and is kept
 * (`TS_NODE_CACHE_DIRECTORY`, unless set). `NODE_OPTIONS` gains a preload (`withPreload`) that spares every Node
 * process of the run loading SDK modules it does not use. The CLI is `$PULUMI`, else `pulumi` from PATH; stdin, stdout
 * and stderr are the launcher's, the exit code is the CLI's.
 * The folder is removed when the CLI exits (success, failure, Ctrl-C, SIGTERM, SIGHUP); a detached reaper
 * (cli/pulumi-reaper.ts) removes it when the launcher is killed outright (kill -9 of the process group); each start
 * also removes the folders of runs that are over.
 *
 * Signals: SIGTERM, SIGHUP, and SIGINT or SIGQUIT sent to the launcher go to the CLI once. A key pressed in the
 * terminal (Ctrl-C) already reaches the CLI, which is in the same process group, so the launcher does not repeat it
 * there: Pulumi counts a second Ctrl-C as "terminate immediately".
 *
 * Before a command that locks the stack (`up`, `destroy`, `refresh`, `import`) the launcher checks the stack
 * (ops/recover.ts, docs/recovery.md): another run that holds the lock refuses this one, naming it; what an interrupted
 * run left (a stale lock, its orphaned plugins, pending operations, a Helm release left `pending-*` or installed
 * unrecorded) is repaired and reported before the command runs. Before a `preview` it checks only that the state file
 * can be read. `AIHUB_NO_RECOVERY=1` runs the CLI without either.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import {
    PRIVATE_TMPDIR_ENV,
    TS_NODE_CACHE,
    inForegroundOfTerminal,
    makeRunDir,
    removeDir,
    sweepStale,
    watched,
    type Watched,
} from "../lib/private-tmp";
import { parseConfigValue, readStackFile } from "../config/stackfile";
import { RunRefused, checkStateReadable, clusterUnreachable, recoverInterruptedRun } from "../ops/recover";
import { checkoutPath, checkoutRoot } from "../lib/checkout";

const FORWARDED = ["SIGINT", "SIGTERM", "SIGHUP", "SIGQUIT"] as const;
/** Signals a terminal sends to its whole foreground process group. */
const FROM_TERMINAL = new Set<NodeJS.Signals>(["SIGINT", "SIGQUIT"]);
/** One signal relayed by several parents (npm forwards SIGINT and SIGTERM to its script) counts once. */
const SAME_SIGNAL_MS = 300;

/** The project directory: where `Pulumi.yaml` is, from `--cwd`/`-C` or the working directory up; else that directory. */
export function projectDirFor(args: string[], cwd = process.cwd()): string {
    let start = cwd;
    for (let i = 0; i < args.length; i++) {
        const a = args[i];
        if (a === "--") break;
        if ((a === "--cwd" || a === "-C") && args[i + 1]) start = path.resolve(cwd, args[i + 1]);
        else if (a.startsWith("--cwd=")) start = path.resolve(cwd, a.slice("--cwd=".length));
    }
    for (let d = start; ; d = path.dirname(d)) {
        if (fs.existsSync(path.join(d, "Pulumi.yaml")) || fs.existsSync(path.join(d, "Pulumi.yml"))) return d;
        if (path.dirname(d) === d) return start;
    }
}

/** Pulumi commands that take the stack's lock: before them the launcher recovers an interrupted run. */
const LOCKING = new Set(["up", "update", "destroy", "refresh", "import"]);
/** Flags of the Pulumi CLI that take a value as the next argument (so the value is not taken for the command). */
const VALUE_FLAGS = new Set(["--cwd", "-C", "--stack", "-s", "--color", "--tracing", "--profiling", "--logflow"]);

/** The Pulumi command (`up`, `preview`…) and the `--stack`/`-s` value of an argument list. */
export function commandAndStack(args: string[]): { command?: string; stack?: string } {
    let command: string | undefined;
    let stack: string | undefined;
    for (let i = 0; i < args.length; i++) {
        const a = args[i];
        if (a === "--") break;
        if (a === "--stack" || a === "-s") stack = args[i + 1];
        else if (a.startsWith("--stack=")) stack = a.slice("--stack=".length);
        if (VALUE_FLAGS.has(a)) i++;
        else if (!a.startsWith("-") && command === undefined) command = a;
    }
    return { command, stack };
}

/**
 * How to run one of these entry points (`cli/<command>.ts`) with Node.js from any directory, `[node, ...arguments]`:
 * from its prebuilt bundle (scripts/cli-bundle.cjs), as `npm run pulumi` does. From the TypeScript sources, tsx and
 * the Pulumi SDK the launcher's config checks import took 1.4 s to load, before every `pulumi` command.
 */
function nodeCommand(command: string): [string, string[]] {
    return [process.execPath, [checkoutPath("scripts", "cli-bundle.cjs"), command]];
}

/** The launcher as a command, `[node, ...arguments]` (the engine tests run Pulumi through it). */
export function launcherCommand(): [string, string[]] {
    return nodeCommand("pulumi");
}

/**
 * `NODE_OPTIONS` for the Pulumi CLI's environment: `current` with scripts/pulumi-preload.cjs preloaded, so every Node
 * process the CLI starts (the program's run harness, the dynamic-provider host, the policy pack's analyzer) loads the
 * SDK's unused modules only on first use (scripts/lazy-modules.cjs). The dynamic-provider host's start fell from
 * 0.57 s to 0.19 s, and the engine registers nothing else while it waits for it.
 */
export function withPreload(current: string | undefined, file = checkoutPath("scripts", "pulumi-preload.cjs")): string {
    // Node reads NODE_OPTIONS as words; a double-quoted one may hold spaces, with \ and " escaped.
    const preload = `--require "${file.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
    return current?.includes(preload) ? current : [current, preload].filter((x) => x).join(" ");
}

/** Starts the reaper, detached in a session of its own, so a kill of the launcher's process group spares it. */
function startReaper(dir: string, watch: Watched[]): void {
    const [node, args] = nodeCommand("pulumi-reaper");
    args.push(dir, ...watch.map((w) => `${w.pid}:${w.start ?? ""}`));
    try {
        const r = spawn(node, args, {
            detached: true,
            stdio: "ignore",
            cwd: checkoutRoot(),
        });
        r.on("error", () => undefined);
        r.unref();
    } catch {
        // Without a reaper only a kill -9 leaves the folder, and the next start removes it.
    }
}

/** The selected stack of the project, asked of the CLI (`pulumi stack --show-name`), when no `--stack` was given. */
function selectedStack(pulumi: string, projectDir: string, env: NodeJS.ProcessEnv): string | undefined {
    const r = spawnSync(pulumi, ["stack", "--show-name", "--non-interactive"], {
        cwd: projectDir,
        env,
        encoding: "utf8",
    });
    return r.status === 0 ? r.stdout.trim() || undefined : undefined;
}

/** Whether the launcher looks at the stack before this command: a preview, or a command that takes the lock. */
function checksStack(command: string | undefined): boolean {
    return command === "preview" || (command !== undefined && LOCKING.has(command));
}

/** Commands the stack's `policyPack` key applies to. */
const POLICY_COMMANDS = new Set(["preview", "up", "update"]);

/**
 * `args` with `--policy-pack <projectDir>/policy` added (before a `--`, if any) when the command is a preview or an
 * up, the stack's `policyPack` config value (read by `policyPack`, only for those commands) is true (as the stack
 * file holds it: a boolean, or the string `"true"` that `pulumi config set` writes) and the arguments name no pack;
 * otherwise `args` unchanged.
 */
export function withStackPolicyPack(
    args: string[],
    command: string | undefined,
    policyPack: () => unknown,
    projectDir: string,
): string[] {
    if (command === undefined || !POLICY_COMMANDS.has(command) || parseConfigValue(policyPack()) !== true) return args;
    const end = args.indexOf("--");
    const before = end < 0 ? args : args.slice(0, end);
    if (before.some((a) => a === "--policy-pack" || a.startsWith("--policy-pack="))) return args;
    const pack = ["--policy-pack", path.join(projectDir, "policy")];
    return end < 0 ? [...args, ...pack] : [...before, ...pack, ...args.slice(end)];
}

/** The stack file's `policyPack` value, or undefined when the file cannot be read (Pulumi then reports it). */
function stackPolicyPack(projectDir: string, stack: string | undefined): unknown {
    if (!stack) return undefined;
    try {
        return readStackFile(projectDir, stack).values.policyPack;
    } catch {
        return undefined;
    }
}

/**
 * Before a command that locks the stack: refuses when another run holds it (naming it), and repairs what an
 * interrupted run left (ops/recover.ts). Resolves false when the launcher must not go on (the reason is printed).
 */
async function recoverFirst(
    pulumi: string,
    target: { command?: string; stack?: string },
    projectDir: string,
    env: NodeJS.ProcessEnv,
    run: { child?: ChildProcess },
): Promise<boolean> {
    const { command, stack } = target;
    if (command === undefined || !checksStack(command) || !stack || process.env.AIHUB_NO_RECOVERY === "1") return true;
    try {
        // A preview takes no lock and changes nothing: it only needs a state Pulumi can read.
        if (command === "preview") {
            checkStateReadable(projectDir, stack, env);
            return true;
        }
        await recoverInterruptedRun({
            projectDir,
            stack,
            command,
            env,
            log: (line) => console.error(line),
            ownedReleases: async () => {
                // Loaded only for a release the state does not know: the plan runs the program under mocks. `require`, as
                // a dynamic import() is not resolved under tsx's CommonJS hook (`node --require tsx/cjs`).
                const { runPlan } = require("../platform/plan/run") as typeof import("../platform/plan/run");
                const plan = await runPlan({ projectDir, stack });
                return plan.resources
                    .filter((r) => r.type === "kubernetes:helm.sh/v3:Release")
                    .map((r) => ({ namespace: String(r.inputs.namespace ?? "default"), name: String(r.inputs.name) }));
            },
            runPulumi: (a) =>
                new Promise((resolve) => {
                    const c = spawn(pulumi, [...a, "--non-interactive"], {
                        stdio: ["ignore", "inherit", "inherit"],
                        env,
                    });
                    run.child = c;
                    c.on("error", () => resolve(127));
                    c.on("exit", (code, signal) => {
                        run.child = undefined;
                        resolve(code ?? 128 + (signal ? (os.constants.signals[signal] ?? 0) : 0));
                    });
                }),
        });
        return true;
    } catch (e) {
        console.error(e instanceof RunRefused ? e.message : `aihub-airgap: recovery failed: ${(e as Error).message}`);
        return false;
    }
}

async function main(): Promise<void> {
    const args = process.argv.slice(2);
    const projectDir = projectDirFor(args);
    sweepStale(projectDir);
    let dir: string;
    try {
        dir = makeRunDir(projectDir);
    } catch (e) {
        console.error(`cannot make a private temporary folder under ${projectDir}: ${(e as Error).message}`);
        process.exit(1);
    }
    const pulumi = process.env.PULUMI || "pulumi";
    // Signals are handled from the start (none is lost to Node's default, which would end the launcher at once);
    // they are acted on once the CLI runs, as they are delivered through the event loop after this function returns.
    const run: { child?: ChildProcess; exited: boolean } = { exited: false };
    process.on("exit", () => {
        // A launcher that fails while the CLI runs leaves the folder to the reaper, which waits for the CLI.
        if (!run.child || run.exited) removeDir(dir);
    });
    const last = new Map<NodeJS.Signals, number>();
    const forward = (sig: NodeJS.Signals) => {
        if (!run.child || run.exited) return;
        if (FROM_TERMINAL.has(sig) && inForegroundOfTerminal()) return;
        const now = Date.now();
        if (now - (last.get(sig) ?? 0) < SAME_SIGNAL_MS) return;
        last.set(sig, now);
        run.child.kill(sig);
    };
    for (const sig of FORWARDED) process.on(sig, forward);
    // A hung-up terminal: our own error messages have nowhere to go, which must not end the launcher early.
    process.stderr.on("error", () => undefined);

    const tsNodeCache = process.env.TS_NODE_CACHE_DIRECTORY || path.join(projectDir, TS_NODE_CACHE);
    const env: NodeJS.ProcessEnv = {
        ...process.env,
        TMPDIR: dir,
        TMP: dir,
        TEMP: dir,
        [PRIVATE_TMPDIR_ENV]: dir,
        TS_NODE_CACHE_DIRECTORY: tsNodeCache,
        NODE_OPTIONS: withPreload(process.env.NODE_OPTIONS),
    };
    const { command, stack: given } = commandAndStack(args);
    const stack = checksStack(command) ? (given ?? selectedStack(pulumi, projectDir, env)) : given;
    if (!(await recoverFirst(pulumi, { command, stack }, projectDir, env, run))) process.exit(1);
    const cliArgs = withStackPolicyPack(args, command, () => stackPolicyPack(projectDir, stack), projectDir);
    if (cliArgs !== args)
        console.error(`aihub-airgap: policyPack is true for stack ${stack}: running with the policy pack policy/`);
    const child = spawn(pulumi, cliArgs, { stdio: "inherit", env });
    run.child = child;
    if (child.pid !== undefined) startReaper(dir, [watched(process.pid), watched(child.pid)]);
    child.on("error", (e: NodeJS.ErrnoException) => {
        run.exited = true;
        removeDir(dir);
        const why =
            e.code === "ENOENT" ? "not found (install the Pulumi CLI, or set PULUMI=/path/to/pulumi)" : e.message;
        console.error(`${pulumi}: ${why}`);
        process.exit(127);
    });
    child.on("exit", (code, signal) => {
        run.exited = true;
        removeDir(dir);
        if (signal) {
            // Die of the same signal, so a calling shell sees an interrupted command.
            for (const sig of FORWARDED) process.removeAllListeners(sig);
            process.kill(process.pid, signal);
            setTimeout(() => process.exit(128 + (os.constants.signals[signal] ?? 0)), 1000);
            return;
        }
        if (code !== 0 && stack && checksStack(command) && process.env.AIHUB_NO_RECOVERY !== "1") {
            void explainFailure(projectDir, stack, command!).finally(() => process.exit(code ?? 1));
            return;
        }
        process.exit(code ?? 1);
    });
}

/**
 * After a failed run: when the stack's cluster does not answer (a control plane restarting, a connection lost), says
 * so and what to run, as Pulumi's errors name only the calls that failed. A run that fails on an unreachable API
 * server ends cleanly (no lock, no pending operation), so the same command converges once the cluster answers.
 */
async function explainFailure(projectDir: string, stack: string, command: string): Promise<void> {
    const why = await clusterUnreachable(projectDir, stack);
    if (!why) return;
    console.error(
        `aihub-airgap: the run failed and the cluster's API server does not answer (${why}): the errors above are ` +
            "what the run could not do without it; what it did finish is recorded in the state. Once the API server " +
            `answers again, run \`npm run pulumi -- ${command} --stack ${stack}\` again: it goes on from there.`,
    );
}

if (require.main === module) void main();
