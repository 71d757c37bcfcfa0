/**
 * The data guard in the airgap composition (mock runtime): it depends on every other resource of the platform, so a
 * destroy deletes it first; with protectData true it is protected, so a destroy stops before anything is deleted
 * (the real engine showed a half-applied destroy without it).
 */
import assert from "node:assert/strict";
import { before, describe, test } from "node:test";
import * as pulumi from "@pulumi/pulumi";
import { DATA_GUARD_NAME } from "../../k8s/data-guard";
import { loadConfig } from "../../config/program";
import { buildPlatform } from "../../platform/platform";
import { mockStack, PROJECT_DIR, settle, stackValues, type Recorder } from "../harness";
import { PLATFORM_SPEC } from "../../platform/spec";

let rec: Recorder;

before(async () => {
    rec = await mockStack("airgap", stackValues("airgap"), ["registry", "aihub", "ingress"]);
    await pulumi.runtime.runInPulumiStack(async () =>
        buildPlatform(loadConfig(PLATFORM_SPEC, { projectDir: PROJECT_DIR, missingFiles: "warn", logWarnings: false })),
    );
    await settle();
});

describe("data guard", () => {
    test("one protected ConfigMap that depends on every other custom resource", () => {
        const guard = rec.all().find((r) => r.type === "kubernetes:core/v1:ConfigMap" && r.name === "data-guard")!;
        assert.equal((guard.inputs.metadata as { name: string }).name, DATA_GUARD_NAME);
        assert.equal((guard.inputs.metadata as { namespace: string }).namespace, "aihub");
        assert.equal(guard.protect, true);
        // The provider is not a dependency: the engine orders resources after their provider by itself.
        const others = rec
            .all()
            .filter((r) => r.custom && r.urn !== guard.urn && !r.type.startsWith("pulumi:providers:"));
        assert.ok(others.length > 40, `${others.length} custom resources`);
        assert.deepEqual(
            others.filter((r) => !guard.deps.includes(r.urn)).map((r) => r.name),
            [],
        );
    });
});
