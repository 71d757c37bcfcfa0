import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, it } from "node:test";
import { stringify } from "yaml";
import { PROJECT_DIR } from "../harness";
import { PLAN_JSON_KEYS } from "./json-keys";
import { readStackFile } from "../../config/stackfile";

/** Runs `npm run plan` the way a user does (its npm script: the bundle launcher), from the project directory. */
function plan(...args: string[]) {
    const r = spawnSync(process.execPath, [path.join(PROJECT_DIR, "scripts", "cli-bundle.cjs"), "plan", ...args], {
        cwd: PROJECT_DIR,
        encoding: "utf8",
        timeout: 120_000,
    });
    return { code: r.status, out: r.stdout, err: r.stderr };
}

describe("npm run plan", () => {
    it("plans the airgap stack without cluster, CLI or passphrase and exits 0", () => {
        const r = plan("--stack", "airgap");
        assert.equal(r.code, 0, r.out + r.err);
        assert.match(r.out, /^Plan for stack "airgap"/);
        assert.match(r.out, /pulumi:pulumi:Stack aihub-airgap-airgap/);
        assert.match(r.out, /quay\.io\/ceph\/ceph:v19\.2\.3 -> registry\.airgap\.internal:5000\/ceph\/ceph:v19\.2\.3/);
        assert.match(r.out, /rook\.chart: \.\/bundle\/charts\/rook-ceph-v1\.20\.6\.tgz \(not present yet/);
    });

    it("prints one JSON document with --json", () => {
        const r = plan("--stack", "lab", "--json");
        assert.equal(r.code, 0, r.err);
        const doc = JSON.parse(r.out);
        assert.deepEqual(Object.keys(doc).sort(), PLAN_JSON_KEYS);
        assert.equal(doc.ok, true);
        assert.equal(doc.stack, "lab");
        assert.ok(doc.resources.some((x: { type: string }) => x.type === "pulumi:pulumi:Stack"));
        assert.ok(
            doc.images.some(
                (i: { source: string; target: string }) => i.target === "registry.lab.internal:5000/ceph/ceph:v19.2.3",
            ),
        );
        assert.deepEqual(
            doc.charts.map((c: { key: string }) => c.key),
            ["rook.chart", "rook.csiDriversChart", "aihub.chart"],
        );
    });

    it("exits non-zero listing every config problem with its key path", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "plan-bad-"));
        try {
            const text = fs.readFileSync(path.join(PROJECT_DIR, "Pulumi.airgap.yaml"), "utf8");
            const doc = (require("yaml") as typeof import("yaml")).parse(text);
            const ceph = doc.config["aihub-airgap:ceph"];
            ceph.monCount = 2;
            ceph.nodes[1].osdDisks.push({ path: "/dev/nvme1n1", size: "100Gi" });
            doc.config["aihub-airgap:registry"].password = "hunter2";
            fs.writeFileSync(path.join(dir, "Pulumi.bad.yaml"), stringify(doc));
            fs.cpSync(path.join(PROJECT_DIR, "values"), path.join(dir, "values"), { recursive: true });
            assert.equal(readStackFile(dir, "bad").securePaths.has("registry.password"), false);
            const r = plan("--stack", "bad", "--dir", dir);
            assert.equal(r.code, 1);
            const lines = r.out.split("\n").map((l) => l.trim());
            for (const expected of [
                "aihub-airgap:ceph.monCount: must be odd so the mons can form a majority (use 1, 3 or 5)",
                "aihub-airgap:ceph.nodes[1].osdDisks[1].path: disk /dev/nvme1n1 on worker2 is already used by ceph.nodes[1].monDisk (give each mon and OSD its own device)",
                "aihub-airgap:registry.password: is a secret given in plain text (remove it from the stack file and run: pulumi config set --secret --path registry.password, which prompts for it)",
            ]) {
                assert.ok(lines.includes(expected), `missing: ${expected}\n${r.out}`);
            }
            assert.match(r.out, /Config errors \(3\):/);
            assert.doesNotMatch(r.out + r.err, /hunter2/, "the plain-text password must not be echoed");
            assert.doesNotMatch(r.out, /Resources \(/, "nothing is planned from an invalid config");
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it("exits 2 on usage errors and names an unknown stack", () => {
        assert.equal(plan().code, 2);
        const r = plan("--stack", "nope");
        assert.equal(r.code, 1);
        assert.match(r.err, /Pulumi\.nope\.yaml: does not exist/);
    });
});
