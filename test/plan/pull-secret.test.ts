import assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as pulumi from "@pulumi/pulumi";
import { dockerConfigJson, ImagePullSecret, registryHost } from "../../k8s/pull-secret";
import { loadConfig } from "../../config/program";
import { ConfigError } from "../../lib/problems";
import { mockStack, PROJECT_DIR, settle, stackValues } from "../harness";
import { PLATFORM_SPEC } from "../../platform/spec";

describe("ImagePullSecret", () => {
    it("builds a dockerconfigjson keyed by the registry host", () => {
        assert.equal(registryHost("harbor.corp:443/aihub"), "harbor.corp:443");
        assert.deepEqual(JSON.parse(dockerConfigJson("r:5000/p", "u", "p@ss")), {
            auths: { "r:5000": { username: "u", password: "p@ss", auth: Buffer.from("u:p@ss").toString("base64") } },
        });
    });

    it("registers one secret Secret under the component", async () => {
        const rec = await mockStack("unit", {});
        const ps = new ImagePullSecret("ps", {
            namespace: "aihub",
            secretName: "airgap-registry",
            server: "r:5000",
            username: "k8s",
            password: pulumi.secret("s3cret"),
        });
        await settle();
        const [comp] = rec.ofType("aihub-airgap:registry:ImagePullSecret");
        assert.equal(comp.name, "ps");
        const secret = rec.ofType("kubernetes:core/v1:Secret")[0];
        assert.equal(secret.parent, comp.urn);
        assert.equal(secret.inputs.type, "kubernetes.io/dockerconfigjson");
        assert.deepEqual(secret.inputs.metadata, { name: "airgap-registry", namespace: "aihub" });
        assert.deepEqual(secret.secretInputs, ["stringData"]);
        const doc = JSON.parse((secret.inputs.stringData as Record<string, string>)[".dockerconfigjson"]);
        assert.equal(doc.auths["r:5000"].password, "s3cret");
        assert.equal(await new Promise((r) => ps.secretName.apply(r)), "airgap-registry");
    });
});

describe("loadConfig under the runtime", () => {
    it("throws every problem before any resource is registered", async () => {
        const values = stackValues("airgap");
        // eslint-disable-next-line @typescript-eslint/no-explicit-any
        const ceph = values.ceph as any;
        ceph.monCount = 4;
        ceph.replicas = 5;
        const rec = await mockStack("airgap", values, ["registry", "aihub", "ingress"]);
        assert.throws(
            () => loadConfig(PLATFORM_SPEC, { projectDir: PROJECT_DIR, missingFiles: "warn", logWarnings: false }),
            (e: unknown) =>
                e instanceof ConfigError &&
                e.problems.map((p) => p.path).join() === "ceph.monCount,ceph.replicas" &&
                /aihub-airgap:ceph\.replicas: replica size 5 needs 5 hosts/.test(e.message),
        );
        await settle();
        assert.equal(rec.all().length, 0);
    });
});
