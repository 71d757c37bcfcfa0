/**
 * The AIStore add-on without a cluster: its section and rules (key paths in every error), the operator chart's
 * values rendered by real helm against the real chart (every image private), the `AIStore` resource against the
 * real v3.4.0 CRD, and the composition under mocks (order, protection, outputs).
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, it } from "node:test";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import YAML from "yaml";
import { isInRegistry } from "../../lib/imageref";
import { buildAddOns } from "../../platform/addons";
import type { PlatformConfig } from "../../platform/contracts";
import type { Storage } from "../../platform/contracts";
import { check, airgap } from "../../test/config/helpers";
import { crdErrors, refFile } from "../../test/helpers/crd";
import { helm } from "../../test/helpers/helm";
import { mockStack, PROJECT_DIR, settle, unwrap } from "../../test/harness";
import { defineAddOn } from "../shared/define";
import { aistore } from "./index";
import { aistoreSpec, endpoints, mountPvs, targetMounts } from "./manifests";
import { aistoreRules } from "./rules";
import { aistoreSchema, type AistoreConfig } from "./schema";
import { operatorValues } from "./values";
import { VENDOR_CHARTS } from "../../test/helpers/vendor-charts";

const REGISTRY = "registry.airgap.internal:5000";
const CRD = refFile("ais-operator", "ais.nvidia.com_aistores-v3.4.0.yaml");
const NODES = [
    { hostname: "worker1", disks: [{ path: "/dev/nvme3n1", size: "100Gi" }] },
    { hostname: "worker2", disks: [{ path: "/dev/nvme3n1", size: "80Gi" }] },
];

function parse(input: Record<string, unknown>): AistoreConfig {
    return aistoreSchema.parse({ chart: "./bundle/charts/ais-operator-3.4.0.tgz", ...input });
}

/** The core sections of the airgap stack plus the given add-on sections. */
function all(addons: Record<string, unknown>): Partial<PlatformConfig> {
    const v = check(airgap().values).config!;
    return { ...v, addons } as Partial<PlatformConfig>;
}

const lines = (s: AistoreConfig, addons: Record<string, unknown> = { certManager: {} }) =>
    aistoreRules(s, all(addons)).errors.map((e) => `${e.path}: ${e.text}`);

describe("addons.aistore config", () => {
    it("parses local disks with defaults, and needs exactly one of nodes or storageClass", () => {
        const s = parse({ nodes: NODES });
        assert.equal(s.version, "3.4.0");
        assert.equal(s.namespace, "ais");
        assert.equal(s.tls, true);
        assert.equal(s.externalLB, false);
        const both = aistoreSchema.safeParse({
            chart: "x.tgz",
            nodes: NODES,
            storageClass: { name: "rook-ceph-block", size: "10Gi" },
        });
        assert.ok(!both.success && both.error.issues.some((i) => i.path.join(".") === "nodes"));
        const bad = aistoreSchema.safeParse({ chart: "x.tgz", nodes: [{ hostname: "w1", disks: [{ path: "sda" }] }] });
        assert.ok(!bad.success);
        assert.deepEqual(bad.error.issues.map((i) => i.path.join(".")).sort(), [
            "nodes.0.disks.0.path",
            "nodes.0.disks.0.size",
        ]);
    });

    it("needs cert-manager, naming both keys", () => {
        const v = check({ ...airgap().values, addons: { aistore: { chart: "x.tgz", nodes: NODES } } });
        assert.ok(
            v.lines.some((l) => l.includes("addons.aistore: needs addons.certManager")),
            v.lines.join("\n"),
        );
        assert.deepEqual(lines(parse({ nodes: NODES })), []);
    });

    it("checks the external LoadBalancers against MetalLB's pool (size + 1 addresses)", () => {
        const s = parse({ nodes: NODES, externalLB: true });
        assert.deepEqual(lines(s), [
            "addons.aistore.externalLB: needs addons.metallb (turn it on or set externalLB: false)",
        ]);
        const two = { certManager: {}, metallb: { addresses: ["10.0.0.10-10.0.0.11"] } };
        assert.match(
            lines(s, two)[0],
            /^addons\.aistore\.externalLB: needs 3 LoadBalancer addresses .* addons\.metallb\.addresses holds 2/,
        );
        assert.deepEqual(lines(s, { certManager: {}, metallb: { addresses: ["10.0.0.8/30"] } }), []);
        const withGateway = {
            certManager: {},
            gateway: {},
            metallb: { addresses: ["10.0.0.10-10.0.0.12", "10.0.1.1/32"] },
        };
        assert.deepEqual(lines(s, withGateway), []);
        const three = { ...withGateway, metallb: { addresses: ["10.0.0.10-10.0.0.12"] } };
        assert.match(lines(s, three)[0], /needs 3 LoadBalancer addresses .* besides the Gateway's, but .* holds 3/);
    });

    it("puts one target per node: more targets than disk nodes, or than workers without disablePodAntiAffinity", () => {
        assert.match(
            lines(parse({ nodes: NODES, size: 3 }))[0],
            /^addons\.aistore\.size: 3 targets need 3 nodes with disks/,
        );
        const sc = { storageClass: { name: "rook-ceph-block", size: "100Gi" } };
        assert.match(
            lines(parse({ ...sc, size: 4 }))[0],
            /^addons\.aistore\.size: 4 targets need 4 nodes .* ceph\.nodes lists 3/,
        );
        assert.deepEqual(lines(parse({ ...sc, size: 4, disablePodAntiAffinity: true })), []);
    });

    it("applies Ceph's disk rules: duplicates, sizes, equal counts, and no disk shared with Ceph", () => {
        const ceph = all({}).ceph!;
        const cephOsd = ceph.nodes[0].osdDisks[0];
        const s = parse({
            nodes: [
                {
                    hostname: "worker1",
                    disks: [
                        { path: "/dev/sdx", size: "100Gi" },
                        { path: "/dev/sdx", size: "512Mi" },
                    ],
                },
                { hostname: "worker1", disks: [{ path: "/dev/sdy", size: "100Gi" }] },
                { hostname: ceph.nodes[0].hostname, disks: [cephOsd, { path: "/dev/sdz", size: "1Gi" }] },
            ],
        });
        const l = lines(s);
        const has = (re: RegExp) =>
            assert.ok(
                l.some((x) => re.test(x)),
                `${re}\n${l.join("\n")}`,
            );
        has(
            /^addons\.aistore\.nodes\[0\]\.disks\[1\]\.path: disk \/dev\/sdx on worker1 is already used by addons\.aistore\.nodes\[0\]\.disks\[0\]/,
        );
        has(/^addons\.aistore\.nodes\[0\]\.disks\[1\]\.size: 512Mi is below 1Gi/);
        has(/^addons\.aistore\.nodes\[1\]\.hostname: "worker1" is listed twice/);
        has(/^addons\.aistore\.nodes\[1\]\.disks: lists 1 disks but addons\.aistore\.nodes\[0\] lists 2/);
        has(
            new RegExp(
                `^addons\\.aistore\\.nodes\\[2\\]\\.disks\\[0\\]\\.path: disk ${cephOsd.path} on ${ceph.nodes[0].hostname} is also ceph\\.nodes\\[0\\]\\.osdDisks\\[0\\]`,
            ),
        );
    });
});

describe("ais-operator chart and AIStore resource", () => {
    it("renders the real chart with every image from the private registry and the webhook's cert-manager objects", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ais-values-"));
        const file = path.join(dir, "values.yaml");
        fs.writeFileSync(file, YAML.stringify(operatorValues("3.4.0", REGISTRY, "airgap-registry")));
        const out = helm([
            "template",
            "ais-operator",
            path.join(VENDOR_CHARTS, "ais-operator-3.4.0.tgz"),
            "-n",
            "ais-operator-system",
            "-f",
            file,
        ]);
        fs.rmSync(dir, { recursive: true });
        const docs = YAML.parseAllDocuments(out)
            .map((d) => d.toJSON() as Record<string, unknown>)
            .filter(Boolean);
        const images = [...out.matchAll(/image: (\S+)/g)].map((m) => m[1]);
        assert.deepEqual(images, [`${REGISTRY}/aistorage/ais-operator:v3.4.0`]);
        assert.ok(images.every((i) => isInRegistry(i, REGISTRY)));
        assert.match(out, /imagePullSecrets: \[\{"name":"airgap-registry"\}\]/);
        // The webhook's serving certificate comes from cert-manager (the chart's own self-signed Issuer), and
        // cert-manager's CA injector fills the webhook's caBundle: the chart needs cert-manager's CRDs and controller.
        const named = (kind: string) =>
            docs.filter((d) => d.kind === kind).map((d) => (d.metadata as { name: string }).name);
        assert.deepEqual(named("Issuer"), ["ais-operator-selfsigned-issuer"]);
        assert.deepEqual(named("Certificate").sort(), ["ais-operator-metrics-certs", "ais-operator-serving-cert"]);
        const hooks = docs.find((d) => d.kind === "ValidatingWebhookConfiguration") as {
            metadata: { annotations: Record<string, string> };
            webhooks: { name: string; failurePolicy: string }[];
        };
        assert.equal(
            hooks.metadata.annotations["cert-manager.io/inject-ca-from"],
            "ais-operator-system/ais-operator-serving-cert",
        );
        assert.deepEqual(
            hooks.webhooks.map((w) => [w.name, w.failurePolicy]),
            [
                ["vaistore.kb.io", "Fail"],
                ["vaistoreauth.kb.io", "Fail"],
                ["vaistoreauthprofile.kb.io", "Fail"],
            ],
        );
        assert.ok(named("CustomResourceDefinition").includes("aistores.ais.nvidia.com"));
    });

    it("builds an AIStore resource the v3.4.0 CRD accepts, for local disks and for a StorageClass", () => {
        const base = { registry: REGISTRY, pullSecretName: "airgap-registry", stateStorageClass: "rook-ceph-block" };
        const local = parse({
            nodes: NODES,
            externalLB: true,
            logSidecar: true,
            targetResources: { requests: { cpu: 2, memory: "8Gi" } },
        });
        const plain = parse({ storageClass: { name: "rook-ceph-block", size: "50Gi", mounts: 2 }, tls: false });
        for (const spec of [
            aistoreSpec({ ...base, section: local, issuer: "aihub-ca" }),
            aistoreSpec({ ...base, section: plain }),
        ]) {
            const obj = {
                apiVersion: "ais.nvidia.com/v1beta1",
                kind: "AIStore",
                metadata: { name: "ais", namespace: "ais" },
                spec,
            };
            assert.deepEqual(crdErrors(CRD, obj), []);
            for (const k of ["nodeImage", "initImage"]) assert.ok(isInRegistry(String(spec[k]), REGISTRY), k);
        }
        const spec = aistoreSpec({ ...base, section: local, issuer: "aihub-ca" });
        assert.equal(spec.nodeImage, `${REGISTRY}/aistorage/aisnode:v4.9`);
        assert.equal(spec.initImage, `${REGISTRY}/aistorage/ais-init:v4.9`);
        assert.deepEqual(spec.logSidecar, { image: `${REGISTRY}/aistorage/ais-logs:v1.2` });
        assert.deepEqual(spec.tls, { certificate: { issuerRef: { name: "aihub-ca", kind: "ClusterIssuer" } } });
        assert.equal(spec.size, 2);
        assert.equal(spec.enableExternalLB, true);
        assert.equal(spec.cleanupData, false);
        // The smallest disk of each mountpath slot is the claim size, so every node's PV can bind it.
        assert.deepEqual(targetMounts(local), [
            {
                path: "/ais/mp0",
                size: "80Gi",
                storageClass: "aistore-local",
                selector: { matchLabels: { "aihub-airgap/ais-mount": "0" } },
            },
        ]);
        assert.deepEqual(
            mountPvs(local)
                .map((p) => [p.name, p.spec.spec])
                .map(([n, s]) => [n, (s as { local: unknown }).local]),
            [
                ["worker1-ais-nvme3n1", { path: "/dev/nvme3n1", fsType: "xfs" }],
                ["worker2-ais-nvme3n1", { path: "/dev/nvme3n1", fsType: "xfs" }],
            ],
        );
        assert.deepEqual(endpoints(plain), {
            ais: "http://ais-proxy.ais.svc.cluster.local:51080",
            s3: "http://ais-proxy.ais.svc.cluster.local:51080/s3",
        });
    });
});

describe("aistore composition", () => {
    it("installs the operator after cert-manager's issuer, awaits the protected AIStore and exports the endpoints and CA", async () => {
        const rec = await mockStack("airgap", {});
        const issuerReady = new k8s.core.v1.ConfigMap("issuer", {});
        const certManager = defineAddOn({
            name: "certManager",
            title: "stand-in",
            requires: [],
            schema: aistoreSchema,
            charts: () => [],
            images: () => [],
            build: () => ({
                component: new pulumi.ComponentResource("test:CertManager", "cert-manager", {}),
                provides: { issuer: { name: "aihub-ca", caCert: pulumi.output("CA PEM"), ready: [issuerReady] } },
            }),
        });
        const cfg = {
            ...check(airgap().values).config!,
            addons: { certManager: {}, aistore: parse({ nodes: NODES }) },
        } as unknown as PlatformConfig;
        const storage = { rwoStorageClass: pulumi.output("rook-ceph-block"), storageClasses: [] } as unknown as Storage;
        const built = buildAddOns(cfg, { storage, kube: {}, projectDir: PROJECT_DIR }, [certManager, aistore]);
        await settle();
        const cr = rec.byName("aistore-cluster");
        const release = rec.byName("aistore-operator");
        assert.ok(rec.dependsOn(release, rec.byName("issuer")), "operator release waits for the issuer");
        assert.ok(rec.dependsOn(cr, release));
        for (const pv of ["worker1-ais-nvme3n1", "worker2-ais-nvme3n1"]) {
            assert.ok(rec.dependsOn(cr, rec.byName(pv)));
            assert.equal(rec.byName(pv).protect, true);
        }
        assert.equal(cr.protect, true);
        assert.deepEqual((cr.inputs.metadata as { annotations: unknown }).annotations, {
            "pulumi.com/waitFor": "jsonpath={.status.state}=Ready",
        });
        assert.deepEqual(crdErrors(CRD, cr.inputs as { kind: string }), []);
        assert.equal(
            await unwrap(pulumi.output(built.outputs.aistoreS3Endpoint)),
            "https://ais-proxy.ais.svc.cluster.local:51080/s3",
        );
        assert.equal(await unwrap(pulumi.output(built.outputs.aistoreCaCert)), "CA PEM");
    });
});
