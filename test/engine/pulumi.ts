/**
 * The real Pulumi CLI (built by `npm run engine:build`) run against a project directory: offline settings, the
 * engine's own PULUMI_HOME, a passphrase from the environment, never a secret in a process argument.
 */
import { spawn } from "node:child_process";
import * as path from "node:path";
import { DYNAMIC_PROVIDER_HOST } from "../../testing/engine/build";
import { absentBinaries, engineBinDir, engineBinary } from "../../testing/engine/paths";
import { kubernetesPluginInstalled, pulumiHome } from "../../testing/engine/plugin";
import { RECIPES } from "../../testing/engine/recipes";

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

/** A Pulumi CLI bound to one project directory, passphrase and environment KUBECONFIG (a decoy in the tests). */
export class PulumiCli {
    /** Everything the engine printed, for the output secret check. */
    readonly outputLog: string[] = [];

    constructor(
        readonly projectDir: string,
        private readonly passphrase: string,
        private readonly kubeconfig: string,
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
        };
    }

    /** Runs `pulumi <args>`; `input` goes to stdin (how secrets are set). Never throws on a non-zero exit. */
    run(args: string[], input?: string): Promise<RunResult> {
        const t0 = Date.now();
        return new Promise((resolve, reject) => {
            const p = spawn(engineBinary("pulumi"), [...args, "--non-interactive", "--color", "never"], {
                cwd: this.projectDir,
                env: this.env(),
                stdio: ["pipe", "pipe", "pipe"],
            });
            let stdout = "";
            let stderr = "";
            p.stdout.on("data", (d) => (stdout += d));
            p.stderr.on("data", (d) => (stderr += d));
            p.on("error", reject);
            p.on("close", (code) => {
                // The test's own `stack export --show-secrets` prints secrets by request; the scan covers the rest.
                if (!args.includes("--show-secrets")) this.outputLog.push(stdout, stderr);
                resolve({ code: code ?? -1, stdout, stderr, seconds: (Date.now() - t0) / 1000 });
            });
            p.stdin.end(input ?? "");
        });
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
