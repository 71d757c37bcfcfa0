// The Pulumi program as Pulumi runs it (package.json `main`; Pulumi's TypeScript runner is off): `index.ts` from
// the prebuilt bundle of scripts/cli-bundle.cjs — made on first use, made again whenever a source file changes —
// instead of ts-node loading the TypeScript compiler, type-checking and compiling every file on each `preview` and
// `up`, twice in an `up` (its preview, then the update). Type errors are `npm run typecheck`'s to find. Pulumi calls
// the exported function inside its stack and awaits it; the stack's outputs are the program's exports.
"use strict";
const { load, PROGRAM } = require("./cli-bundle.cjs");

module.exports = () => load(PROGRAM);
