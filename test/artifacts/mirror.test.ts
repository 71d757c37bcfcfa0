/**
 * RegistryMirror in the composition (mock runtime): the push resource, its secret password, the bundle hash that
 * re-runs it, and the releases waiting for it. One scenario per file (mocks are per process).
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { before, describe, test } from "node:test";
import * as pulumi from "@pulumi/pulumi";
import { sha256 } from "../../lib/digest";
import { BUNDLE_PUSH_TYPE } from "../../modules/mirror/bundle-push";
import { loadConfig } from "../../config/program";
import { PLATFORM_SPEC } from "../../platform/spec";
import { buildPlatform } from "../../platform/platform";
import { bundleManifestHash } from "../../platform/mirror";
import { mockStack, PROJECT_DIR, settle, stackValues, type Recorder, type Registration } from "../harness";

const bundleDir = fs.mkdtempSync(path.join(os.tmpdir(), "mirror-bundle-"));
const manifestText = '{"format":1}\n';
let rec: Recorder;

before(async () => {
    fs.writeFileSync(path.join(bundleDir, "bundle.json"), manifestText);
    const values = stackValues("airgap");
    (values.bundle as Record<string, unknown>).path = bundleDir;
    (values.registry as Record<string, unknown>).password = "registry-pass-123";
    rec = await mockStack("airgap", values, ["registry", "aihub", "ingress"]);
    await pulumi.runtime.runInPulumiStack(async () =>
        buildPlatform(loadConfig(PLATFORM_SPEC, { projectDir: PROJECT_DIR, missingFiles: "warn", logWarnings: false })),
    );
    await settle();
});

describe("pure helpers", () => {
    test("bundleManifestHash is the sha256 of bundle.json, or missing", () => {
        assert.equal(bundleManifestHash(bundleDir), sha256(manifestText));
        assert.equal(bundleManifestHash(path.join(bundleDir, "nope")), "missing");
    });
});

describe("RegistryMirror in the airgap stack", () => {
    test("one push resource under the component, the password only as a secret input", () => {
        const [mirror] = rec.ofType("aihub-airgap:registry:RegistryMirror");
        assert.equal(rec.ofType("aihub-airgap:registry:RegistryMirror").length, 1);
        const pushes = rec.ofType(BUNDLE_PUSH_TYPE);
        assert.equal(pushes.length, 1);
        const push = pushes[0];
        assert.equal(push.parent, mirror.urn);
        assert.equal(push.name, "registry-mirror-push");
        assert.deepEqual(push.inputs, {
            bundlePath: bundleDir,
            stack: "airgap",
            parallel: 4,
            bundleSha256: sha256(manifestText),
            password: "registry-pass-123",
            // The stack sets no bundle.publicKey; a key set there reaches the push's inputs (a new key pushes again).
            publicKey: "",
        });
        assert.deepEqual(push.secretInputs, ["password"]);
        assert.deepEqual(push.additionalSecretOutputs, ["password"]);
    });

    test("every helm release waits for the push, directly or through another release", () => {
        const [mirror] = rec.ofType("aihub-airgap:registry:RegistryMirror");
        const byUrn = new Map(rec.all().map((r) => [r.urn, r]));
        const waits = (r: Registration, seen = new Set<string>()): boolean => {
            if (seen.has(r.urn)) return false;
            seen.add(r.urn);
            return rec.dependsOn(r, mirror) || r.deps.some((d) => byUrn.has(d) && waits(byUrn.get(d)!, seen));
        };
        const releases = rec.ofType("kubernetes:helm.sh/v3:Release");
        assert.deepEqual(releases.map((r) => r.name).sort(), ["aihub", "rook-csi-drivers", "rook-rook-ceph"]);
        for (const r of releases) assert.ok(waits(r), `${r.name} does not wait for the registry mirror`);
        // The two releases that pull first depend on it directly; rook-csi-drivers waits for rook-rook-ceph.
        const direct = releases.filter((r) => rec.dependsOn(r, mirror)).map((r) => r.name);
        assert.deepEqual(direct.sort(), ["aihub", "rook-rook-ceph"]);
    });
});
