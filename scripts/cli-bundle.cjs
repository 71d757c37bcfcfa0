#!/usr/bin/env node
// `node scripts/cli-bundle.cjs <command> [args…]` runs `cli/<command>.ts` (what `npm run plan` does) from a prebuilt
// JavaScript bundle instead of transpiling the TypeScript sources on every start: the start-up, not the work, was
// most of a plan's time (docs/development.md → Plan speed). scripts/program.cjs loads the Pulumi program (index.ts)
// the same way for `pulumi preview` and `up`. A bundle is made with esbuild on first use and kept in `.cache/cli/`
// (git-ignored) under a hash of every source file it holds (the bytes esbuild read), the lockfiles (the dependencies
// and esbuild's version), tsconfig.json and this script; any change to one of them builds it again (a few seconds;
// test/plan/bundle-rebuild.test.ts). It runs with V8's code cache beside it, so its functions are not compiled anew
// on each start. Without esbuild (installed without dev dependencies) the sources run with tsx.
"use strict";
const crypto = require("node:crypto");
const fs = require("node:fs");
const Module = require("node:module");
const path = require("node:path");
const v8 = require("node:v8");
const vm = require("node:vm");

const ROOT = path.resolve(__dirname, "..");
const CACHE = path.join(ROOT, ".cache", "cli");

/**
 * The modules of `@pulumi/pulumi` that a bundle loads on first use (scripts/lazy-modules.cjs): they stay out of the
 * bundle (TypeScript alone was half of its 19.6 MB, all read and deserialized on every start); each import is a proxy
 * that loads the module from `node_modules` on first use, one with `codeCache` with a V8 code cache of its own
 * ({@link runCached}): a plan does not serialize the dynamic providers (platform/plan/recorder.ts), but a command that
 * does would compile TypeScript's 9 MB anew.
 */
const { lazyEntry } = require("./lazy-modules.cjs");

/**
 * The hash of what the bundle is made of: this script, the lockfiles (the dependencies and esbuild's version),
 * tsconfig.json (esbuild reads it) and each input, relative to the checkout; `read` holds the bytes a build read of an
 * input, the file is read otherwise. Undefined when a recorded input is gone.
 */
function inputsKey(inputs, read = new Map()) {
    const h = crypto.createHash("sha256");
    h.update(fs.readFileSync(__filename));
    for (const f of ["package-lock.json", path.join("node_modules", ".package-lock.json"), "tsconfig.json"]) {
        const file = path.join(ROOT, f);
        h.update(f).update("\0");
        if (fs.existsSync(file)) h.update(fs.readFileSync(file));
        h.update("\0");
    }
    for (const rel of inputs) {
        const file = path.join(ROOT, rel);
        if (!read.has(rel) && !fs.existsSync(file)) return undefined;
        h.update(rel)
            .update("\0")
            .update(read.get(rel) ?? fs.readFileSync(file))
            .update("\0");
    }
    return h.digest("hex").slice(0, 16);
}

/** esbuild's loader for each type of source file, as it picks it by the extension itself. */
const LOADERS = { ".ts": "ts", ".mts": "ts", ".cts": "ts", ".js": "js", ".cjs": "js", ".mjs": "js", ".json": "json" };

/**
 * The esbuild plugin that reads the checkout's own files for esbuild and keeps the bytes it read in `read` (by path
 * relative to the checkout), so that the bundle's key is the hash of what the bundle holds: a file edited while the
 * build ran does not match it, and the next run builds again.
 */
function sourcesPlugin(read) {
    return {
        name: "sources",
        setup(build) {
            build.onLoad({ filter: /\.[cm]?[jt]s$|\.json$/ }, (args) => {
                if (args.namespace !== "file" || args.path.split(/[\\/]/).includes("node_modules")) return undefined;
                const contents = fs.readFileSync(args.path);
                read.set(path.relative(ROOT, args.path), contents);
                return { contents, loader: LOADERS[path.extname(args.path)] };
            });
        },
    };
}

/**
 * The esbuild plugin that turns each lazy import ({@link lazyEntry}) into a proxy loading the module from
 * `node_modules` on first access (by a path relative to the bundle, which lives in the checkout).
 */
function lazyPlugin() {
    return {
        name: "lazy",
        setup(build) {
            const modules = fs.realpathSync(path.join(ROOT, "node_modules"));
            build.onResolve({ filter: /.*/ }, (args) => {
                if (args.namespace === "lazy") return { path: args.path, external: true };
                const lazy = lazyEntry(args.importer, args.path);
                if (!lazy) return undefined;
                const real = fs.realpathSync(require.resolve(args.path, { paths: [args.resolveDir] }));
                const fromBundle = path.relative(CACHE, path.join(ROOT, "node_modules", path.relative(modules, real)));
                const cached = lazy.codeCache === true;
                return { path: fromBundle.split(path.sep).join("/"), namespace: "lazy", pluginData: { cached } };
            });
            // The proxy of scripts/lazy-modules.cjs, required at run time (by a path relative to the bundle).
            const proxies = path.relative(CACHE, path.join(__dirname, "lazy-modules.cjs")).split(path.sep).join("/");
            build.onLoad({ filter: /.*/, namespace: "lazy" }, (args) => ({
                // `require.cached`: see runCached.
                contents: `module.exports = require(${JSON.stringify(proxies)}).lazyExports(() => ${args.pluginData?.cached ? "require.cached" : "require"}(${JSON.stringify(args.path)}));`,
            }));
        },
    };
}

/**
 * The program Pulumi runs (scripts/program.cjs): `index.ts`, with the Pulumi SDK left outside the bundle, so the
 * program registers its resources through the one copy of the SDK that Pulumi's run harness has loaded and connected to
 * the engine.
 */
const PROGRAM = "program";

/** The source file of a bundle: `index.ts` for the program, `cli/<command>.ts` for a command. */
const entryOf = (command) => path.join(ROOT, ...(command === PROGRAM ? ["index.ts"] : ["cli", `${command}.ts`]));

/** Builds the bundle of `command` ({@link entryOf}); returns its path. */
async function build(esbuild, command) {
    fs.mkdirSync(CACHE, { recursive: true });
    const tmp = path.join(CACHE, `.${command}.${process.pid}.cjs`);
    const sdk = command === PROGRAM ? ["@pulumi/pulumi", "@pulumi/pulumi/*"] : [];
    const read = new Map();
    const result = await esbuild.build({
        entryPoints: [entryOf(command)],
        // The metafile names the inputs relative to this folder (the process's own may be any other).
        absWorkingDir: ROOT,
        bundle: true,
        platform: "node",
        format: "cjs",
        target: "node20",
        outfile: tmp,
        metafile: true,
        logLevel: "error",
        // tsx stays the run-time fallback's (below); esbuild is the bundle CLI's own tool. The
        // packages a dynamic provider requires inside its functions (k8s/self-signed-certificate.ts) stay a run-time
        // require: bundled, that require would point into the bundle, which Pulumi's closure serializer cannot capture.
        external: ["tsx", "tsx/*", "esbuild", "reflect-metadata", "@peculiar/x509", ...sdk],
        plugins: [lazyPlugin(), sourcesPlugin(read)],
    });
    await esbuild.stop();
    const inputs = Object.keys(result.metafile.inputs)
        .filter((f) => !f.includes(":") && !f.split(/[\\/]/).includes("node_modules"))
        .map((f) => path.relative(ROOT, path.resolve(ROOT, f)))
        .sort();
    const key = inputsKey(inputs, read);
    if (key === undefined) throw new Error(`the ${command} bundle's inputs were not found under ${ROOT}`);
    const bundle = path.join(CACHE, `${command}-${key}.cjs`);
    fs.renameSync(tmp, bundle);
    const record = path.join(CACHE, `${command}.json`);
    fs.writeFileSync(`${record}.${process.pid}`, JSON.stringify({ key, inputs }));
    fs.renameSync(`${record}.${process.pid}`, record);
    for (const f of fs.readdirSync(CACHE)) {
        if (f.startsWith(`${command}-`) && !f.startsWith(`${command}-${key}.`)) fs.rmSync(path.join(CACHE, f));
    }
    return bundle;
}

/** The current bundle of `command`; undefined when missing or out of date. */
function currentBundle(command) {
    try {
        const { key, inputs } = JSON.parse(fs.readFileSync(path.join(CACHE, `${command}.json`), "utf8"));
        const bundle = path.join(CACHE, `${command}-${key}.cjs`);
        if (typeof key === "string" && inputsKey(inputs) === key && fs.existsSync(bundle)) return bundle;
    } catch {
        // no record yet, or a broken one: build
    }
    return undefined;
}

/**
 * The suffix of a code cache made under this process's node options: V8 accepts a code cache only under the flags it
 * was made with (one such as --cpu-prof makes it rejected), so there is one per set of node options, and runs under
 * different ones do not keep replacing each other's.
 */
const FLAGS = crypto
    .createHash("sha256")
    .update(JSON.stringify([process.execArgv, process.env.NODE_OPTIONS ?? ""]))
    .digest("hex")
    .slice(0, 8);

/**
 * Runs the CommonJS file `file` as a module, with V8's code cache kept in `codeCache`, so its functions are not
 * compiled anew on each start; returns its exports. `main`: as the process's main module (a command); `register`: in
 * `require`'s cache, as `require` would (a module of `node_modules`). The module's `require.cached(id)` loads a
 * module of `node_modules` the same way ({@link requireCached}).
 */
function runCached(file, codeCache, { main = false, register = false } = {}) {
    const cachedData = fs.existsSync(codeCache) ? fs.readFileSync(codeCache) : undefined;
    const script = new vm.Script(Module.wrap(fs.readFileSync(file, "utf8")), { filename: file, cachedData });
    if (!cachedData || script.cachedDataRejected) {
        // Written at exit, so that it holds every function the run compiled, not only the top level.
        process.on("exit", () => {
            try {
                fs.writeFileSync(`${codeCache}.${process.pid}`, script.createCachedData());
                fs.renameSync(`${codeCache}.${process.pid}`, codeCache);
            } catch {
                // a read-only checkout runs without the cache
            }
        });
    }
    const mod = new Module(file, null);
    mod.filename = file;
    mod.paths = Module._nodeModulePaths(path.dirname(file));
    if (main) process.mainModule = mod;
    if (register) Module._cache[file] = mod;
    const req = Module.createRequire(file);
    req.cached = (id) => requireCached(req, id);
    try {
        script.runInThisContext().call(mod.exports, mod.exports, req, mod, file, path.dirname(file));
    } catch (e) {
        if (register) delete Module._cache[file];
        throw e;
    }
    mod.loaded = true;
    return mod.exports;
}

/**
 * Loads the module `id` of `node_modules` as `req` would, into `require`'s cache, with its V8 code cache in
 * `.cache/cli/` named after the file, its size and modification time (V8 checks only the source's length: a cache
 * must never outlive the file it was made from).
 */
function requireCached(req, id) {
    const f = req.resolve(id);
    if (Module._cache[f]) return Module._cache[f].exports;
    const st = fs.statSync(f);
    const name = crypto
        .createHash("sha256")
        .update(JSON.stringify([f, st.size, st.mtimeMs]))
        .digest("hex");
    return runCached(f, path.join(CACHE, `lazy-${name.slice(0, 16)}.${FLAGS}.v8cache`), { register: true });
}

/** Runs the bundle ({@link runCached}, its code cache beside it); returns its exports. */
function runBundle(bundle, main) {
    // @pulumi/pulumi sets this flag when it serializes a dynamic provider (runtime/closure/v8.js), and the cache written
    // at exit must match the flags of the next start.
    v8.setFlagsFromString("--allow-natives-syntax");
    return runCached(bundle, `${bundle}.${FLAGS}.v8cache`, { main });
}

/**
 * Loads the Pulumi program (index.ts) for Pulumi's run harness; returns its exports. TypeScript is loaded first, with
 * its own code cache ({@link requireCached}): the SDK the harness loaded (outside the bundle) parses each dynamic
 * provider with it when it serializes them, on every start, and compiling its 9 MB held up the first resource that
 * has one (the bundle push, first on the lab's critical path).
 */
async function loadProgram() {
    v8.setFlagsFromString("--allow-natives-syntax");
    requireCached(
        Module.createRequire(path.join(ROOT, "node_modules", "@pulumi", "pulumi", "package.json")),
        "typescript",
    );
    return load(PROGRAM);
}

/**
 * Loads `command` ({@link entryOf}) from its current bundle, built first when missing or out of date; returns its
 * exports. Without esbuild (installed without dev dependencies) it loads the TypeScript sources with tsx.
 */
async function load(command, main = false) {
    // esbuild is loaded only to build (loading it took 20 ms of CPU time on every start).
    const current = currentBundle(command);
    if (current) return runBundle(current, main);
    let esbuild;
    try {
        esbuild = require("esbuild");
    } catch {
        require("tsx/cjs");
        return require(entryOf(command));
    }
    return runBundle(await build(esbuild, command), main);
}

async function cli() {
    const command = process.argv[2];
    if (!command || command === PROGRAM || !fs.existsSync(entryOf(command))) {
        console.error(`usage: node scripts/cli-bundle.cjs <command> [args…] (a file cli/<command>.ts)`);
        process.exit(2);
    }
    process.argv.splice(2, 1);
    await load(command, true);
}

/**
 * Runs `command` ({@link entryOf}) as the process's main module with `args` as its arguments: for a script that names
 * its command and arguments itself (the AI Hub release's post-renderer, modules/aihub/postrender-script.ts).
 */
function runCommand(command, args) {
    process.argv.splice(2, process.argv.length - 2, ...args);
    return load(command, true);
}

module.exports = { loadProgram, runCommand };

if (require.main === module) {
    cli().catch((e) => {
        console.error(e);
        process.exit(1);
    });
}
