/**
 * Issue 27: `npm run plan` runs from a prebuilt bundle (scripts/cli-bundle.cjs), and prints byte for byte what the
 * TypeScript sources print, on every stack, in text and JSON, with the AI Hub chart rendered by helm and its
 * post-renderer run (a script that loads the checkout's post-renderer by path), and on failure.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, describe, it } from "node:test";
import { writeScaledStack } from "../../bench/plan-stacks";
import { PROJECT_DIR } from "../harness";
import { helmBinary } from "../helpers/helm";
import { vendorChart } from "../helpers/vendor-charts";

const work = fs.mkdtempSync(path.join(os.tmpdir(), "plan-bundle-"));
after(() => fs.rmSync(work, { recursive: true, force: true }));

const env = { ...process.env, HELM: helmBinary() };
const run = (argv: string[]) => {
    const r = spawnSync(process.execPath, argv, { cwd: PROJECT_DIR, encoding: "utf8", timeout: 180_000, env });
    return { code: r.status, out: r.stdout, err: r.stderr };
};
const bundled = (...args: string[]) => run([path.join(PROJECT_DIR, "scripts", "cli-bundle.cjs"), "plan", ...args]);
const sources = (...args: string[]) => run(["--import", "tsx", path.join(PROJECT_DIR, "cli", "plan.ts"), ...args]);

/** Both ways give the same stdout, stderr and exit code; returns the bundled run. */
function same(...args: string[]) {
    const b = bundled(...args);
    const s = sources(...args);
    assert.equal(b.out, s.out, `stdout differs for ${args.join(" ")} (bundle: exit ${b.code}, stderr ${b.err})`);
    assert.equal(b.err, s.err, `stderr differs for ${args.join(" ")}`);
    assert.equal(b.code, s.code);
    return b;
}

describe("npm run plan from the bundle", () => {
    it("prints what the sources print for the repository's stacks, as text and as JSON", () => {
        for (const stack of ["airgap", "lab", "research"]) assert.equal(same("--stack", stack).code, 0, stack);
        assert.equal(JSON.parse(same("--stack", "airgap", "--json").out).ok, true);
    });

    it("prints the same with the AI Hub chart rendered and post-rendered, and on a 100-node stack", () => {
        const dir = path.join(work, "rendered");
        writeScaledStack(PROJECT_DIR, dir, "airgap", 3, 1);
        const charts = path.join(dir, "bundle", "charts");
        fs.mkdirSync(charts, { recursive: true });
        // The real vendor chart, where the bundle carries it.
        fs.copyFileSync(
            vendorChart("rapidminer-aihub-2026.0.2.tgz"),
            path.join(charts, "rapidminer-aihub-2026.0.2.tgz"),
        );
        const r = same("--stack", "airgap", "--dir", dir, "--json");
        const doc = JSON.parse(r.out);
        // Rendered: the render policies ran (the reference sizes over-commit 3 × 256Gi of OSDs).
        assert.ok(
            doc.findings.some((f: { rule: string }) => f.rule === "ceph-over-committed"),
            JSON.stringify(doc.findings),
        );
        assert.ok(!doc.findings.some((f: { rule: string }) => f.rule === "aihub-render"));
        writeScaledStack(PROJECT_DIR, dir, "big", 100, 2);
        assert.equal(same("--stack", "big", "--dir", dir).code, 0);
    });

    it("fails the same way: a missing stack, bad usage", () => {
        assert.equal(same("--stack", "nope").code, 1);
        assert.equal(same("--bogus").code, 2);
    });

    it("keeps the bundle under .cache/cli, keyed by its own sources and no dependency's", () => {
        const record = JSON.parse(fs.readFileSync(path.join(PROJECT_DIR, ".cache", "cli", "plan.json"), "utf8"));
        for (const f of ["cli/plan.ts", "platform/plan/run.ts", "lib/checkout.ts"])
            assert.ok(record.inputs.includes(f), f);
        assert.ok(!record.inputs.some((f: string) => f.includes("node_modules")));
        assert.ok(fs.existsSync(path.join(PROJECT_DIR, ".cache", "cli", `plan-${record.key}.cjs`)));
    });
});
