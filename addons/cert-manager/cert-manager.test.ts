/**
 * cert-manager: the CA in config checked by key, the rules for an issued AI Hub certificate, the CRs against the real
 * CRDs, the real chart, the generated CA and AI Hub's certificates in the composition.
 */
import * as assert from "node:assert/strict";
import { X509Certificate, createPrivateKey } from "node:crypto";
import { before, describe, it } from "node:test";
import { parseAllDocuments } from "yaml";
import { certificateSpec } from "../../k8s/routes";
import { SELF_SIGNED_CERTIFICATE_TYPE, selfSignedProvider } from "../../k8s/self-signed-certificate";
import { isInRegistry } from "../../lib/imageref";
import { airgap, check } from "../../test/config/helpers";
import { crdErrors, refFile } from "../../test/helpers/crd";
import { helm } from "../../test/helpers/helm";
import { vendorChart } from "../../test/helpers/vendor-charts";
import { composePlatform, type Registration } from "../../test/harness";
import { CERT_MANAGER_CATALOG } from "./catalog";
import { caClusterIssuer } from "./manifests";
import { certManagerValues } from "./values";

const REGISTRY = "registry.airgap.internal:5000";
const CHART = "./bundle/charts/cert-manager-v1.21.1.tgz";
type Pair = { cert: string; key: string };
let ca: Pair;
let otherCa: Pair;
let leaf: Pair;

const generate = async (isCa: boolean): Promise<Pair> =>
    (await selfSignedProvider.create({ commonName: isCa ? "Test CA" : "leaf.example", isCa })).outs as Pair;

before(async () => {
    [ca, otherCa, leaf] = await Promise.all([generate(true), generate(true), generate(false)]);
});

/** The airgap stack with the add-on on; `issue` drops the site certificate and key. */
function stack(section: Record<string, unknown>, opts: { issue?: boolean; secretKey?: boolean } = {}) {
    const { values, secure } = airgap();
    values.addons = { certManager: { chart: CHART, ...section } };
    if (opts.issue) {
        const ingress = values.ingress as Record<string, unknown>;
        delete ingress.tlsCert;
        delete ingress.tlsKey;
    }
    if (opts.secretKey ?? true) secure.add("addons.certManager.ca.key");
    return { values, secure };
}

describe("cert-manager config", () => {
    it("accepts a CA key pair and the defaults", () => {
        const { values, secure } = stack({ ca: { cert: ca.cert, key: ca.key } });
        const v = check(values, secure);
        assert.deepEqual(v.lines, []);
        const s = v.config!.addons.certManager!;
        assert.deepEqual(
            { ...s, ca: { cert: s.ca!.cert } },
            {
                chart: CHART,
                version: "v1.21.1",
                namespace: "cert-manager",
                issuerName: "aihub-ca",
                ca: { cert: ca.cert },
            },
        );
    });

    it("names a certificate that is no CA and a key of another CA by key, never echoing the key", () => {
        const notCa = stack({ ca: { cert: leaf.cert, key: leaf.key } });
        const lines = check(notCa.values, notCa.secure).lines;
        assert.ok(
            lines.some((l) =>
                /^aihub-airgap:addons\.certManager\.ca\.cert: certificate 1 \(CN=leaf\.example\) is not a CA/.test(l),
            ),
            lines.join("\n"),
        );
        const mismatch = stack({ ca: { cert: ca.cert, key: otherCa.key } });
        const m = check(mismatch.values, mismatch.secure).lines;
        assert.deepEqual(
            m.filter((l) => l.includes("addons.certManager.ca")),
            [
                "aihub-airgap:addons.certManager.ca.key: does not belong to the first certificate of addons.certManager.ca.cert (pulumi config set --secret --path addons.certManager.ca.key < ca-key.pem)",
            ],
        );
        const garbage = stack({ ca: { cert: ca.cert, key: "not a key" } });
        assert.ok(
            check(garbage.values, garbage.secure).lines.some((l) =>
                l.startsWith("aihub-airgap:addons.certManager.ca.key: is not a PEM private key"),
            ),
        );
        const all = [...lines, ...m].join("\n");
        assert.ok(!all.includes(otherCa.key.split("\n")[1]));
    });

    it("refuses the CA key in plain text and a private key pasted into the certificate field", () => {
        const plain = stack({ ca: { cert: ca.cert, key: ca.key } }, { secretKey: false });
        assert.ok(
            check(plain.values, plain.secure).lines.some((l) =>
                l.startsWith("aihub-airgap:addons.certManager.ca.key:"),
            ),
        );
        const pasted = stack({ ca: { cert: ca.key, key: ca.key } });
        assert.ok(
            check(pasted.values, pasted.secure).lines.some((l) =>
                l.includes(
                    "addons.certManager.ca.cert: holds a private key (it belongs in the secret addons.certManager.ca.key",
                ),
            ),
        );
    });

    it("lets the issuer replace ingress.tlsCert, with the rules an issued certificate needs", () => {
        const ok = stack({}, { issue: true });
        assert.deepEqual(check(ok.values, ok.secure).lines, []);
        const https = stack({}, { issue: true });
        (https.values.ingress as Record<string, unknown>).mode = "https";
        assert.ok(
            check(https.values, https.secure).lines.some((l) =>
                l.startsWith("aihub-airgap:ingress.mode: https trusts only public CAs, and without ingress.tlsCert"),
            ),
        );
        const keyOnly = stack({}, { issue: true });
        (keyOnly.values.ingress as Record<string, unknown>).tlsKey = "[secret]";
        assert.ok(
            check(keyOnly.values, keyOnly.secure).lines.some((l) =>
                l.startsWith("aihub-airgap:ingress.tlsKey: is set without ingress.tlsCert"),
            ),
        );
        const old = stack({}, { issue: true });
        Object.assign(old.values.aihub as Record<string, unknown>, { version: "2024.1.2", chart: "./x-2024.1.2.tgz" });
        assert.ok(
            check(old.values, old.secure).lines.some((l) =>
                l.startsWith(
                    "aihub-airgap:addons.certManager: issues AI Hub's certificate only for AI Hub 2025.0 and later",
                ),
            ),
        );
        const off = airgap();
        delete (off.values.ingress as Record<string, unknown>).tlsCert;
        assert.ok(
            check(off.values, off.secure).lines.includes(
                "aihub-airgap:ingress.tlsCert: mode https-custom-ca needs the full-chain PEM certificate (set ingress.tlsCert, or turn on addons.certManager to issue one)",
            ),
        );
    });
});

describe("cert-manager resources", () => {
    it("the ClusterIssuer and a Certificate are valid for the v1.21.1 CRDs", () => {
        const issuer = caClusterIssuer("aihub-ca", "aihub-ca");
        assert.deepEqual(crdErrors(refFile("cert-manager", "cert-manager.io_clusterissuers-v1.21.1.yaml"), issuer), []);
        const certificate = {
            apiVersion: "cert-manager.io/v1",
            kind: "Certificate",
            metadata: { name: "aihub-public-tls" },
            spec: certificateSpec("aihub.example.com", "aihub-public-tls", "aihub-ca"),
        };
        assert.deepEqual(
            crdErrors(refFile("cert-manager", "cert-manager.io_certificates-v1.21.1.yaml"), certificate),
            [],
        );
    });

    it("the real chart with the values names only private images, the ACME solver argument included", () => {
        const values = certManagerValues({ version: "v1.21.1", registry: REGISTRY, pullSecretName: "pull" });
        const out = helm(["template", "cm", vendorChart("cert-manager-v1.21.1.tgz"), "-f", "-"], {
            input: JSON.stringify(values),
        });
        type Rendered = {
            kind?: string;
            metadata?: { name: string };
            imagePullSecrets?: unknown;
            spec?: {
                template?: {
                    spec: {
                        imagePullSecrets?: unknown;
                        serviceAccountName?: string;
                        containers: { image: string; args?: string[] }[];
                    };
                };
            };
        };
        const docs = parseAllDocuments(out).map((d) => d.toJS() as Rendered);
        const pods = docs.filter((d) => d?.spec?.template);
        const refs = pods.flatMap((p) =>
            p.spec!.template!.spec.containers.flatMap((c) => [
                c.image,
                ...(c.args ?? [])
                    .filter((a) => a.startsWith("--acme-http01-solver-image="))
                    .map((a) => a.split("=")[1]),
            ]),
        );
        assert.equal(refs.length, 5);
        assert.deepEqual(
            refs.filter((r) => !isInRegistry(r, REGISTRY)),
            [],
        );
        assert.deepEqual(
            new Set(refs),
            new Set(Object.values(CERT_MANAGER_CATALOG["v1.21.1"]).map((i) => i.replace("quay.io", REGISTRY))),
        );
        // The real chart puts `global.imagePullSecrets` on its ServiceAccounts, not on the Deployments' pods (the Job
        // has both): the API server's ServiceAccount admission copies them into each pod it creates, so every pod
        // pulls with the Secret either way.
        const accounts = new Map(
            docs.filter((d) => d?.kind === "ServiceAccount").map((d) => [d.metadata!.name, d.imagePullSecrets]),
        );
        for (const p of pods) {
            const spec = p.spec!.template!.spec;
            const secrets = spec.imagePullSecrets ?? accounts.get(spec.serviceAccountName ?? "default");
            assert.deepEqual(secrets, [{ name: "pull" }], p.metadata?.name);
        }
    });

    it("generates a CA once: a CA certificate with its key, kept when only the provider changes", async () => {
        const c = new X509Certificate(ca.cert);
        assert.ok(c.ca && c.checkPrivateKey(createPrivateKey(ca.key)) && c.verify(c.publicKey));
        assert.ok(!new X509Certificate(leaf.cert).ca);
        const same = { commonName: "Test CA", isCa: true };
        assert.deepEqual(await selfSignedProvider.diff!("id", same, same), {
            changes: false,
            replaces: [],
            deleteBeforeReplace: false,
        });
    });
});

describe("cert-manager in the stack", () => {
    const find = (rec: { all(): Registration[] }, type: string, name: string) =>
        rec.all().find((r) => r.type === type && r.name === name)!;

    it("issues AI Hub's certificates from the ClusterIssuer when the stack gives none, the CA as the custom CA", async () => {
        const { values } = stack({}, { issue: true });
        const { rec } = await composePlatform("airgap", values);
        const issuer = find(rec, "kubernetes:cert-manager.io/v1:ClusterIssuer", "cert-manager-issuer");
        const release = find(rec, "kubernetes:helm.sh/v3:Release", "cert-manager");
        assert.ok(rec.dependsOn(issuer, release));
        const certs = rec.ofType("kubernetes:cert-manager.io/v1:Certificate");
        assert.deepEqual(certs.map((c) => (c.inputs.metadata as { name: string }).name).sort(), [
            "aihub-ingress-tls",
            "aihub-public-tls",
        ]);
        for (const c of certs) {
            assert.ok(rec.dependsOn(c, issuer), c.name);
            assert.deepEqual((c.inputs.metadata as { annotations: unknown }).annotations, {
                "pulumi.com/waitFor": "condition=Ready",
            });
        }
        const aihub = find(rec, "kubernetes:helm.sh/v3:Release", "aihub");
        assert.ok(rec.dependsOn(aihub, find(rec, "kubernetes:cert-manager.io/v1:Certificate", "aihub-public-tls")));
        const secrets = rec
            .ofType("kubernetes:core/v1:Secret")
            .map((s) => (s.inputs.metadata as { name: string }).name);
        assert.ok(!secrets.includes("aihub-ingress-tls") && !secrets.includes("aihub-public-tls"));
        const customCa = find(rec, "kubernetes:core/v1:Secret", "aihub-custom-ca");
        const generated = find(rec, SELF_SIGNED_CERTIFICATE_TYPE, "cert-manager-ca");
        assert.ok(generated, "the CA is generated");
        const data = customCa.inputs.stringData as Record<string, string>;
        assert.ok(customCa.secretInputs.some((p) => p.startsWith("stringData")));
        assert.ok(data["tls.crt"].trimEnd().endsWith((values.ingress as { caCert: string }).caCert.trimEnd()));
        const caSecret = find(rec, "kubernetes:core/v1:Secret", "cert-manager-ca");
        assert.ok(caSecret.secretInputs.some((p) => p.startsWith("stringData")));
    });

    it("with the gateway add-on: the site certificate is issued beside the Gateway, AI Hub trusts the issuer's CA", async () => {
        const { values } = stack({}, { issue: true });
        const ingress = values.ingress as Record<string, unknown>;
        delete ingress.mode;
        delete ingress.caCert;
        (values.addons as Record<string, unknown>).gateway = { chart: "./bundle/charts/gateway-helm-v1.9.0.tgz" };
        const { rec } = await composePlatform("airgap", values);
        const site = find(rec, "kubernetes:cert-manager.io/v1:Certificate", "gateway-tls");
        assert.deepEqual(site.inputs.metadata, {
            name: "aihub-ingress-tls",
            namespace: "gateway",
            annotations: { "pulumi.com/waitFor": "condition=Ready" },
        });
        assert.ok(rec.dependsOn(find(rec, "kubernetes:gateway.networking.k8s.io/v1:Gateway", "gateway"), site));
        // No ingress.caCert: the issuer's CA alone is AI Hub's custom CA and the Gateway's trust for the proxy.
        const customCa = find(rec, "kubernetes:core/v1:Secret", "aihub-custom-ca");
        assert.ok(customCa, "the custom CA Secret exists");
        const aihub = find(rec, "kubernetes:helm.sh/v3:Release", "aihub");
        const common = (aihub.inputs.values as { common: { customCA: { enabled: boolean } } }).common;
        assert.equal(common.customCA.enabled, true);
        const caMap = find(rec, "kubernetes:core/v1:ConfigMap", "aihub-route-ca");
        assert.match((caMap.inputs.data as Record<string, string>)["ca.crt"], /^-----BEGIN CERTIFICATE-----/);
    });

    it("keeps the site certificate when the stack gives one", async () => {
        const { values } = stack({});
        const { rec } = await composePlatform("airgap", values);
        assert.deepEqual(rec.ofType("kubernetes:cert-manager.io/v1:Certificate"), []);
        assert.ok(find(rec, "kubernetes:core/v1:Secret", "aihub-ingress-tls"));
    });
});
