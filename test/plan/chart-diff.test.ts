/* eslint-disable @typescript-eslint/no-explicit-any -- stack values are untyped */
/**
 * `plan --diff-chart`: real helm renders the real vendor charts with the values the program computes,
 * 10.3.2 -> 2026.0.2; the Postgres 14 -> 17 move, the changed deployment-init Job and a removed
 * values key the stack still sets are flagged as manual steps.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { chartDiffForStack, diffRendered, renderChartDiff } from "../../platform/plan/chart-diff";
import { check } from "../config/helpers";
import { helmBinary } from "../helpers/helm";
import { aihubVendorChart as tgz } from "../helpers/vendor-charts";
import { PROJECT_DIR, stackValues } from "../harness";

const R = "registry.airgap.internal:5000";

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
        const cfg = stackOn("10.3.2", { jobagent: { containerCount: "2" } });
        const d = chartDiffForStack(helmBinary(), cfg, tgz("2026.0.2"), PROJECT_DIR);
        console.log(renderChartDiff(d).replace(/^/gm, "# "));
        assert.equal(d.from, "10.3.2");
        assert.equal(d.to, "2026.0.2");
        assert.ok(d.images.added.includes(`${R}/rapidminer/postgres-17:2026.0.2`));
        assert.ok(d.images.removed.includes(`${R}/rapidminer/postgres-14:10.3.2`));
        assert.deepEqual(d.jobs.changed, ["deployment-init-job"]);
        assert.ok(d.manualSteps.some((s) => /PostgreSQL moves from 14 to 17/.test(s)));
        assert.ok(d.manualSteps.some((s) => /Job deployment-init-job changes its pod template/.test(s)));
        assert.ok(d.removedValuesKeys.includes("jobagent.containerCount"));
        assert.ok(
            d.manualSteps.some((s) => /values key jobagent\.containerCount is gone from chart 2026\.0\.2/.test(s)),
        );
        // The agents' StatefulSets are renamed; their claims stay (the StatefulSet controller never deletes them).
        assert.deepEqual(d.pvcs.removed, [
            "jobagent-home-pvc-job-agents-<n>",
            "jobagent-huggingface-job-agents-<n>",
            "webapi-agent-home-pvc-webapi-agents-<n>",
        ]);
        assert.ok(
            d.manualSteps.includes(
                "claim jobagent-home-pvc-job-agents-<n> is no longer made by chart 2026.0.2: its data stays (the StatefulSet controller keeps the claims it made) but nothing mounts it; copy what it holds to its successor after the upgrade, then delete it",
            ),
        );
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

    it("a dropped PVC without helm.sh/resource-policy keep (chart 10.3.x sets none) is deleted by the upgrade: back it up", () => {
        const pvc = (name: string, keep: boolean) => ({
            kind: "PersistentVolumeClaim",
            metadata: { name, ...(keep ? { annotations: { "helm.sh/resource-policy": "keep" } } : {}) },
            spec: {
                storageClassName: "c",
                accessModes: ["ReadWriteOnce"],
                resources: { requests: { storage: "1Gi" } },
            },
        });
        const d = diffRendered(
            { version: "a", objects: [pvc("plain", false), pvc("kept", true)], defaults: {} },
            { version: "b", objects: [], defaults: {} },
            [],
        );
        assert.deepEqual(d.manualSteps, [
            "claim kept is no longer made by chart b: its data stays (helm.sh/resource-policy: keep) but nothing mounts it; copy what it holds to its successor after the upgrade, then delete it",
            "claim plain is no longer made by chart b and has no helm.sh/resource-policy: keep, so the upgrade deletes it with its data; take a backup (npm run backup) first and restore what it holds into its successor after the upgrade",
        ]);
    });

    it("names a missing chart", () => {
        const cfg = stackOn("2026.0.2");
        assert.throws(
            () => chartDiffForStack(helmBinary(), cfg, "/nonexistent/chart.tgz", PROJECT_DIR),
            /--diff-chart \/nonexistent\/chart\.tgz: no such chart/,
        );
    });
});
