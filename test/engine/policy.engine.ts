/**
 * The plan's policies under the real engine (issue 27): the local CrossGuard pack `policy/` with
 * `pulumi preview --policy-pack` and `pulumi up --policy-pack` on the lab stack and the simulated cluster. A clean
 * stack previews and comes up with the pack (its Secrets hold values the engine marks secret, so the plaintext-secret
 * rule must read the marks); then an AI Hub image prefix outside the private registry fails preview with the plan's
 * own message (with the flag, and without it once the stack's `policyPack` key is true), and `up` stops before it
 * changes the release.
 */
import assert from "node:assert/strict";
import { after, before, describe } from "node:test";
import { EngineScenario, type PlannedObject } from "./scenario";
import { requireEngine, step } from "./steps";

let s: EngineScenario;
let planned: PlannedObject[];
const PACK = ["--policy-pack", "policy"];
const VIOLATION =
    /\[aihub-image-outside-registry\] values\.common\.dockerURL = "docker\.io\/rapidminer\/" is not in the private registry 127\.0\.0\.1:\d+/;

before(async () => {
    requireEngine();
    s = await EngineScenario.start({ base: "lab" });
    planned = await s.plannedObjects();
});

after(async () => {
    await s?.stop();
});

/** The lab stack's AI Hub values with the image prefix pointed at Docker Hub. */
function foreignImages(): Record<string, unknown> {
    const values = (s.plain.aihub.values ?? {}) as Record<string, unknown>;
    return { ...s.plain.aihub, values: { ...values, common: { dockerURL: "docker.io/rapidminer/" } } };
}

/** The AI Hub release's values as the state holds them (they are secret there: they carry the credentials). */
async function releaseValues(): Promise<Record<string, unknown>> {
    const state = JSON.parse((await s.pulumiOk(["stack", "export", "--show-secrets"])).stdout);
    const release = state.deployment.resources.find(
        (r: { type: string; urn: string }) => r.type === "kubernetes:helm.sh/v3:Release" && r.urn.endsWith("::aihub"),
    );
    // `--show-secrets` gives a secret as `{<secret signature>: …, plaintext: "<its JSON>"}`.
    const values = release.outputs.values;
    return typeof values?.plaintext === "string" ? JSON.parse(values.plaintext) : values;
}

describe("the policy pack under the real engine", () => {
    step("a clean stack previews with the pack: it runs and reports no mandatory violation", async () => {
        const r = await s.pulumiOk(["preview", ...PACK]);
        assert.match(r.stdout, /Policies:[\s\S]*aihub-airgap@v0\.1\.0/, r.stdout);
        assert.doesNotMatch(r.stdout, /\[mandatory\]/);
    });

    step("the clean stack's up with the pack creates the plan", async () => {
        await s.pulumiOk(["up", "--yes", ...PACK]);
        assert.deepEqual(await s.missing(planned), []);
    });

    step("an image outside the private registry fails preview with the plan's message, mandatory", async () => {
        await s.setPlain({ aihub: foreignImages() });
        const r = await s.pulumi(["preview", ...PACK]);
        assert.notEqual(r.code, 0, r.stdout);
        assert.match(r.stdout, VIOLATION);
        assert.match(r.stdout, /\[mandatory\]\s+plan-errors/);
        // The same change without the pack previews fine: the pack is what stops it.
        await s.pulumiOk(["preview"]);
    });

    step(
        "with `policyPack` set true for the stack, a preview without the flag runs the pack (the launcher's default)",
        async () => {
            // `pulumi config set` stores the string "true"; the launcher reads the stack file as the CLI wrote it.
            await s.pulumiOk(["config", "set", "policyPack", "true"]);
            const r = await s.pulumi(["preview"]);
            assert.notEqual(r.code, 0, r.stdout);
            assert.match(r.stdout, VIOLATION);
            assert.match(r.stderr, /policyPack is true for stack \S+: running with the policy pack policy\//);
            await s.pulumiOk(["config", "set", "policyPack", "false"]);
            await s.pulumiOk(["preview"]);
        },
    );

    step("up with the pack stops at the violation before changing the release", async () => {
        const r = await s.pulumi(["up", "--yes", ...PACK]);
        assert.notEqual(r.code, 0, r.stdout);
        assert.match(r.stdout, VIOLATION);
        const common = (await releaseValues()).common as Record<string, unknown>;
        assert.notEqual(common.dockerURL, "docker.io/rapidminer/");
        assert.match(String(common.dockerURL), /^127\.0\.0\.1:\d+\/rapidminer\/$/);
    });
});
