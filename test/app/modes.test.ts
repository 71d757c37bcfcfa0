import * as assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as pulumi from "@pulumi/pulumi";
import { ingressManifest } from "../../modules/aihub/ingress";
import { aihubLayout } from "../../catalog/aihub-layout";
import { getPath } from "../../lib/merge";
import { CA, CERT, custom, scenario } from "./scenario";
import { GENERATED_SECRET_TYPE } from "../../k8s/generated-secret";

const backend = (spec: unknown) => getPath(spec, "rules") as { http: { paths: { backend: unknown }[] } }[];

describe("ingress and certificate Secrets per mode and chart generation", () => {
    it("2024.1.2 http: proxy port 80 over HTTP, no TLS, no certificate Secrets", async () => {
        const rec = await scenario("2024.1.2", "http");
        const ing = custom(rec, "aihub-ingress");
        const spec = ing.inputs.spec as Record<string, unknown>;
        assert.equal(spec.tls, undefined);
        assert.deepEqual(backend(spec)[0].http.paths[0].backend, {
            service: { name: "proxy-svc-pub", port: { number: 80 } },
        });
        const annotations = getPath(ing.inputs, "metadata.annotations") as Record<string, string>;
        assert.equal(annotations["nginx.ingress.kubernetes.io/backend-protocol"], "HTTP");
        assert.equal(rec.ofType("kubernetes:core/v1:Secret").length, 1); // only the pull secret
        const v = custom(rec, "aihub").inputs.values;
        assert.equal(getPath(v, "common.publicUrl"), "http://aihub.airgap.internal");
        assert.equal(getPath(v, "jobagents.repoName"), "registry.airgap.internal:5000/rapidminer/");
        assert.equal(getPath(v, "webApiAgent.repoName"), "registry.airgap.internal:5000/rapidminer/");
    });

    it("10.3.2 https-custom-ca: customca carries chain + CA (the proxy serves it); no publicCert", async () => {
        const rec = await scenario("10.3.2", "https-custom-ca");
        const ca = rec.byName("aihub-custom-ca");
        assert.equal(getPath(ca.inputs, "metadata.name"), "customca");
        assert.deepEqual(ca.inputs.stringData, { "tls.crt": `${CERT.trimEnd()}\n${CA}`, "tls.key": "KEY" });
        assert.equal(rec.all().filter((r) => r.name === "aihub-public-tls").length, 0);
        const v = custom(rec, "aihub").inputs.values;
        assert.deepEqual(getPath(v, "common.customCA"), { enabled: true, tlsSecretName: "customca" });
        assert.equal(getPath(v, "common.publicCert"), undefined);
        assert.ok(rec.dependsOn(custom(rec, "aihub"), ca));
        const spec = custom(rec, "aihub-ingress").inputs.spec;
        assert.deepEqual(backend(spec)[0].http.paths[0].backend, {
            service: { name: "proxy-svc-pub", port: { number: 443 } },
        });
    });

    it("2026.0.2 https-custom-ca: customca is the CA only, publicCert serves the chain", async () => {
        const rec = await scenario("2026.0.2", "https-custom-ca");
        assert.deepEqual(rec.byName("aihub-custom-ca").inputs.stringData, { "tls.crt": CA, "tls.key": "KEY" });
        assert.deepEqual(rec.byName("aihub-public-tls").inputs.stringData, { "tls.crt": CERT, "tls.key": "KEY" });
        const r = custom(rec, "aihub");
        for (const n of ["aihub-custom-ca", "aihub-public-tls", "aihub-public-tls-password"]) {
            assert.ok(rec.dependsOn(r, rec.byName(n)), n);
        }
    });

    it("a credential from secure config replaces its random resource and stays secret", async () => {
        const rec = await scenario("2026.0.2", "https", { adminPassword: pulumi.secret("Given-admin-password-123") });
        assert.equal(rec.ofType(GENERATED_SECRET_TYPE).filter((g) => g.inputs.shape === "password").length, 8);
        assert.equal(rec.all().filter((r) => r.name === "aihub-creds-adminPassword").length, 0);
        const r = custom(rec, "aihub");
        assert.equal(getPath(r.inputs.values, "common.initialPass"), "Given-admin-password-123");
        assert.ok(r.secretInputs.includes("values"));
        const hub = rec.ofType("aihub-airgap:aihub:AiHub")[0];
        assert.equal(hub.outputs?.adminPassword, "Given-admin-password-123");
        assert.deepEqual(hub.secretOutputs, ["adminPassword"]);
    });

    it("the Ingress spec refuses http for a 2025+ chart", () => {
        assert.throws(
            () => ingressManifest(aihubLayout("2025.0.0"), "http", "h", "nginx"),
            /AI Hub 2025\.0\.0 no longer serves plain HTTP/,
        );
        assert.equal(ingressManifest(aihubLayout("2024.1.2"), "http", "h", "nginx").spec.ingressClassName, "nginx");
    });
});
