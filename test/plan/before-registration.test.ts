/**
 * Issue 10.10: every check that can fail runs before any resource is registered. The real program (loadConfig +
 * buildPlatform, as index.ts runs it) under the mock runtime, counting registrations besides the stack itself.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, describe, it } from "node:test";
import * as pulumi from "@pulumi/pulumi";
import { parse, stringify } from "yaml";
import { loadConfig } from "../../config/program";
import { runPlan } from "../../platform/plan/run";
import { buildPlatform } from "../../platform/platform";
import { formatProblem, ConfigError } from "../../lib/problems";
import { readStackFile } from "../../config/stackfile";
import { mockStack, PROJECT_DIR, settle } from "../harness";
import { PLATFORM_SPEC } from "../../platform/spec";

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "before-reg-"));
fs.cpSync(path.join(PROJECT_DIR, "values"), path.join(tmp, "values"), { recursive: true });
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

type Config = Record<string, Record<string, unknown>>;
let n = 0;

/**
 * Writes the airgap stack changed by `edit` as a stack file, gives the program the same values as decrypted config
 * (`decrypted` replaces secure leaves, as the Pulumi CLI would), runs it, and returns the error lines and the count
 * of registered resources other than the stack.
 */
async function run(edit: (c: Config) => void, decrypted: (c: Config) => void = () => {}) {
    const doc = parse(fs.readFileSync(path.join(PROJECT_DIR, "Pulumi.airgap.yaml"), "utf8"));
    edit(doc.config);
    const stack = `t${n++}`;
    fs.writeFileSync(path.join(tmp, `Pulumi.${stack}.yaml`), stringify(doc));
    const sf = readStackFile(tmp, stack);
    const values = structuredClone(sf.values) as Config;
    decrypted(values);
    const rec = await mockStack(stack, values, ["registry", "aihub", "ingress"]);
    let lines: string[] = [];
    await pulumi.runtime.runInPulumiStack(async () => {
        try {
            return buildPlatform(
                loadConfig(PLATFORM_SPEC, { projectDir: tmp, missingFiles: "warn", logWarnings: false }),
            );
        } catch (e) {
            assert.ok(e instanceof ConfigError, String(e));
            lines = e.problems.map(formatProblem);
            return {};
        }
    });
    await settle();
    return { lines, registered: rec.all().filter((r) => r.type !== "pulumi:pulumi:Stack").length };
}

const aihub = (c: Config) => c["aihub-airgap:aihub"];

describe("issue 10.10: nothing is registered before a check fails", () => {
    it("registers the platform for the valid airgap stack", async () => {
        const r = await run(() => {});
        assert.deepEqual(r.lines, []);
        assert.ok(r.registered > 40, `${r.registered} resources`);
    });
    it("a version missing from the image catalog: one line, zero resources", async () => {
        const r = await run((c) => {
            aihub(c).version = "2026.0.1";
            aihub(c).chart = "./bundle/charts/rapidminer-aihub-2026.0.1.tgz";
        });
        assert.equal(r.lines.length, 1);
        assert.match(
            r.lines[0],
            /^aihub-airgap:aihub\.version: 2026\.0\.1 is not a known AI Hub chart version \(use one of: .*2026\.0\.0, 2026\.0\.2;/,
        );
        assert.equal(r.registered, 0);
    });
    it("a missing values file: a config error, zero resources", async () => {
        const r = await run((c) => (aihub(c).valuesFile = "./values/missing.yaml"));
        assert.deepEqual(r.lines, [
            'aihub-airgap:aihub.valuesFile: "./values/missing.yaml" does not exist (give a readable YAML file of at most 4 MiB, or remove aihub.valuesFile)',
        ]);
        assert.equal(r.registered, 0);
    });
    it("a credential of the wrong format or with an unknown name: config errors, zero resources", async () => {
        const r = await run(
            (c) => (aihub(c).credentials = { jupyterCryptKey: { secure: "v1:x" }, rootPassword: { secure: "v1:y" } }),
            (v) => (v.aihub.credentials = { jupyterCryptKey: "not-hex", rootPassword: "x".repeat(20) }),
        );
        assert.equal(r.lines.length, 2, r.lines.join("\n"));
        assert.match(
            r.lines[0],
            /^aihub-airgap:aihub\.credentials\.rootPassword: is not a credential this program knows/,
        );
        assert.match(r.lines[1], /^aihub-airgap:aihub\.credentials\.jupyterCryptKey: must be 64 lower-case hex/);
        assert.equal(r.registered, 0);
    });
    it("credentials given as secure values in the right format run through", async () => {
        const r = await run(
            (c) => (aihub(c).credentials = { jupyterCryptKey: { secure: "v1:x" } }),
            (v) => (v.aihub.credentials = { jupyterCryptKey: "ab".repeat(32) }),
        );
        assert.deepEqual(r.lines, []);
        assert.ok(r.registered > 40);
    });
    it("a bare key shadowing a namespaced one: zero resources", async () => {
        const r = await run((c) => (c.protectData = false as unknown as Record<string, unknown>));
        assert.deepEqual(r.lines, [
            'aihub-airgap:protectData: is given twice, as "protectData" and as "aihub-airgap:protectData" (keep only aihub-airgap:protectData)',
        ]);
        assert.equal(r.registered, 0);
    });
});

/** A stack file's `config:` as parsed YAML. */
type StackConfig = Record<string, Record<string, unknown>>;

/** Plans the airgap stack edited by `edit` as `stack`; asserts no error and no finding but the not-rendered note. */
async function cleanPlan(stack: string, edit: (config: StackConfig) => void) {
    const doc = parse(fs.readFileSync(path.join(PROJECT_DIR, "Pulumi.airgap.yaml"), "utf8"));
    edit(doc.config);
    fs.writeFileSync(path.join(tmp, `Pulumi.${stack}.yaml`), stringify(doc));
    const plan = await runPlan({ projectDir: tmp, stack });
    assert.deepEqual(plan.errors, []);
    // No chart file in this project, so only the note that the release was not rendered.
    assert.deepEqual(
        plan.findings.map((f) => f.rule),
        ["aihub-render"],
    );
    return plan;
}

describe("issue 10.8: registry.server host:port/project", () => {
    it("plans with no policy finding: every image is inside the project", async () => {
        const stack = "project";
        const plan = await cleanPlan(stack, (config) => {
            config["aihub-airgap:registry"].server = "harbor.airgap.internal:8443/aihub";
        });
        assert.ok(plan.images.every((i) => i.target.startsWith("harbor.airgap.internal:8443/aihub/")));
        assert.ok(plan.resources.length > 40);
    });
});

describe("issue 10.9: aihub.credentials as secure values", () => {
    it("plans with the [secret] placeholders: no format error, no trace", async () => {
        const stack = "secure-creds";
        const plan = await cleanPlan(stack, (config) => {
            config["aihub-airgap:aihub"].credentials = {
                adminPassword: { secure: "v1:a" },
                jupyterCryptKey: { secure: "v1:b" },
                landingPageClientSecret: { secure: "v1:c" },
            };
        });
        assert.ok(plan.resources.length > 40);
    });
});
