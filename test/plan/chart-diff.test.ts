/* eslint-disable @typescript-eslint/no-explicit-any -- stack values are untyped */
/**
 * `plan --diff-chart`: real helm renders the fixture charts (mirroring the vendor's value paths) with the values the
 * program computes, 10.3.2 -> 2026.0.2; the Postgres 14 -> 17 move, the changed deployment-init Job and a removed
 * values key the stack still sets are flagged as manual steps.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { chartDiffForStack, diffRendered, renderChartDiff } from "../../platform/plan/chart-diff";
import { check } from "../config/helpers";
import { helm, helmBinary } from "../helpers/helm";
import { PROJECT_DIR, stackValues } from "../harness";

const FIXTURES = path.join(PROJECT_DIR, "test", "fixtures", "charts");
const R = "registry.airgap.internal:5000";
let charts: string;
const tgz = (version: string) => path.join(charts, `rapidminer-aihub-${version}.tgz`);

before(() => {
    charts = fs.mkdtempSync(path.join(os.tmpdir(), "diff-charts-"));
    for (const v of ["10.3.2", "2026.0.2"])
        helm(["package", path.join(FIXTURES, `rapidminer-aihub-${v}`), "-d", charts]);
});
after(() => fs.rmSync(charts, { recursive: true, force: true }));

function stackOn(version: string, inline: Record<string, unknown> = {}) {
    const values = stackValues("airgap") as any;
    values.aihub.version = version;
    values.aihub.chart = tgz(version);
    values.aihub.values = inline;
    const v = check(values);
    assert.deepEqual(v.lines, []);
    return v.config!;
}

describe("plan --diff-chart", () => {
    it("shows the image, PVC, Job and config changes of 10.3.2 -> 2026.0.2 and flags the manual steps", () => {
        const cfg = stackOn("10.3.2", { jobagent: { replicas: 2 } });
        const d = chartDiffForStack(helmBinary(), cfg, tgz("2026.0.2"), PROJECT_DIR);
        console.log(renderChartDiff(d).replace(/^/gm, "# "));
        assert.equal(d.from, "10.3.2");
        assert.equal(d.to, "2026.0.2");
        assert.ok(d.images.added.includes(`${R}/rapidminer/postgres-17:2026.0.2`));
        assert.ok(d.images.removed.includes(`${R}/rapidminer/postgres-14:10.3.2`));
        assert.deepEqual(d.jobs.changed, ["deployment-init-job"]);
        assert.ok(d.manualSteps.some((s) => /PostgreSQL moves from 14 to 17/.test(s)));
        assert.ok(d.manualSteps.some((s) => /Job deployment-init-job changes its pod template/.test(s)));
        assert.ok(d.removedValuesKeys.includes("jobagent.replicas"));
        assert.ok(d.manualSteps.some((s) => /values key jobagent\.replicas is gone from chart 2026\.0\.2/.test(s)));
        assert.deepEqual(d.pvcs.removed, [
            "job-agents-home-pvc-job-agents-<n>",
            "webapi-agent-home-pvc-webapi-agent-<n>",
        ]);
        assert.ok(d.manualSteps.some((s) => /claim job-agents-home-pvc-job-agents-<n> is no longer made/.test(s)));
        assert.doesNotMatch(JSON.stringify(d), /\[secret\]/, "no value of a config key is shown");
    });

    it("finds nothing to do when the chart does not change", () => {
        const cfg = stackOn("2026.0.2");
        const d = chartDiffForStack(helmBinary(), cfg, tgz("2026.0.2"), PROJECT_DIR);
        assert.deepEqual(d.manualSteps, []);
        assert.deepEqual(d.images, { added: [], removed: [] });
        assert.deepEqual(d.pvcs, { added: [], removed: [], changed: [] });
    });

    it("reports a resized or reclassed claim and a new StatefulSet claim", () => {
        const pvc = (name: string, size: string) => ({
            kind: "PersistentVolumeClaim",
            metadata: { name },
            spec: { storageClassName: "c", accessModes: ["ReadWriteOnce"], resources: { requests: { storage: size } } },
        });
        const sts = {
            kind: "StatefulSet",
            metadata: { name: "agents" },
            spec: {
                template: { spec: { containers: [] } },
                volumeClaimTemplates: [{ metadata: { name: "home" }, spec: {} }],
            },
        };
        const d = diffRendered(
            { version: "a", objects: [pvc("db", "10Gi")], defaults: {} },
            { version: "b", objects: [pvc("db", "20Gi"), sts], defaults: {} },
            [],
        );
        assert.deepEqual(d.pvcs, {
            added: ["home-agents-<n>"],
            removed: [],
            changed: ["db: c 10Gi ReadWriteOnce -> c 20Gi ReadWriteOnce"],
        });
    });

    it("names a missing chart", () => {
        const cfg = stackOn("2026.0.2");
        assert.throws(
            () => chartDiffForStack(helmBinary(), cfg, "/nonexistent/chart.tgz", PROJECT_DIR),
            /--diff-chart \/nonexistent\/chart\.tgz: no such chart/,
        );
    });
});
