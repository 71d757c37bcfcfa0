// The Pulumi program as Pulumi runs it (package.json `main`; Pulumi's TypeScript runner is off): `index.ts` from
// the prebuilt bundle of scripts/cli-bundle.cjs — made on first use, made again whenever a source file changes —
// instead of ts-node loading the TypeScript compiler, type-checking and compiling every file on each `preview` and
// `up`, twice in an `up` (its preview, then the update). Type errors are `npm run typecheck`'s to find. Pulumi calls
// the exported function inside its stack and awaits it; the stack's outputs are the program's exports.
"use strict";
const { loadProgram } = require("./cli-bundle.cjs");
const { installLazyLoading } = require("./lazy-modules.cjs");

// The bundle requires `@pulumi/pulumi` (outside it), whose index loads the Automation API, which the program never
// uses: 0.3 s of a start otherwise. (`npm run pulumi` preloads this into the run harness already, with the others of
// scripts/lazy-modules.cjs; a plain `pulumi up` gets it here.)
installLazyLoading();

// Pulumi's run harness installs source-map-support, which formats every stack trace through its CallSite wrappers;
// the SDK takes one for every promise it makes (runtime/debuggable.js) and for every resource's source position
// (resource.js), about 0.4 s of CPU time per start of the program, twice in an `up`. The bundle has no source map,
// so V8's own formatting gives the same positions for the program's frames (and the SDK's `.js` files, not their
// TypeScript sources, which are not shipped).
Error.prepareStackTrace = undefined;

module.exports = loadProgram;
