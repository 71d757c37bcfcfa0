/**
 * A command's main guard (`if (require.main === module)`) holds only in its own bundle's entry: scripts/cli-bundle.cjs
 * bundles every module a command imports into one, where `module` is the bundle's for all of them, so a guarded module
 * imported by another command would run its main there too. (It did: cli/admission-ready.ts imported a helper from
 * cli/cleanup-wait.ts, and inside the admission wait's bundle the cleanup wait ran first and read its stdin.)
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import { PROJECT_DIR } from "../harness";

/** The TypeScript sources the bundles are made of: outside node_modules, the tests, bench/ and testing/ (run with tsx). */
function sources(dir = PROJECT_DIR): string[] {
    return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
        if (e.name.startsWith(".") || ["node_modules", "test", "bench", "testing"].includes(e.name)) return [];
        const p = path.join(dir, e.name);
        if (e.isDirectory()) return sources(p);
        return /\.ts$/.test(e.name) && !/\.test\.ts$/.test(e.name) ? [p] : [];
    });
}

describe("entry points", () => {
    it("no source imports a module that has a main guard", () => {
        const files = sources();
        const guarded = files.filter((f) => /^if \(require\.main === module\)/m.test(fs.readFileSync(f, "utf8")));
        assert.ok(
            guarded.some((f) => f.endsWith(path.join("cli", "cleanup-wait.ts"))),
            guarded.join(" "),
        );
        const offenders = files.flatMap((f) => {
            const text = fs.readFileSync(f, "utf8");
            return [...text.matchAll(/from "(\.[^"]+)"/g)]
                .map((m) => path.resolve(path.dirname(f), m[1]) + ".ts")
                .filter((target) => guarded.includes(target))
                .map((target) => `${path.relative(PROJECT_DIR, f)} imports ${path.relative(PROJECT_DIR, target)}`);
        });
        assert.deepEqual(offenders, []);
    });
});
