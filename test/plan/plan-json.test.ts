/** Issue 10.12 and 10.13: `plan --json` prints exactly one JSON document on every path, and all of it through a pipe. */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, describe, it } from "node:test";
import { parse, stringify } from "yaml";
import { PROJECT_DIR } from "../harness";
import { PLAN_JSON_KEYS } from "./json-keys";

const CLI = path.join(PROJECT_DIR, "cli", "plan.ts");
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "plan-json-"));
fs.cpSync(path.join(PROJECT_DIR, "values"), path.join(tmp, "values"), { recursive: true });
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

function plan(...args: string[]) {
    const r = spawnSync(process.execPath, ["--import", "tsx", CLI, ...args], {
        cwd: PROJECT_DIR,
        encoding: "utf8",
        timeout: 120_000,
    });
    return { code: r.status, out: r.stdout, err: r.stderr };
}

/** The airgap stack with `n` workers (each a mon disk and an OSD disk), written as Pulumi.<name>.yaml in tmp. */
function writeStack(name: string, edit: (config: Record<string, unknown>) => void = () => {}): void {
    const doc = parse(fs.readFileSync(path.join(PROJECT_DIR, "Pulumi.airgap.yaml"), "utf8"));
    edit(doc.config);
    fs.writeFileSync(path.join(tmp, `Pulumi.${name}.yaml`), stringify(doc));
}

/** Parses stdout as one JSON document and returns it. */
function onlyJson(out: string): { ok: boolean; errors: string[]; resources: unknown[] } {
    const doc = JSON.parse(out);
    assert.deepEqual(Object.keys(doc).sort(), PLAN_JSON_KEYS);
    return doc;
}

describe("issue 10.12: plan --json on failure paths", () => {
    it("usage errors: one JSON document, exit 2", () => {
        for (const args of [["--json"], ["--json", "--stack", "x", "--bogus"]]) {
            const r = plan(...args);
            assert.equal(r.code, 2);
            const doc = onlyJson(r.out);
            assert.equal(doc.ok, false);
            assert.match(doc.errors[0], /^(--stack is required|Unknown option '--bogus')/);
        }
    });
    it("unknown stack, --dir pointing nowhere, unparseable YAML, non-mapping config: one line each, in JSON", () => {
        fs.writeFileSync(
            path.join(tmp, "Pulumi.dup.yaml"),
            "config:\n  aihub-airgap:protectData: true\n  aihub-airgap:protectData: false\n",
        );
        fs.writeFileSync(path.join(tmp, "Pulumi.list.yaml"), "config: [1, 2]\n");
        for (const [args, line] of [
            [
                ["--stack", "nope", "--dir", tmp],
                new RegExp(`^${tmp}/Pulumi\\.nope\\.yaml: does not exist \\(create the stack`),
            ],
            [
                ["--stack", "airgap", "--dir", "/nonexistent"],
                /^\/nonexistent: is not a project directory \(check --dir\)$/,
            ],
            [
                ["--stack", "dup", "--dir", tmp],
                new RegExp(`^${tmp}/Pulumi\\.dup\\.yaml:3:3: not valid YAML: Map keys must be unique$`),
            ],
            [["--stack", "list", "--dir", tmp], new RegExp(`^${tmp}/Pulumi\\.list\\.yaml: "config" is not a mapping`)],
        ] as const) {
            const json = plan(...args, "--json");
            assert.equal(json.code, 1, json.err);
            const doc = onlyJson(json.out);
            assert.equal(doc.errors.length, 1);
            assert.match(doc.errors[0], line);
        }
    });
    it("without --json the same failure is one line on stderr, no stack trace", () => {
        const text = plan("--stack", "airgap", "--dir", "/nonexistent");
        assert.equal(text.code, 1);
        assert.equal(text.out, "");
        assert.equal(text.err.trim(), "/nonexistent: is not a project directory (check --dir)");
    });
    it("config errors and a formerly crashing version: JSON with the problem lines, exit 1", () => {
        writeStack("v2026-0-1", (c) => {
            const a = c["aihub-airgap:aihub"] as Record<string, unknown>;
            a.version = "2026.0.1";
            a.chart = "./bundle/charts/rapidminer-aihub-2026.0.1.tgz";
        });
        const r = plan("--stack", "v2026-0-1", "--dir", tmp, "--json");
        assert.equal(r.code, 1);
        const doc = onlyJson(r.out);
        assert.equal(doc.errors.length, 1);
        assert.match(doc.errors[0], /^aihub-airgap:aihub\.version: 2026\.0\.1 is not a known AI Hub chart version/);
        assert.doesNotMatch(r.err, /\n\s+at /);
    });
});

describe("issue 10.12: plan --json through a slow pipe", () => {
    it("prints the whole document of a 16-node stack (> 64 KiB), not cut at the pipe buffer", () => {
        writeStack("big", (c) => {
            const ceph = c["aihub-airgap:ceph"] as { nodes: unknown[] };
            ceph.nodes = Array.from({ length: 16 }, (_, i) => ({
                hostname: `worker${i + 1}`,
                monDisk: { path: "/dev/nvme1n1", size: "10Gi" },
                osdDisks: [
                    { path: "/dev/nvme2n1", size: "256Gi" },
                    { path: "/dev/nvme3n1", size: "256Gi" },
                ],
            }));
        });
        // The reader waits before draining, so the 64 KiB pipe buffer is full while the plan finishes.
        const cmd = `set -o pipefail; "${process.execPath}" --import tsx "${CLI}" --stack big --dir "${tmp}" --json | (sleep 2; cat)`;
        const r = spawnSync("bash", ["-c", cmd], {
            cwd: PROJECT_DIR,
            encoding: "utf8",
            timeout: 120_000,
            maxBuffer: 2 ** 26,
        });
        assert.equal(r.status, 0, r.stderr);
        assert.ok(r.stdout.length > 64 * 1024, `${r.stdout.length} bytes`);
        const doc = onlyJson(r.stdout);
        assert.equal(doc.ok, true);
        assert.ok(doc.resources.length > 100, `${doc.resources.length} resources`);
    });
});
