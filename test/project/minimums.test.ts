/**
 * The stated minimums are true: `engines` and the README's prerequisites name a Node.js that has what the code uses,
 * and a Pulumi CLI that accepts the project file.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import { PROJECT_DIR } from "../harness";

const read = (f: string) => fs.readFileSync(path.join(PROJECT_DIR, f), "utf8");
/** [major, minor] of a `x.y` version text. */
const version = (text: string) => text.split(".").map(Number) as [number, number];
const atLeast = ([a, b]: [number, number], [c, d]: [number, number]) => a > c || (a === c && b >= d);

/** Our TypeScript sources (no dependencies, no fixtures). */
function sources(dir = PROJECT_DIR): string[] {
    return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
        if (e.isDirectory())
            return ["node_modules", "fixtures", ".git"].includes(e.name) ? [] : sources(path.join(dir, e.name));
        return e.name.endsWith(".ts") ? [path.join(dir, e.name)] : [];
    });
}

test("engines.node covers Dirent.parentPath (Node.js 20.12) when the code uses it, and the README says the same", () => {
    const engines = (JSON.parse(read("package.json")) as { engines: { node: string } }).engines.node;
    const min = /^>=(\d+\.\d+)/.exec(engines)?.[1];
    assert.ok(min, `engines.node "${engines}" must state a minimum as >=x.y`);
    const uses = sources().filter((f) => f !== __filename && fs.readFileSync(f, "utf8").includes(".parentPath"));
    if (uses.length) assert.ok(atLeast(version(min), [20, 12]), `${uses.join(", ")} need Node.js >= 20.12`);
    const readme = read("README.md");
    for (const where of ["bastion (connected)", "inside the gap", "anywhere (CI, laptop)"]) {
        const row = readme.split("\n").find((l) => l.startsWith(`| ${where} |`));
        assert.ok(row?.includes(`Node.js ≥ ${min}`), `README row "${where}" must say Node.js ≥ ${min}`);
    }
});

test("the README's Pulumi CLI minimum accepts the typed object config of Pulumi.yaml (3.186.0)", () => {
    assert.match(read("Pulumi.yaml"), /^\s+type: object$/m);
    const row = read("README.md")
        .split("\n")
        .find((l) => l.startsWith("| inside the gap |"));
    const min = /Pulumi CLI\]\([^)]*\) ≥ (\d+\.\d+)\.\d+/.exec(row ?? "")?.[1];
    assert.ok(min, "README must state the minimum Pulumi CLI inside the gap");
    assert.ok(atLeast(version(min), [3, 186]), `Pulumi CLI ${min} does not accept type: object in Pulumi.yaml`);
});
