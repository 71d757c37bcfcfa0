/**
 * kubectl for the live-cluster commands, which run on the admin host inside the gap (design §1: kubectl access to
 * the cluster): `KUBECTL` names the binary, else `kubectl` on the PATH. ops/target.ts chooses the target.
 */
import { execFile } from "node:child_process";

/** Where kubectl points. */
export interface KubeTarget {
    kubeconfig?: string;
    context?: string;
}

/** Runs kubectl against one target. */
export class Kubectl {
    constructor(
        readonly target: KubeTarget,
        readonly binary = process.env.KUBECTL ?? "kubectl",
    ) {}

    /** Runs kubectl with `args` (stdin from `input`, killed after `timeoutMs`); rejects with kubectl's stderr. */
    run(args: string[], input?: string, timeoutMs = 0): Promise<string> {
        const base = [
            ...(this.target.kubeconfig ? ["--kubeconfig", this.target.kubeconfig] : []),
            ...(this.target.context ? ["--context", this.target.context] : []),
        ];
        return new Promise((resolve, reject) => {
            const child = execFile(
                this.binary,
                [...base, ...args],
                { maxBuffer: 64 << 20, timeout: timeoutMs },
                (err, stdout, stderr) => {
                    if (err) reject(new Error(`kubectl ${args.join(" ")}: ${(stderr || err.message).trim()}`));
                    else resolve(stdout);
                },
            );
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
