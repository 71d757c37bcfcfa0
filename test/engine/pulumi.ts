/**
 * The real Pulumi CLI (built by `npm run engine:build`) run against a project directory: offline settings, the
 * engine's own PULUMI_HOME, a passphrase from the environment, never a secret in a process argument. It runs the
 * way the runbook says, through `npm run pulumi`'s launcher (cli/pulumi.ts, `PULUMI` naming the engine's binary),
 * with the test's own directory as the "system" temporary folder around it.
 */
import assert from "node:assert/strict";
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import * as os from "node:os";
import * as path from "node:path";
import { launcherCommand } from "../../cli/pulumi";
import { DYNAMIC_PROVIDER_HOST } from "../../testing/engine/build";
import { absentBinaries, engineBinDir, engineBinary } from "../../testing/engine/paths";
import { kubernetesPluginInstalled, pulumiHome } from "../../testing/engine/plugin";
import { RECIPES } from "../../testing/engine/recipes";
import { eventually } from "../helpers/eventually";

/** What one CLI run returned. */
export interface RunResult {
    code: number;
    stdout: string;
    stderr: string;
    seconds: number;
}

/** Why the engine tests cannot run here, or undefined when every binary and the plugin are in place. */
export function engineMissing(): string | undefined {
    const absent = absentBinaries([...RECIPES.map((r) => r.name), DYNAMIC_PROVIDER_HOST]);
    if (absent.length > 0) return `engine binaries missing in ${engineBinDir()}: ${absent.join(", ")}`;
    if (!kubernetesPluginInstalled()) return `kubernetes plugin not installed in ${pulumiHome()}`;
    return undefined;
}

/** Options of one run. */
export interface RunOptions {
    /** Text for stdin (how secrets are set). */
    input?: string;
    /** Run the engine's `pulumi` itself, without the launcher (how the tests show what the launcher prevents). */
    direct?: boolean;
    /** Start it as the leader of a process group of its own (to kill the whole group). @default false */
    ownGroup?: boolean;
}

/** A run that was started and not awaited (to be killed mid-run). */
export interface StartedRun {
    /** The launcher (or the CLI). */
    child: ChildProcessWithoutNullStreams;
    /** What was printed so far. */
    output(): string;
    done: Promise<RunResult>;
}

/**
 * Waits until a started run has printed `text`; fails with the run's last output when it ends first or after
 * `timeoutMs`. `what`: the moment the text marks, for the messages.
 */
export async function untilPrinted(run: StartedRun, text: string, what: string, timeoutMs: number): Promise<void> {
    const state = await eventually(
        what,
        async () => {
            if (run.child.exitCode !== null) return "ended";
            return run.output().includes(text) ? "printed" : undefined;
        },
        timeoutMs,
    );
    assert.equal(state, "printed", `the run ended before ${what}: ${run.output().slice(-2000)}`);
}

/** A Pulumi CLI bound to one project directory, passphrase and environment KUBECONFIG (a decoy in the tests). */
export class PulumiCli {
    /** Everything the engine printed, for the output secret check. */
    readonly outputLog: string[] = [];

    /** `tmpdir`: the temporary folder of the environment the launcher starts in (the machine's shared one). */
    constructor(
        readonly projectDir: string,
        private readonly passphrase: string,
        private readonly kubeconfig: string,
        readonly tmpdir: string = os.tmpdir(),
    ) {}

    /**
     * The environment of every run: offline, no update check, no plugin download, and a KUBECONFIG the program must
     * not use (the stack's `aihub-airgap:kubernetes` names the cluster).
     */
    env(): NodeJS.ProcessEnv {
        return {
            ...process.env,
            // The engine's bin directory stays off PATH: the language host and the dynamic-provider host are found
            // next to `pulumi`, and the kubernetes provider comes from PULUMI_HOME at its exact version (on PATH
            // the engine would take any version, with a warning).
            PATH: [path.dirname(process.execPath), process.env.PATH].join(":"),
            PULUMI_HOME: pulumiHome(),
            PULUMI_CONFIG_PASSPHRASE: this.passphrase,
            PULUMI_SKIP_UPDATE_CHECK: "true",
            PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
            KUBECONFIG: this.kubeconfig,
            NO_COLOR: "1",
            // The launcher runs this binary; the temporary folder is the one it starts from.
            PULUMI: engineBinary("pulumi"),
            TMPDIR: this.tmpdir,
            TMP: this.tmpdir,
            TEMP: this.tmpdir,
        };
    }

    /** Starts `npm run pulumi -- <args>` (the launcher; `direct`: the CLI itself) without waiting for it. */
    start(args: string[], opts: RunOptions = {}): StartedRun {
        const t0 = Date.now();
        const full = [...args, "--non-interactive", "--color", "never"];
        const [node, pre] = launcherCommand();
        const [cmd, argv] = opts.direct ? [engineBinary("pulumi"), full] : [node, [...pre, ...full]];
        const child = spawn(cmd, argv, {
            cwd: this.projectDir,
            env: this.env(),
            stdio: ["pipe", "pipe", "pipe"],
            detached: opts.ownGroup ?? false,
        });
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (d) => (stdout += d));
        child.stderr.on("data", (d) => (stderr += d));
        const done = new Promise<RunResult>((resolve, reject) => {
            child.on("error", reject);
            child.on("close", (code, signal) => {
                // The test's own `stack export --show-secrets` prints secrets by request; the scan covers the rest.
                if (!args.includes("--show-secrets")) this.outputLog.push(stdout, stderr);
                const c = code ?? (signal ? 128 + (os.constants.signals[signal] ?? 0) : -1);
                resolve({ code: c, stdout, stderr, seconds: (Date.now() - t0) / 1000 });
            });
        });
        child.stdin.end(opts.input ?? "");
        return { child, output: () => stdout + stderr, done };
    }

    /** Runs `pulumi <args>` through the launcher (`direct`: the CLI itself). Never throws on a non-zero exit. */
    run(args: string[], input?: string, opts: RunOptions = {}): Promise<RunResult> {
        return this.start(args, { ...opts, input }).done;
    }

    /** Runs and fails with the engine's own output when the exit code is not 0. */
    async ok(args: string[], input?: string): Promise<RunResult> {
        return succeeded(args, await this.run(args, input));
    }
}

/** The run's result, or an error carrying the engine's own last output lines when it exited non-zero. */
export function succeeded(args: string[], r: RunResult): RunResult {
    if (r.code === 0) return r;
    throw new Error(`pulumi ${args.join(" ")} exited ${r.code}:\n${tail(r.stdout, 80)}\n${tail(r.stderr, 30)}`);
}

function tail(text: string, n: number): string {
    return text.trim().split("\n").slice(-n).join("\n");
}
