// Modules that `@pulumi/pulumi` loads when it starts but that most of its processes never use: the Automation API,
// npm's arborist (with pacote, sigstore and cacache behind it) and normalize-package-data, which only
// `computeCodePaths` uses, and the TypeScript compiler, which only the closure serializer uses (a program serializing
// its dynamic providers). Each import of one becomes a stand-in that loads the module on first use.
//
// Used three ways: scripts/cli-bundle.cjs makes these imports lazy inside its bundles; scripts/program.cjs makes them
// lazy in the Pulumi program's process; and `npm run pulumi` (cli/pulumi.ts) preloads them into every Node process
// the Pulumi CLI starts (`NODE_OPTIONS=--require scripts/pulumi-preload.cjs`), so the dynamic-provider host, which
// the engine waits for before it goes on with any resource (docs/development.md → Up speed), and the program's run
// harness start without loading them.
"use strict";
const Module = require("node:module");

/**
 * The lazy imports: `request` as `importer` (a file of `@pulumi/pulumi`) writes it. `codeCache`: the bundles load it
 * with a V8 code cache of its own (scripts/cli-bundle.cjs), TypeScript being 9 MB to compile.
 */
const LAZY = [
    { importer: /@pulumi[\\/]pulumi[\\/]index\.js$/, request: "./automation" },
    { importer: /@pulumi[\\/]pulumi[\\/]runtime[\\/]closure[\\/]codePaths\.js$/, request: "@npmcli/arborist" },
    { importer: /@pulumi[\\/]pulumi[\\/]runtime[\\/]closure[\\/]codePaths\.js$/, request: "normalize-package-data" },
    { importer: /@pulumi[\\/]pulumi[\\/]typescript-shim\.js$/, request: "typescript", codeCache: true },
];

/** The {@link LAZY} entry for `request` written in the file `importer`; undefined when there is none. */
function lazyEntry(importer, request) {
    return LAZY.find((l) => l.request === request && l.importer.test(importer ?? ""));
}

/**
 * A stand-in for a module's exports that calls `load` on first use and is the module from then on. TypeScript's
 * import helpers get from it what they get from the module: it says it is an ES module, so `__importStar` and
 * `__importDefault` return it as it is; a named import reads the module's property; the default import of a module
 * that is not an ES module is the module itself (as `__importDefault` wraps it); calling or constructing it calls
 * the module.
 */
function lazyExports(load) {
    let real;
    const get = () => (real ??= load());
    return new Proxy(function lazyModule() {}, {
        get: (_, key) => {
            if (key === "__esModule") return true;
            const m = get();
            return key === "default" && !m.__esModule ? m : m[key];
        },
        has: (_, key) => key in get(),
        apply: (_, self, args) => Reflect.apply(get(), self, args),
        construct: (_, args) => Reflect.construct(get(), args),
    });
}

const INSTALLED = Symbol.for("aihub-airgap.lazy-modules");

/** The file `request` resolves to from `parent`; undefined when it does not resolve. */
function resolved(request, parent) {
    try {
        return Module._resolveFilename(request, parent, false);
    } catch {
        return undefined;
    }
}

/**
 * Makes the {@link LAZY} imports lazy in this process from now on (a module already loaded stays as it is). An import
 * that does not resolve is left to `require` (typescript-shim.js falls back to its own copy when it throws).
 */
function installLazyLoading() {
    if (Module._load[INSTALLED]) return;
    const load = Module._load;
    const lazyLoad = function (request, parent, isMain) {
        if (parent && lazyEntry(parent.filename, request)) {
            const id = resolved(request, parent);
            if (id !== undefined && !Module._cache[id])
                return lazyExports(() => load.call(Module, request, parent, false));
        }
        return load.call(this, request, parent, isMain);
    };
    lazyLoad[INSTALLED] = true;
    Module._load = lazyLoad;
}

module.exports = { lazyEntry, lazyExports, installLazyLoading };
