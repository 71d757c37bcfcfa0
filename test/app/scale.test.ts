/**
 * `aihub.running`: the workload list matches what the chart renders (real helm, every real vendor chart in
 * ../shared/charts), the post-renderer takes `spec.replicas` away from Helm (and the init Job while stopped), and the
 * scale steps under the mock runtime: one patch per workload, in tier order per direction, after the release.
 */
/* eslint-disable @typescript-eslint/no-explicit-any -- tests walk rendered, untyped objects */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, it } from "node:test";
import * as YAML from "yaml";
import { aihubLayout } from "../../catalog/aihub-layout";
import { aihubWorkloads, TIERS } from "../../modules/aihub/scale";
import * as pulumi from "@pulumi/pulumi";
import { loadConfig } from "../../config/program";
import { PLATFORM_SPEC } from "../../platform/spec";
import { buildPlatform } from "../../platform/platform";
import { postRenderScript } from "../../modules/aihub/postrender-script";
import { releaseValues } from "../../modules/aihub/values";
import { helm, postRendered } from "../helpers/helm";
import { aihubVendorChart, aihubVendorVersions } from "../helpers/vendor-charts";
import { mockStack, PROJECT_DIR, settle, stackValues, type Recorder } from "../harness";
import { REGISTRY, valuesInput } from "./fixtures";

/** The whole lab platform under the recording mocks. */
async function composeLab(values: Record<string, unknown>): Promise<Recorder> {
    const rec = await mockStack("lab", values, ["registry", "ingress"]);
    await pulumi.runtime.runInPulumiStack(async () =>
        buildPlatform(loadConfig(PLATFORM_SPEC, { projectDir: PROJECT_DIR, missingFiles: "warn", logWarnings: false })),
    );
    await settle();
    return rec;
}

/** The real chart of `version` rendered with the release values over `vendor`, then post-rendered. */
function render(vendor: Record<string, unknown>, stopped: boolean, version = "2026.0.2"): any[] {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "aihub-scale-"));
    const file = path.join(dir, "values.yaml");
    fs.writeFileSync(file, YAML.stringify(releaseValues(valuesInput(version), vendor, {})));
    const raw = helm(["template", "rapidminer-aihub", aihubVendorChart(version), "--namespace", "aihub", "-f", file]);
    fs.rmSync(dir, { recursive: true });
    const out = postRendered(raw, { registry: REGISTRY, stopped });
    return YAML.parseAllDocuments(out)
        .map((d) => d.toJSON())
        .filter((o) => o);
}

const scaled = (objs: any[]) => objs.filter((o) => o.kind === "Deployment" || o.kind === "StatefulSet");

/** The chart's own default job agent (an entry of a list must carry every key the templates read). */
function chartAgent(version: string): Record<string, unknown> {
    return (YAML.parse(helm(["show", "values", aihubVendorChart(version)])) as any).jobagents.agents[0];
}

describe("aihub.running: workloads and post-renderer", () => {
    const values = {
        jobagents: {
            agents: [
                { ...chartAgent("2026.0.2"), statefulsetName: "job-agents-gpu", replicas: 2, homeStorageSize: "1Gi" },
            ],
        },
    };

    for (const version of aihubVendorVersions()) {
        it(`${version}: the workload list is exactly what the real chart renders with the chart's own agents`, () => {
            const objs = render({}, false, version);
            assert.deepEqual(
                aihubWorkloads(aihubLayout(version), {})
                    .map((w) => `${w.kind}/${w.name}`)
                    .sort(),
                scaled(objs)
                    .map((o) => `${o.kind}/${o.metadata.name}`)
                    .sort(),
            );
        });
    }

    it("lists exactly the workloads the chart renders, front ends first and databases last", () => {
        const objs = render(values, false);
        const list = aihubWorkloads(aihubLayout("2026.0.2"), values);
        assert.deepEqual(
            list.map((w) => `${w.kind}/${w.name}`).sort(),
            scaled(objs)
                .map((o) => `${o.kind}/${o.metadata.name}`)
                .sort(),
        );
        const tiers = list.map((w) => TIERS.indexOf(w.tier));
        assert.deepEqual(tiers, [...tiers].sort());
        assert.equal(list[0].name, "proxy-dep");
        assert.deepEqual(
            list.filter((w) => w.tier === "databases").map((w) => w.name),
            ["aihub-db-dep", "keycloak-db-dep", "jupyterhub-db-dep", "panopticon-monetdb"],
        );
        assert.equal(list.find((w) => w.name === "job-agents-gpu")?.replicas, 2);
    });

    it("deploymentProfiles leave out what the chart leaves out", () => {
        const list = aihubWorkloads(aihubLayout("2026.0.2"), { deploymentProfiles: ["proxy", "aihub-backend"] });
        assert.deepEqual(
            list.map((w) => w.name),
            ["proxy-dep", "aihub-backend-dep", "aihub-db-dep"],
        );
    });

    it("the post-renderer removes spec.replicas everywhere; stopped, it also leaves out the init Job", () => {
        const running = render(values, false);
        assert.ok(scaled(running).length >= 24);
        assert.deepEqual(
            scaled(running).filter((o) => "replicas" in o.spec),
            [],
        );
        assert.equal(running.filter((o) => o.kind === "Job").length, 1);
        const stopped = render(values, true);
        assert.deepEqual(
            stopped.filter((o) => o.kind === "Job"),
            [],
        );
        assert.equal(scaled(stopped).length, scaled(running).length);
    });
});

describe("aihub.running: the scale steps under the mock runtime", () => {
    for (const running of [false, true]) {
        it(`running ${running}: a patch per workload to ${running ? "its count" : "0"}, steps in ${running ? "reverse " : ""}order after the release`, async () => {
            const base = stackValues("lab") as any;
            const rec = await composeLab({ ...base, aihub: { ...base.aihub, running } });
            const release = rec.all().find((r) => r.name === "aihub" && r.custom)!;
            const registry = (base.registry as { server: string }).server;
            assert.equal(release.inputs.postrender, postRenderScript({ registry, stopped: !running }).path);
            const patches = rec.all().filter((r) => r.type.endsWith("Patch") && r.name.startsWith("aihub-scale-"));
            assert.equal(patches.length, 24);
            for (const p of patches) {
                assert.equal((p.inputs.spec as any).replicas, running ? 1 : 0, p.name);
                assert.equal((p.inputs.metadata as any).annotations["pulumi.com/patchForce"], "true");
                assert.deepEqual(p.ignoreChanges, ["metadata.annotations"], p.name);
                // The live object a patch returns holds the chart's plain env values (10.3.x: passwords).
                assert.deepEqual(p.additionalSecretOutputs, ["spec"], p.name);
            }
            const first = running ? "aihub-scale-aihub-db-dep" : "aihub-scale-proxy-dep";
            const middle = rec.byName("aihub-scale-aihub-backend-dep");
            const last = running ? "aihub-scale-proxy-dep" : "aihub-scale-aihub-db-dep";
            assert.ok(rec.dependsOn(rec.byName(first), release));
            assert.ok(rec.dependsOn(middle, rec.byName(first)));
            assert.ok(rec.dependsOn(rec.byName(last), middle));
            assert.ok(!rec.dependsOn(rec.byName(first), middle));
        });
    }
});
