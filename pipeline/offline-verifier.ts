/**
 * The verifier that runs inside the gap before `npm ci --offline`: `cli/verify.ts` and everything it imports,
 * bundled by esbuild into one CommonJS file that needs Node.js and nothing else. A fresh checkout has no
 * node_modules yet, and the npm cache it would install from is itself part of what must be verified first.
 */
import * as path from "node:path";
import { buildSync } from "esbuild";
import { VERIFIER_FILE } from "./split";

/** Writes `verify.cjs` into `dir`; returns its path. */
export function writeOfflineVerifier(dir: string): string {
    const outfile = path.join(dir, VERIFIER_FILE);
    buildSync({
        entryPoints: [path.join(__dirname, "..", "cli", "verify.ts")],
        bundle: true,
        platform: "node",
        target: "node20",
        format: "cjs",
        outfile,
        logLevel: "error",
        banner: { js: "// aihub-airgap verify: run `node verify.cjs <bundle or parts dir>` (Node.js only)." },
    });
    return outfile;
}
