import * as pulumi from "@pulumi/pulumi";

/** Inputs of {@link AdmissionReady}. */
export interface AdmissionReadyArgs {
    /** Collection path of the object, e.g. `/apis/metallb.io/v1beta1/namespaces/metallb-system/ipaddresspools`. */
    path: pulumi.Input<string>;
    /** The object as it will be created (nothing secret: it is stored in the state). */
    object: pulumi.Input<Record<string, unknown>>;
    /** How long create waits for the webhook. @default 600 */
    timeoutSeconds?: number;
    /** Kubeconfig path of the explicit provider (`kubernetes.kubeconfig`); @default `$KUBECONFIG`. */
    kubeconfig?: string;
    /** Context of the explicit provider (`kubernetes.context`); @default the kubeconfig's current one. */
    context?: string;
}

/** Resource type token: `pulumi-nodejs:dynamic/aihub:AdmissionReady`. */
export const ADMISSION_READY_TYPE = "pulumi-nodejs:dynamic/aihub:AdmissionReady";

/**
 * Serialized into the state, so the functions capture nothing. Create and update run `cli/admission-ready.ts` (from
 * its prebuilt bundle, scripts/cli-bundle.cjs) in the dynamic-provider host (working directory: the project) with the
 * inputs on stdin; delete has nothing to undo.
 */
const provider: pulumi.dynamic.ResourceProvider = {
    async create(inputs: Record<string, unknown>) {
        const { spawn } = require("node:child_process");
        const out: string[] = [];
        const code: number = await new Promise((resolve, reject) => {
            const p = spawn(process.execPath, ["scripts/cli-bundle.cjs", "admission-ready"], {
                stdio: ["pipe", "pipe", "pipe"],
            });
            p.stdout.on("data", (d: Buffer) => out.push(String(d)));
            p.stderr.on("data", (d: Buffer) => out.push(String(d)));
            p.on("error", reject);
            p.on("close", (c: number | null) => resolve(c ?? 1));
            p.stdin.end(JSON.stringify(inputs));
        });
        if (code !== 0) throw new Error(out.join("").trim().split("\n").slice(-20).join("\n"));
        const o = inputs.object as { kind: string; metadata: { name: string } };
        return { id: `${o.kind}/${o.metadata.name}`, outs: inputs };
    },
    async update(_id: string, _olds: Record<string, unknown>, news: Record<string, unknown>) {
        return { outs: (await this.create!(news)).outs };
    },
    async diff(_id: string, olds: Record<string, unknown>, news: Record<string, unknown>) {
        return { changes: JSON.stringify(olds) !== JSON.stringify(news), replaces: [], deleteBeforeReplace: false };
    },
};

/**
 * Holds what depends on it until the API server admits `object`: a validating webhook whose pod reports Ready before
 * the webhook serves (MetalLB's controller mounts its freshly written certificate up to a minute later) would refuse
 * the real create with "failed calling webhook", leaving the stack half applied until the next `pulumi up`.
 */
export class AdmissionReady extends pulumi.dynamic.Resource {
    constructor(name: string, args: AdmissionReadyArgs, opts?: pulumi.CustomResourceOptions) {
        super(provider, name, { timeoutSeconds: 600, ...args }, opts, "aihub", "AdmissionReady");
    }
}
