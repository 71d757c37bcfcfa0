import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { before, describe, it } from "node:test";
import { getPath } from "../../lib/merge";
import { chartDefaultSecrets } from "../../modules/aihub/values";
import { postRenderScript } from "../../modules/aihub/postrender-script";
import { PROJECT_DIR, type Recorder, type Registration } from "../harness";
import { REGISTRY } from "./fixtures";
import { CERT, custom as customOf, scenario } from "./scenario";
import { GENERATED_SECRET_TYPE } from "../../k8s/generated-secret";

let rec: Recorder;
const byType = (t: string) => rec.all().filter((r) => r.type === t);
const custom = (name: string): Registration => customOf(rec, name);
const release = (): Registration => custom("aihub");

describe("AiHub 2026.0.2, https", () => {
    before(async () => {
        rec = await scenario("2026.0.2", "https");
    });

    it("namespace and pull secret in it", () => {
        assert.deepEqual(rec.byName("aihub-ns").inputs.metadata, {
            name: "aihub",
            labels: { "app.kubernetes.io/part-of": "aihub" },
        });
        const secret = custom("aihub-pull");
        assert.equal(rec.all().find((r) => r.urn === secret.parent)?.type, "aihub-airgap:registry:ImagePullSecret");
        assert.equal(getPath(secret.inputs, "metadata.name"), "airgap-registry");
        assert.equal(getPath(secret.inputs, "metadata.namespace"), "aihub");
    });

    it("the release: local chart, namespace, long timeout, post-renderer, protected, values secret", () => {
        const r = release();
        assert.equal(r.type, "kubernetes:helm.sh/v3:Release");
        assert.equal(r.inputs.chart, "./bundle/charts/rapidminer-aihub-2026.0.2.tgz");
        assert.equal(r.inputs.name, "rapidminer-aihub");
        assert.equal(r.inputs.namespace, "aihub");
        assert.equal(r.inputs.createNamespace, false);
        assert.equal(r.inputs.timeout, 1800);
        const script = postRenderScript({ registry: REGISTRY });
        assert.equal(r.inputs.postrender, script.path);
        assert.match(script.path, /^\.\/\.aihub-airgap\/postrender-[0-9a-f]{12}\.cjs$/);
        const file = path.join(PROJECT_DIR, script.path);
        assert.equal(fs.readFileSync(file, "utf8"), script.content, "the program writes the script it names");
        assert.ok(fs.statSync(file).mode & 0o100, "the post-renderer must be executable");
        assert.equal(r.protect, true);
        assert.deepEqual(r.customTimeouts, { create: "40m", update: "40m", delete: "20m" });
        assert.ok(r.secretInputs.includes("values"), `secret inputs: ${r.secretInputs.join(", ")}`);
    });

    it("release depends on both StorageClasses, the pull secret and the certificate Secrets; ingress on the release", () => {
        const r = release();
        for (const n of ["sc-rwx", "sc-rwo", "aihub-pull", "aihub-public-tls", "aihub-public-tls-password"]) {
            assert.ok(rec.dependsOn(r, custom(n)), `release → ${n}`);
        }
        const ingress = custom("aihub-ingress");
        assert.ok(rec.dependsOn(ingress, r), "ingress → release");
        assert.ok(rec.dependsOn(ingress, rec.byName("aihub-ingress-tls")), "ingress → its TLS secret");
    });

    it("values: registry, storage classes from the StorageClass resources, vendor file under, no chart default", () => {
        const v = release().inputs.values as Record<string, unknown>;
        assert.equal(getPath(v, "common.dockerURL"), `${REGISTRY}/rapidminer/`);
        assert.equal(getPath(v, "grafana.repoName"), `${REGISTRY}/grafana/`);
        assert.equal(getPath(v, "common.imagePullSecret"), "airgap-registry");
        assert.equal(getPath(v, "storage.defaultStorageClassRWX"), "rook-cephfs");
        assert.equal(getPath(v, "storage.defaultStorageClassRWO"), "rook-ceph-block");
        assert.equal(getPath(v, "common.timeZone"), "Europe/Berlin");
        assert.equal(getPath(v, "common.publicCert.tlsSecretName"), "aihub-public-tls");
        assert.deepEqual(chartDefaultSecrets(v), []);
        assert.match(getPath(v, "jupyterHub.cryptKey") as string, /^[0-9a-f]{64}$/);
        assert.match(getPath(v, "grafana.ssoClientSecret") as string, /^[0-9a-f-]{36}$/);
        assert.match(getPath(v, "common.initialPass") as string, /^[A-Za-z0-9]{32}$/);
    });

    it("20 generated credentials: 9 passwords, 1 hex key, 10 UUIDs; each value a secret output", () => {
        const gen = byType(GENERATED_SECRET_TYPE);
        const shape = (s: string) => gen.filter((g) => g.inputs.shape === s);
        assert.equal(gen.length, 20);
        assert.equal(shape("password").length, 9);
        assert.equal(shape("hex64").length, 1);
        assert.equal(shape("uuid").length, 10);
        for (const g of gen) assert.deepEqual(g.additionalSecretOutputs, ["value"]);
        for (const p of shape("password")) assert.equal(p.inputs.length, 32);
        assert.equal(shape("hex64")[0].name, "aihub-creds-jupyterCryptKey");
        assert.equal(shape("uuid")[0].inputs.length, undefined);
    });

    it("outputs: URL, admin user, namespace plain; admin password and credentials secret", () => {
        const hub = rec.all().find((r) => r.type === "aihub-airgap:aihub:AiHub")!;
        assert.equal(hub.outputs?.url, "https://aihub.airgap.internal");
        assert.equal(hub.outputs?.adminUser, "admin");
        assert.equal(hub.outputs?.namespace, "aihub");
        assert.match(hub.outputs?.adminPassword as string, /^[A-Za-z0-9]{32}$/);
        assert.deepEqual(hub.secretOutputs, ["adminPassword"]);
        const creds = rec.byName("aihub-creds");
        assert.deepEqual(creds.secretOutputs?.sort(), ["adminPassword", "values"]);
    });

    it("certificate Secrets: TLS key secret; password file present; no customca in https mode", () => {
        const tls = rec.byName("aihub-public-tls");
        assert.equal(tls.inputs.type, "kubernetes.io/tls");
        assert.deepEqual(tls.inputs.stringData, { "tls.crt": CERT, "tls.key": "KEY" });
        assert.deepEqual(tls.secretInputs, ["stringData"]);
        assert.deepEqual(rec.byName("aihub-public-tls-password").inputs.stringData, { "password.txt": "" });
        assert.equal(rec.all().filter((r) => r.name === "aihub-custom-ca").length, 0);
    });

    it("ingress: host, class, TLS secret, backend proxy-svc-pub:443 over HTTPS", () => {
        const ing = custom("aihub-ingress");
        assert.equal(ing.type, "kubernetes:networking.k8s.io/v1:Ingress");
        assert.equal(getPath(ing.inputs, "metadata.namespace"), "aihub");
        const annotations = getPath(ing.inputs, "metadata.annotations") as Record<string, string>;
        assert.equal(annotations["nginx.ingress.kubernetes.io/backend-protocol"], "HTTPS");
        const spec = ing.inputs.spec as Record<string, unknown>;
        assert.equal(spec.ingressClassName, "nginx");
        assert.deepEqual(spec.tls, [{ hosts: ["aihub.airgap.internal"], secretName: "aihub-ingress-tls" }]);
        assert.deepEqual(spec.rules, [
            {
                host: "aihub.airgap.internal",
                http: {
                    paths: [
                        {
                            path: "/",
                            pathType: "Prefix",
                            backend: { service: { name: "proxy-svc-pub", port: { number: 443 } } },
                        },
                    ],
                },
            },
        ]);
        const tls = rec.byName("aihub-ingress-tls");
        assert.deepEqual(tls.inputs.stringData, { "tls.crt": CERT, "tls.key": "KEY" });
        assert.deepEqual(tls.secretInputs, ["stringData"]);
    });
});
