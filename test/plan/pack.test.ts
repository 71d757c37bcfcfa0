/**
 * Issue 27: the policy pack (policy/) runs the plan's checks over the resources the engine hands it
 * (platform/plan/pack.ts). Fed the plan's own registrations in the engine's wire form (secrets as secret sentinels),
 * it finds exactly what the plan found; a value not known yet is left out and turns an error on its resource into a
 * warning that says so.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as rpc from "@pulumi/pulumi/runtime/rpc";
import { checkedOf, stackFindings, stackOfUrn, type EngineResource } from "../../platform/plan/pack";
import { runPlan } from "../../platform/plan/run";
import type { Registration } from "../../platform/plan/recorder";
import { PROJECT_DIR } from "../harness";

/** A value with the secret leaves of `secretPaths` wrapped as the engine sends them. */
function wire(v: unknown, at: string, secretPaths: readonly string[]): unknown {
    const inner = Array.isArray(v)
        ? v.map((x, i) => wire(x, `${at}[${i}]`, secretPaths))
        : v !== null && typeof v === "object"
          ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, wire(x, at ? `${at}.${k}` : k, secretPaths)]))
          : v;
    return secretPaths.includes(at) ? { [rpc.specialSigKey]: rpc.specialSecretSig, value: inner } : inner;
}

function engineOf(r: Registration): EngineResource {
    return {
        urn: r.urn,
        type: r.type,
        name: r.name,
        opts: { protect: r.protect },
        parent: r.parent ? { urn: r.parent } : undefined,
        dependencies: r.deps.map((urn) => ({ urn })),
        engineProperties: wire(r.inputs, "", r.secretInputs) as Record<string, unknown>,
    };
}

describe("the policy pack's view of the engine's resources", () => {
    it("finds what the plan finds, for the reference and the research stack", async () => {
        for (const stack of ["airgap", "research"]) {
            const plan = await runPlan({ projectDir: PROJECT_DIR, stack });
            assert.ok(
                plan.resources.some((r) => r.secretInputs.length > 0),
                "the stack registers secrets",
            );
            const engine = plan.resources.map(engineOf);
            for (const [i, r] of plan.resources.entries()) {
                const c = checkedOf(engine[i]);
                assert.deepEqual([c.inputs, c.secretInputs, c.deps], [r.inputs, r.secretInputs, r.deps], r.urn);
            }
            assert.deepEqual(stackFindings(engine, PROJECT_DIR), plan.findings, stack);
            assert.equal(stackOfUrn(plan.resources[0].urn), stack);
        }
    });

    it("leaves unknown values out and makes an error on their resource a warning that names them", async () => {
        const plan = await runPlan({ projectDir: PROJECT_DIR, stack: "lab" });
        const engine = plan.resources.map(engineOf);
        const release = engine.find((r) => r.type === "kubernetes:helm.sh/v3:Release" && r.name === "aihub");
        assert.ok(release);
        // Before the generated credentials exist, the program's values are one Output: unknown as a whole.
        release.engineProperties.values = rpc.unknownValue;
        assert.deepEqual(checkedOf(release).unknownInputs, ["values"]);
        const f = stackFindings(engine, PROJECT_DIR).find((x) => x.rule === "aihub-missing-pull-secret");
        assert.deepEqual(f && [f.level, f.resource], ["warning", release.urn]);
        assert.match(f?.text ?? "", /\(not certain yet: values not known before pulumi up\)$/);
        assert.ok(!stackFindings(engine, PROJECT_DIR).some((x) => x.level === "error"));
    });
});
