/**
 * Issue 27: `npm run pulumi` preloads scripts/pulumi-preload.cjs into every Node process the Pulumi CLI starts
 * (`NODE_OPTIONS`, cli/pulumi.ts `withPreload`), so the SDK's Automation API, arborist, normalize-package-data and
 * TypeScript load only when used (scripts/lazy-modules.cjs). The real dynamic-provider host of `@pulumi/pulumi`
 * starts and answers without loading any of them (without the preload it loads all four), and the SDK's uses of each
 * still work through the stand-ins.
 */
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, describe, it } from "node:test";
import * as grpc from "@grpc/grpc-js";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
import { withPreload } from "../../cli/pulumi";
import { PROJECT_DIR } from "../harness";
import { moduleProbe } from "../helpers/module-probe";

const work = fs.mkdtempSync(path.join(os.tmpdir(), "pulumi-preload-"));
after(() => fs.rmSync(work, { recursive: true, force: true }));

/** The modules of scripts/lazy-modules.cjs, as the folders they load from. */
const LAZY_DIRS: Record<string, RegExp> = {
    automation: /[\\/]@pulumi[\\/]pulumi[\\/]automation[\\/]/,
    arborist: /[\\/]@npmcli[\\/]arborist[\\/]/,
    "normalize-package-data": /[\\/]normalize-package-data[\\/]/,
    typescript: /[\\/]node_modules[\\/]typescript[\\/]/,
};

/** Which of {@link LAZY_DIRS} the module files `files` include. */
const lazyLoaded = (files: string[]) =>
    Object.entries(LAZY_DIRS)
        .filter(([, re]) => files.some((f) => re.test(f)))
        .map(([name]) => name);

/**
 * Starts the SDK's dynamic-provider host as Pulumi does (from the project, with the engine's address), with
 * `preload` in NODE_OPTIONS after a module probe, asks it for its plugin info over gRPC, stops it; returns the
 * version it answered and the module files it had loaded.
 */
async function hostRun(preload: (options: string) => string): Promise<{ version: string; files: string[] }> {
    const probe = moduleProbe(work);
    const host = require.resolve("@pulumi/pulumi/cmd/dynamic-provider", { paths: [PROJECT_DIR] });
    const child = spawn(process.execPath, [host, "127.0.0.1:1"], {
        cwd: PROJECT_DIR,
        env: { ...process.env, NODE_OPTIONS: preload(probe.nodeOptions) },
        stdio: ["ignore", "pipe", "inherit"],
    });
    try {
        // The host prints the port it serves on, once it is ready.
        const port = await new Promise<string>((resolve, reject) => {
            let text = "";
            child.stdout.on("data", (d) => {
                text += d;
                if (text.includes("\n")) resolve(text.trim());
            });
            child.on("exit", (code) => reject(new Error(`the host exited with ${code}`)));
        });
        const rpc = require("@pulumi/pulumi/proto/provider_grpc_pb");
        const client = new rpc.ResourceProviderClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
        const version = await new Promise<string>((resolve, reject) =>
            client.getPluginInfo(new Empty(), (e: Error | null, r: { getVersion(): string }) =>
                e ? reject(e) : resolve(r.getVersion()),
            ),
        );
        client.close();
        const exited = new Promise((resolve) => child.on("exit", resolve));
        child.kill("SIGTERM");
        await exited;
        return { version, files: probe.loaded() };
    } finally {
        child.kill("SIGKILL");
    }
}

describe("the launcher's preload", () => {
    it("the dynamic-provider host answers without loading the unused modules; without it, it loads all four", async () => {
        const sdk = JSON.parse(
            fs.readFileSync(path.join(PROJECT_DIR, "node_modules", "@pulumi", "pulumi", "package.json"), "utf8"),
        );
        const plain = await hostRun((options) => options);
        assert.equal(plain.version, sdk.version);
        assert.deepEqual(lazyLoaded(plain.files), Object.keys(LAZY_DIRS));
        const preloaded = await hostRun(withPreload);
        assert.equal(preloaded.version, sdk.version);
        assert.deepEqual(lazyLoaded(preloaded.files), []);
        assert.ok(preloaded.files.some((f) => f.endsWith(path.join("scripts", "lazy-modules.cjs"))));
    });

    it("the SDK's uses of each work through the stand-ins, which load the module then", () => {
        // In a process with the preload: what the SDK reaches each module for, and what was loaded before and after.
        const script = `
            const pulumi = require("@pulumi/pulumi");
            const loaded = () => Object.keys(require.cache);
            const before = loaded();
            (async () => {
                const ws = typeof pulumi.automation.LocalWorkspace.create;
                const paths = await pulumi.runtime.computeCodePaths({ extraIncludePackages: ["yaml"] });
                const fn = await pulumi.runtime.serializeFunction(() => 42);
                console.log(JSON.stringify({ before, after: loaded(), ws, paths: [...paths.keys()], text: fn.text }));
            })();`;
        const r = spawnSync(process.execPath, ["-e", script], {
            cwd: PROJECT_DIR,
            env: { ...process.env, NODE_OPTIONS: withPreload(undefined) },
            encoding: "utf8",
        });
        assert.equal(r.status, 0, r.stderr);
        const got = JSON.parse(r.stdout);
        assert.deepEqual(lazyLoaded(got.before), []);
        assert.deepEqual(lazyLoaded(got.after), Object.keys(LAZY_DIRS));
        assert.equal(got.ws, "function");
        assert.ok(
            got.paths.some((p: string) => p.endsWith(path.join("node_modules", "yaml"))),
            got.paths.join(" "),
        );
        assert.match(got.text, /42/);
    });

    it("adds itself once to NODE_OPTIONS, quoted so that Node reads a path with spaces", () => {
        const dir = path.join(work, "a dir with spaces");
        fs.mkdirSync(dir, { recursive: true });
        for (const f of ["pulumi-preload.cjs", "lazy-modules.cjs"])
            fs.copyFileSync(path.join(PROJECT_DIR, "scripts", f), path.join(dir, f));
        const file = path.join(dir, "pulumi-preload.cjs");
        const options = withPreload("--max-old-space-size=512", file);
        assert.equal(withPreload(options, file), options);
        assert.ok(options.startsWith("--max-old-space-size=512 --require "));
        const r = spawnSync(process.execPath, ["-e", "console.log(JSON.stringify(Object.keys(require.cache)))"], {
            env: { ...process.env, NODE_OPTIONS: options },
            encoding: "utf8",
        });
        assert.equal(r.status, 0, r.stderr);
        assert.ok(JSON.parse(r.stdout).includes(path.join(dir, "lazy-modules.cjs")), r.stdout);
    });
});
