import * as pulumi from "@pulumi/pulumi";
import type { CleanupNode } from "./cleanup";

/** Inputs of {@link CleanupWait}. */
export interface CleanupWaitArgs {
    /** Namespace of the CephCluster, where Rook runs its cleanup Jobs. */
    namespace: string;
    /** `ceph.wipeDisksOnDestroy`: only an armed cleanup is waited for; otherwise the delete returns at once. */
    armed: boolean;
    /** The nodes Rook wipes, with their devices (named in the message when the wipe does not finish). */
    nodes: CleanupNode[];
    /** `ceph.dataDirHostPath`, named in the message too. */
    dataDirHostPath: string;
    /** How long the delete waits for the Jobs. @default 1800 */
    timeoutSeconds?: number;
    /** Kubeconfig path of the explicit provider (`kubernetes.kubeconfig`); @default `$KUBECONFIG`. */
    kubeconfig?: string;
    /** Context of the explicit provider (`kubernetes.context`); @default the kubeconfig's current one. */
    context?: string;
}

/** Resource type token: `pulumi-nodejs:dynamic/aihub:CleanupWait`. */
export const CLEANUP_WAIT_TYPE = "pulumi-nodejs:dynamic/aihub:CleanupWait";

/**
 * Serialized into the state, so the functions capture nothing. Create and update only record the inputs; delete runs
 * `cli/cleanup-wait.ts` (from its prebuilt bundle, scripts/cli-bundle.cjs) in the dynamic-provider host (working
 * directory: the project) with the stored inputs on stdin, asynchronously, so the host keeps answering the engine
 * meanwhile.
 */
const provider: pulumi.dynamic.ResourceProvider = {
    async create(inputs: Record<string, unknown>) {
        return { id: `${inputs.namespace}-rook-cleanup`, outs: inputs };
    },
    async update(_id: string, _olds: Record<string, unknown>, news: Record<string, unknown>) {
        return { outs: news };
    },
    async diff(_id: string, olds: Record<string, unknown>, news: Record<string, unknown>) {
        return { changes: JSON.stringify(olds) !== JSON.stringify(news), replaces: [], deleteBeforeReplace: false };
    },
    async delete(_id: string, props: Record<string, unknown>) {
        if (!props.armed) return;
        const { spawn } = require("node:child_process");
        const out: string[] = [];
        const code: number = await new Promise((resolve, reject) => {
            const p = spawn(process.execPath, ["scripts/cli-bundle.cjs", "cleanup-wait"], {
                stdio: ["pipe", "pipe", "pipe"],
            });
            p.stdout.on("data", (d: Buffer) => out.push(String(d)));
            p.stderr.on("data", (d: Buffer) => out.push(String(d)));
            p.on("error", reject);
            p.on("close", (c: number | null) => resolve(c ?? 1));
            p.stdin.end(JSON.stringify(props));
        });
        if (code !== 0) throw new Error(out.join("").trim().split("\n").slice(-30).join("\n"));
    },
};

/**
 * Holds `pulumi destroy` until Rook's disk wipe is over. The CephCluster depends on it and it depends on the operator
 * releases, the pull secret and (Rook v1.9) the default ServiceAccount patch, so the engine deletes it after the
 * CephCluster and before them: Rook starts its cleanup Jobs only once the CephCluster is gone, and they run as the
 * operator's `rook-ceph-default` ServiceAccount with the pull secret, in the namespace.
 */
export class CleanupWait extends pulumi.dynamic.Resource {
    constructor(name: string, args: CleanupWaitArgs, opts?: pulumi.CustomResourceOptions) {
        super(provider, name, { timeoutSeconds: 1800, ...args }, opts, "aihub", "CleanupWait");
    }
}
