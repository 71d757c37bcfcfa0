import * as pulumi from "@pulumi/pulumi";

/** Inputs of {@link BundlePush}. */
export interface BundlePushArgs {
    /** The bundle directory, relative to the project directory or absolute. */
    bundlePath: string;
    /** The stack whose `registry` settings (server, user, CA) the push reads from `Pulumi.<stack>.yaml`. */
    stack: string;
    /** Images pushed at once. */
    parallel: number;
    /**
     * sha256 of bundle.json: a new bundle runs the push again (an update, not a replace). `"missing"` when the
     * bundle is gone: after a successful push that keeps the last push (admins reclaim the space), before the
     * first push it fails naming the bundle.
     */
    bundleSha256: string;
    /** Registry password: handed to the push only as the environment variable `AIHUB_REGISTRY_PASSWORD`. */
    password: pulumi.Input<string>;
    /** The stack's `bundle.publicKey` ("" when unset): a change runs the push again, which checks with it. */
    publicKey: string;
}

/** Resource type token: `pulumi-nodejs:dynamic/aihub:BundlePush`. */
export const BUNDLE_PUSH_TYPE = "pulumi-nodejs:dynamic/aihub:BundlePush";

interface PushInputs {
    bundlePath: string;
    stack: string;
    parallel: number;
    bundleSha256: string;
    password: string;
    publicKey?: string;
}

/**
 * Runs `cli/push.ts` (the code of `npm run push`) from its prebuilt bundle (scripts/cli-bundle.cjs; from the
 * TypeScript sources, loading took 2 s of the step) in the dynamic-provider host, whose working directory is the
 * project directory. Serialized into the state, so the functions capture nothing; the password travels in the child's
 * environment, never in its arguments. A failed push fails the update with the push's own last lines.
 */
export const bundlePushProvider: pulumi.dynamic.ResourceProvider = {
    // A bundle removed after a push keeps the pushed hash: nothing to push again, and no later `up` is blocked.
    async check(olds: Partial<PushInputs>, news: PushInputs) {
        const keep = news.bundleSha256 === "missing" && olds.bundleSha256 && olds.bundleSha256 !== "missing";
        return { inputs: keep ? { ...news, bundleSha256: olds.bundleSha256 } : news };
    },
    async create(inputs: PushInputs) {
        const { spawn } = require("node:child_process");
        const args = ["scripts/cli-bundle.cjs", "push", inputs.bundlePath, "--stack", inputs.stack];
        // --dir: the stack file is the project's (the working directory), not the one beside push.ts's real path.
        args.push("--parallel", String(inputs.parallel), "--dir", process.cwd());
        const env = { ...process.env, AIHUB_REGISTRY_PASSWORD: inputs.password, PULUMI_SKIP_UPDATE_CHECK: "true" };
        // Awaited, not run with spawnSync: the dynamic-provider host serves every dynamic resource of the run from one
        // event loop, and the engine waits for its answers to the other resources' checks, so a blocking push held up
        // every registration of the run until it ended. The last 64 KiB of each stream are kept, for the error.
        const keep = 64 << 10;
        const { code, stdout, stderr } = await new Promise<{ code: number | null; stdout: string; stderr: string }>(
            (resolve, reject) => {
                const child = spawn(process.execPath, args, { env, stdio: ["ignore", "pipe", "pipe"] });
                const out = { stdout: "", stderr: "" };
                for (const k of ["stdout", "stderr"] as const)
                    child[k].on("data", (b: Buffer) => (out[k] = (out[k] + b.toString("utf8")).slice(-keep)));
                child.on("error", reject);
                child.on("close", (c: number | null) => resolve({ code: c, ...out }));
            },
        );
        const lines = `${stdout}\n${stderr}`.trim().split("\n");
        if (code !== 0) throw new Error(`push of ${inputs.bundlePath} failed:\n${lines.slice(-20).join("\n")}`);
        const summary = lines.filter((l: string) => l.trim() !== "").slice(-1)[0] ?? "";
        return { id: inputs.bundleSha256, outs: { ...inputs, summary } };
    },
    async update(_id: string, _olds: PushInputs, news: PushInputs) {
        return { outs: (await bundlePushProvider.create!(news)).outs };
    },
    async diff(_id: string, olds: PushInputs, news: PushInputs) {
        const keys = ["bundlePath", "stack", "parallel", "bundleSha256", "password", "publicKey"] as const;
        // "missing" never differs from a recorded push (check keeps the old hash; this covers a skipped check).
        const same = (k: (typeof keys)[number]) =>
            olds[k] === news[k] ||
            (k === "publicKey" && (olds[k] ?? "") === (news[k] ?? "")) ||
            (k === "bundleSha256" && news[k] === "missing" && olds[k] !== undefined);
        const changed = keys.filter((k) => !same(k));
        return { changes: changed.length > 0, replaces: [], deleteBeforeReplace: false };
    },
    // Nothing to delete: images stay in the registry.
    async delete() {},
};

/** Pushes the bundle's images into the private registry during `pulumi up`; skips what is already there. */
export class BundlePush extends pulumi.dynamic.Resource {
    /** The push's last progress line. */
    declare public readonly summary: pulumi.Output<string>;

    constructor(name: string, args: BundlePushArgs, opts?: pulumi.CustomResourceOptions) {
        super(
            bundlePushProvider,
            name,
            { ...args, password: pulumi.secret(args.password), summary: undefined },
            { ...opts, additionalSecretOutputs: ["password"] },
            "aihub",
            "BundlePush",
        );
    }
}
