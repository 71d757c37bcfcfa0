import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { listStacks, parseStackFile, readStackFile, SECRET_PLACEHOLDER } from "../../config/stackfile";
import { PROJECT_DIR } from "../harness";

describe("stack file reader", () => {
    it("replaces secure values with placeholders and records their paths", () => {
        const sf = parseStackFile(
            [
                "encryptionsalt: v1:abc",
                "config:",
                "  aihub-airgap:registry:",
                "    server: r:5000",
                "    password: { secure: 'v1:xyz' }",
                "  aihub-airgap:aihub:",
                "    credentials:",
                "      initialPass: { secure: 'v1:q' }",
                "  kubernetes:context: prod",
                "  protectData: false",
            ].join("\n"),
            "Pulumi.t.yaml",
        );
        assert.deepEqual(sf.values, {
            registry: { server: "r:5000", password: SECRET_PLACEHOLDER },
            aihub: { credentials: { initialPass: SECRET_PLACEHOLDER } },
            protectData: false,
        });
        assert.deepEqual([...sf.securePaths].sort(), ["aihub.credentials.initialPass", "registry.password"]);
        assert.deepEqual(sf.otherKeys, { "kubernetes:context": "prod" });
    });
    it("reads top-level scalars as Pulumi writes them (strings) the way the program sees them", () => {
        // Found by the real engine: `pulumi config set` rewrote `protectData: false` as `"false"`, which plan rejected.
        const sf = parseStackFile(
            ["config:", '  aihub-airgap:protectData: "false"', '  aihub-airgap:note: "plain text"'].join("\n"),
            "Pulumi.t.yaml",
        );
        assert.deepEqual(sf.values, { protectData: false, note: "plain text" });
    });
    it("reads the committed stacks with their secrets encrypted", () => {
        assert.deepEqual(listStacks(PROJECT_DIR), ["airgap", "lab", "research"]);
        assert.deepEqual([...readStackFile(PROJECT_DIR, "airgap").securePaths].sort(), [
            "ingress.tlsKey",
            "registry.password",
        ]);
        assert.deepEqual([...readStackFile(PROJECT_DIR, "lab").securePaths].sort(), [
            "ingress.tlsKey",
            "registry.password",
        ]);
        assert.deepEqual([...readStackFile(PROJECT_DIR, "research").securePaths].sort(), [
            "addons.jupyterhub.auth.clientSecret",
            "ingress.tlsKey",
            "registry.password",
        ]);
    });
    it("names the file and the known stacks when a stack does not exist", () => {
        assert.throws(
            () => readStackFile(PROJECT_DIR, "prod"),
            /Pulumi\.prod\.yaml: does not exist .*pick one of: airgap, lab, research/,
        );
    });
    it("names the file on malformed YAML", () => {
        assert.throws(
            () => parseStackFile("config: [", "Pulumi.bad.yaml"),
            /^YamlFileError: Pulumi\.bad\.yaml:1:10: not valid YAML: Flow sequence/,
        );
    });
});
