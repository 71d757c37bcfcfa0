/**
 * Pulumi.research.yaml (issue 13): the research-cluster profile. It plans only once every add-on it turns on is in
 * the table; until then the full plan is skipped with the missing names, and its GPU + JupyterHub part is planned
 * alone (the other add-ons' sections removed, the core's Ingress mode instead of the Gateway).
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, describe, it } from "node:test";
import { parse, stringify } from "yaml";
import { ADDONS } from "../../platform/registry";
import { formatProblem } from "../../lib/problems";
import { runPlan } from "../../platform/plan/run";
import { PROJECT_DIR, stackValues } from "../harness";

const registered = new Set<string>(ADDONS.map((a) => a.name));
const wanted = Object.keys(stackValues("research").addons as Record<string, unknown>);
const missing = wanted.filter((n) => !registered.has(n));
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "research-"));
fs.cpSync(path.join(PROJECT_DIR, "values"), path.join(tmp, "values"), { recursive: true });
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe("the research-cluster stack", () => {
    it(
        "plans without errors or error findings",
        { skip: missing.length ? `needs the add-ons ${missing.join(", ")} in the table` : false },
        async () => {
            const plan = await runPlan({ projectDir: PROJECT_DIR, stack: "research" });
            assert.deepEqual(plan.errors.map(formatProblem), []);
            assert.deepEqual(
                plan.findings.filter((f) => f.level === "error"),
                [],
            );
        },
    );

    it("its GPU and JupyterHub sections plan alone: both releases, the notebook images, no error finding", async () => {
        const doc = parse(fs.readFileSync(path.join(PROJECT_DIR, "Pulumi.research.yaml"), "utf8"));
        const addons = doc.config["aihub-airgap:addons"] as Record<string, unknown>;
        for (const n of Object.keys(addons)) if (n !== "gpu" && n !== "jupyterhub") delete addons[n];
        doc.config["aihub-airgap:ingress"].mode = "https-custom-ca";
        fs.writeFileSync(path.join(tmp, "Pulumi.research-part.yaml"), stringify(doc));
        const plan = await runPlan({ projectDir: tmp, stack: "research-part" });
        assert.deepEqual(plan.errors.map(formatProblem), []);
        assert.deepEqual(
            plan.findings.filter((f) => f.level === "error"),
            [],
        );
        const releases = plan.resources
            .filter((r) => r.type === "kubernetes:helm.sh/v3:Release")
            .map((r) => r.name)
            .filter((n) => n.startsWith("gpu") || n.startsWith("jupyterhub"));
        assert.deepEqual(releases.sort(), ["gpu-gpu-operator", "jupyterhub-jupyterhub"]);
        const sources = plan.images.map((i) => i.source);
        for (const img of [
            "nvcr.io/nvidia/driver:595-6.8.0-60-generic-ubuntu24.04",
            "quay.io/jupyter/pytorch-notebook:cuda12-2026-01-05",
            "quay.io/jupyterhub/k8s-hub:4.4.0",
        ])
            assert.ok(sources.includes(img), `${img} not in the plan's images`);
        assert.ok(
            plan.resources.some(
                (r) => r.type === "kubernetes:networking.k8s.io/v1:Ingress" && r.name === "jupyterhub-route",
            ),
        );
    });
});
