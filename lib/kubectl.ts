/**
 * kubectl for the backup and restore commands, which run on the admin host inside the gap (design §1: kubectl
 * access to the cluster). The target comes from --kubeconfig/--context, else from the stack's
 * `aihub-airgap:kubernetes: {kubeconfig, context}`, else kubectl's own defaults.
 */
import { execFile } from "node:child_process";

/** Where kubectl points. */
export interface KubeTarget {
    kubeconfig?: string;
    context?: string;
}

/** The stack's `kubernetes` key when it is there and well formed (flags win over it). */
export function stackKubeTarget(values: Record<string, unknown>): KubeTarget {
    const k = values.kubernetes as { kubeconfig?: unknown; context?: unknown } | undefined;
    if (!k || typeof k !== "object") return {};
    return {
        ...(typeof k.kubeconfig === "string" ? { kubeconfig: k.kubeconfig } : {}),
        ...(typeof k.context === "string" ? { context: k.context } : {}),
    };
}

/** Runs kubectl against one target. */
export class Kubectl {
    constructor(
        readonly target: KubeTarget,
        readonly binary = process.env.KUBECTL ?? "kubectl",
    ) {}

    /** Runs kubectl with `args` (stdin from `input`); rejects with kubectl's stderr. */
    run(args: string[], input?: string): Promise<string> {
        const base = [
            ...(this.target.kubeconfig ? ["--kubeconfig", this.target.kubeconfig] : []),
            ...(this.target.context ? ["--context", this.target.context] : []),
        ];
        return new Promise((resolve, reject) => {
            const child = execFile(this.binary, [...base, ...args], { maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
                if (err) reject(new Error(`kubectl ${args.join(" ")}: ${(stderr || err.message).trim()}`));
                else resolve(stdout);
            });
            if (input !== undefined) child.stdin?.end(input);
        });
    }

    /** `kubectl get … -o json`, parsed. */
    async json<T>(args: string[]): Promise<T> {
        return JSON.parse(await this.run([...args, "-o", "json"])) as T;
    }

    /** Applies/creates one object from JSON. */
    async create(obj: unknown): Promise<void> {
        await this.run(["create", "-f", "-"], JSON.stringify(obj));
    }
}
