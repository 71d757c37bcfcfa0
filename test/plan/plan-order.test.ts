/**
 * Issue 27: the plan leaves the dynamic providers' code unserialized (it drops it anyway). It lists the same
 * resources in the same order as with the code serialized the way `pulumi up` serializes it, and the bundled plan
 * does not load TypeScript, which Pulumi's closure serializer loads to parse each function.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, describe, it } from "node:test";
import { runPlan } from "../../platform/plan/run";
import { PROJECT_DIR } from "../harness";
import { moduleProbe } from "../helpers/module-probe";

const work = fs.mkdtempSync(path.join(os.tmpdir(), "plan-order-"));
after(() => fs.rmSync(work, { recursive: true, force: true }));

describe("plan order and the dynamic providers' code", () => {
    for (const stack of ["airgap", "lab"]) {
        it(`${stack}: the same resources in the same order with and without the providers' code`, async () => {
            const fast = await runPlan({ projectDir: PROJECT_DIR, stack });
            const full = await runPlan({ projectDir: PROJECT_DIR, stack, providerCode: true });
            assert.ok(fast.resources.some((r) => r.type.startsWith("pulumi-nodejs:dynamic/")));
            assert.deepEqual(
                fast.resources.map((r) => r.urn),
                full.resources.map((r) => r.urn),
            );
            assert.deepEqual(fast.resources, full.resources);
            assert.deepEqual(fast.findings, full.findings);
        });
    }

    it("npm run plan (the bundle) does not load TypeScript", () => {
        const probe = moduleProbe(work);
        const r = spawnSync(
            process.execPath,
            ["--require", probe.file, path.join(PROJECT_DIR, "scripts", "cli-bundle.cjs"), "plan", "--stack", "airgap"],
            { cwd: PROJECT_DIR, encoding: "utf8", timeout: 180_000 },
        );
        assert.equal(r.status, 0, r.stderr);
        assert.deepEqual(
            probe.loaded().filter((f) => /[\\/]node_modules[\\/]typescript[\\/]/.test(f)),
            [],
        );
    });
});
