/**
 * The explicit Kubernetes provider (`aihub-airgap:kubernetes`): config contract, the provider's inputs, every
 * Kubernetes resource of the platform bound to it (under the recording mocks), and default providers disabled.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, it } from "node:test";
import * as pulumi from "@pulumi/pulumi";
import YAML from "yaml";
import { kubeconfigCopyWarning, loadConfig } from "../../config/program";
import { PRIVATE_TMPDIR_ENV } from "../../lib/private-tmp";
import { buildPlatform } from "../../platform/platform";
import { defaultProviderName, KUBERNETES_PROVIDER_NAME } from "../../k8s/provider";
import { mockStack, PROJECT_DIR, settle, stackValues, type Recorder } from "../harness";
import { airgap, check } from "./helpers";
import { PLATFORM_SPEC } from "../../platform/spec";

async function compose(kubernetes?: Record<string, unknown>): Promise<Recorder> {
    const values = stackValues("airgap");
    if (kubernetes) values.kubernetes = kubernetes;
    const rec = await mockStack("airgap", values, ["registry", "aihub", "ingress"]);
    await pulumi.runtime.runInPulumiStack(async () =>
        buildPlatform(loadConfig(PLATFORM_SPEC, { projectDir: PROJECT_DIR, missingFiles: "warn", logWarnings: false })),
    );
    await settle();
    return rec;
}

describe("explicit Kubernetes provider", () => {
    it("is built from kubernetes.{kubeconfig, context}, and every Kubernetes resource uses it", async () => {
        const rec = await compose({ kubeconfig: "./kube/airgap.yaml", context: "airgap-admin" });
        const [provider] = rec.ofType("pulumi:providers:kubernetes");
        assert.equal(provider.name, KUBERNETES_PROVIDER_NAME);
        assert.deepEqual(provider.inputs, { kubeconfig: "./kube/airgap.yaml", context: "airgap-admin" });
        const k8s = rec.all().filter((r) => r.custom && r.type.startsWith("kubernetes:"));
        assert.ok(k8s.length > 20, `${k8s.length} Kubernetes resources`);
        assert.deepEqual(
            k8s.filter((r) => !r.provider.startsWith(`${provider.urn}::`)).map((r) => r.name),
            [],
        );
        // The wait for Rook's cleanup Jobs talks to the same cluster.
        const wait = rec.byName("ceph-cleanup-wait");
        assert.equal(wait.inputs.kubeconfig, "./kube/airgap.yaml");
        assert.equal(wait.inputs.context, "airgap-admin");
    });

    it("has no inputs when the keys are unset (then $KUBECONFIG and its current context)", async () => {
        const rec = await compose();
        assert.deepEqual(rec.ofType("pulumi:providers:kubernetes")[0].inputs, {});
        assert.equal(rec.byName("ceph-cleanup-wait").inputs.kubeconfig, undefined);
    });

    it("rejects kubeconfig contents, empty values and unknown keys, naming the key", () => {
        const { values } = airgap();
        values.kubernetes = { kubeconfig: "apiVersion: v1\nclusters: []\n", context: "", server: "x" };
        const lines = check(values).lines.filter((l) => l.includes("kubernetes"));
        assert.equal(lines.length, 3, lines.join("\n"));
        assert.match(lines.join("\n"), /aihub-airgap:kubernetes\.kubeconfig: must be a path/);
        assert.match(lines.join("\n"), /aihub-airgap:kubernetes\.context: must not be empty/);
        assert.match(lines.join("\n"), /server/);
    });

    it("warns once when an explicit kubeconfig runs outside a private temporary folder (the provider copies it there)", async () => {
        const w = kubeconfigCopyWarning({ kubeconfig: "./kube/airgap.yaml" }, {}, "/tmp");
        assert.match(w ?? "", /kubernetes\.kubeconfig is set .* \/tmp is not private/);
        assert.match(w ?? "", /client key included/);
        assert.match(w ?? "", /npm run pulumi -- up --stack <stack>/);
        assert.match(w ?? "", /TMPDIR set to a folder only you can read/);
        // No file without an explicit kubeconfig; none outside the private folder the launcher made.
        assert.equal(kubeconfigCopyWarning({ context: "airgap-admin" }, {}, "/tmp"), undefined);
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "private-"));
        try {
            assert.equal(kubeconfigCopyWarning({ kubeconfig: "k" }, { [PRIVATE_TMPDIR_ENV]: dir }, dir), undefined);
            assert.notEqual(
                kubeconfigCopyWarning({ kubeconfig: "k" }, { [PRIVATE_TMPDIR_ENV]: dir }, "/tmp"),
                undefined,
            );
        } finally {
            fs.rmSync(dir, { recursive: true });
        }
        // The program logs it once, beside the config warnings.
        const warnings: string[] = [];
        const warn = pulumi.log.warn;
        (pulumi.log as { warn: (m: string) => Promise<void> }).warn = async (m: string) => void warnings.push(m);
        try {
            const values = stackValues("airgap");
            values.kubernetes = { kubeconfig: "./kube/airgap.yaml" };
            await mockStack("airgap", values, ["registry", "aihub", "ingress"]);
            loadConfig(PLATFORM_SPEC, { projectDir: PROJECT_DIR, missingFiles: "warn" });
        } finally {
            (pulumi.log as { warn: typeof warn }).warn = warn;
        }
        assert.equal(warnings.filter((m) => m.includes("copy of the kubeconfig")).length, 1, warnings.join("\n"));
    });

    it("aliases the default provider a stack made before it used (default_4_25_0), so nothing is replaced", () => {
        assert.equal(defaultProviderName(), "default_4_25_0");
        assert.equal(defaultProviderName("4.34.2"), "default_4_34_2");
    });

    it("Pulumi.yaml disables the default kubernetes provider and declares the key", () => {
        const project = YAML.parse(fs.readFileSync(path.join(PROJECT_DIR, "Pulumi.yaml"), "utf8"));
        assert.deepEqual(project.config["pulumi:disable-default-providers"], { value: ["kubernetes"] });
        assert.equal(project.config.kubernetes.type, "object");
    });
});
