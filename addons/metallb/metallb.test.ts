/** MetalLB: address blocks, config errors by key, CRs against the real CRDs, the real chart, the composition. */
import { ADMISSION_READY_TYPE } from "../../k8s/admission-ready";
import * as assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseAllDocuments } from "yaml";
import { isInRegistry } from "../../lib/imageref";
import { catalogImages } from "../../platform/inventory";
import { airgap, check } from "../../test/config/helpers";
import { crdErrors, refFile } from "../../test/helpers/crd";
import { helm } from "../../test/helpers/helm";
import { vendorChart } from "../../test/helpers/vendor-charts";
import { composePlatform } from "../../test/harness";
import { addressCount, overlaps, parseAddressBlock } from "../../lib/ip-blocks";
import { metallbImages } from "./catalog";
import { metallbManifests } from "./manifests";
import { metallbSchema } from "./schema";
import { metallbValues } from "./values";

const REGISTRY = "registry.airgap.internal:5000";
const CHART = "./bundle/charts/metallb-0.16.1.tgz";
const BGP = {
    myASN: 64512,
    peers: [
        { address: "10.0.0.1", asn: 64513 },
        { address: "fd00::1", asn: 64514 },
    ],
};

function withMetalLb(section: Record<string, unknown>) {
    const { values, secure } = airgap();
    values.addons = { metallb: { chart: CHART, ...section } };
    return check(values, secure);
}

describe("MetalLB address blocks", () => {
    it("parses ranges and CIDRs of both families and counts their addresses", () => {
        assert.deepEqual(parseAddressBlock("192.168.10.240-192.168.10.250"), {
            family: 4,
            first: 0xc0a80af0n,
            last: 0xc0a80afan,
        });
        assert.deepEqual(parseAddressBlock("10.0.0.0/30"), { family: 4, first: 0x0a000000n, last: 0x0a000003n });
        const v6 = parseAddressBlock("fd00::a-fd00:0:0:0:0:0:0:f");
        assert.deepEqual(v6, { family: 6, first: (0xfd00n << 112n) + 10n, last: (0xfd00n << 112n) + 15n });
        assert.equal(addressCount(["192.168.10.240-192.168.10.250", "10.0.0.0/30", "fd00::/126"]), 11 + 4 + 4);
        assert.equal(addressCount(["fd00::/64"]), Number.MAX_SAFE_INTEGER);
    });

    it("says what is wrong with a block", () => {
        const err = (t: string) => (parseAddressBlock(t) as { error: string }).error;
        assert.match(err("10.0.0.9-10.0.0.1"), /starts after it ends/);
        assert.match(err("10.0.0.1-fd00::1"), /mixes IPv4 and IPv6/);
        assert.match(err("10.0.0.256/32"), /neither a range nor a CIDR/);
        assert.match(err("10.0.0.1/24"), /host bits set \(write the network address: 10\.0\.0\.0\/24\)/);
        assert.match(err("10.0.0.0/33"), /longer than 32 bits/);
        assert.match(err("10.0.0.1"), /neither a range nor a CIDR/);
    });

    it("finds overlaps within a family only", () => {
        assert.deepEqual(overlaps(["10.0.0.0/29", "10.0.0.7-10.0.0.9", "fd00::/120", "10.0.1.0/24"]), [
            { index: 1, other: 0 },
        ]);
    });
});

describe("MetalLB config", () => {
    it("accepts a pool and fills the defaults", () => {
        const v = withMetalLb({ addresses: ["192.168.10.240/28"] });
        assert.deepEqual(v.lines, []);
        assert.deepEqual(v.config?.addons.metallb, {
            chart: CHART,
            version: "0.16.1",
            namespace: "metallb-system",
            poolName: "aihub",
            addresses: ["192.168.10.240/28"],
            l2: true,
        });
    });

    it("names bad, reversed and overlapping blocks by their key path", () => {
        const v = withMetalLb({ addresses: ["10.0.0.0/24", "10.0.0.200-10.0.0.100", "10.0.0.5-10.0.1.5", "x"] });
        const at = (n: number) => v.lines.filter((l) => l.startsWith(`aihub-airgap:addons.metallb.addresses[${n}]:`));
        assert.match(at(1).join(), /starts after it ends/);
        assert.match(at(2).join(), /overlaps addresses\[0\] "10\.0\.0\.0\/24"/);
        assert.match(at(3).join(), /neither a range nor a CIDR/);
        assert.equal(v.config, undefined);
    });

    it("refuses an empty pool, an unknown version, a bad peer and a pool nobody announces", () => {
        const lines = [
            ...withMetalLb({ addresses: [] }).lines,
            ...withMetalLb({ addresses: ["10.0.0.0/30"], version: "0.15.0" }).lines,
            ...withMetalLb({ addresses: ["10.0.0.0/30"], bgp: { myASN: 0, peers: [{ address: "r1", asn: 1 }] } }).lines,
            ...withMetalLb({ addresses: ["10.0.0.0/30"], l2: false }).lines,
        ];
        for (const key of ["addresses", "version", "bgp.myASN", "bgp.peers[0].address", "l2"]) {
            assert.ok(
                lines.some((l) => l.startsWith(`aihub-airgap:addons.metallb.${key}:`)),
                `${key}:\n${lines.join("\n")}`,
            );
        }
    });
});

describe("MetalLB resources", () => {
    it("the pool, advertisements and BGP peers are valid for the v0.16.1 CRDs", () => {
        const s = metallbSchema.parse({ chart: CHART, addresses: ["10.0.0.0/30", "fd00::/126"], bgp: BGP });
        const objects = metallbManifests(s);
        assert.deepEqual(
            objects.map((o) => `${o.apiVersion} ${o.kind} ${o.metadata.name}`),
            [
                "metallb.io/v1beta1 IPAddressPool aihub",
                "metallb.io/v1beta1 L2Advertisement aihub",
                "metallb.io/v1beta2 BGPPeer peer-1",
                "metallb.io/v1beta2 BGPPeer peer-2",
                "metallb.io/v1beta1 BGPAdvertisement aihub",
            ],
        );
        for (const o of objects) {
            const file = refFile("metallb", `metallb.io_${o.kind.toLowerCase()}s-v0.16.1.yaml`);
            assert.deepEqual(crdErrors(file, { ...o }), [], o.kind);
        }
        assert.deepEqual(
            crdErrors(refFile("metallb", "metallb.io_bgppeers-v0.16.1.yaml"), { ...objects[2], spec: { peerASN: 1 } }),
            ["/spec must have required property 'myASN'"],
        );
    });

    for (const bgp of [false, true]) {
        it(`the real chart with the values runs only private images, each pod with the pull Secret (bgp ${bgp})`, () => {
            const values = metallbValues({ version: "0.16.1", registry: REGISTRY, pullSecretName: "pull", bgp });
            const out = helm(["template", "metallb", vendorChart("metallb-0.16.1.tgz"), "-f", "-"], {
                input: JSON.stringify(values),
            });
            const pods = parseAllDocuments(out)
                .map((d) => d.toJS() as { kind?: string; spec?: { template?: { spec: Record<string, unknown> } } })
                .filter((d) => d?.spec?.template);
            const images = pods.flatMap((p) =>
                (["initContainers", "containers"] as const).flatMap((k) =>
                    ((p.spec!.template!.spec[k] ?? []) as { image: string }[]).map((c) => c.image),
                ),
            );
            assert.deepEqual(
                images.filter((i) => !isInRegistry(i, REGISTRY)),
                [],
            );
            assert.equal(
                images.some((i) => i.includes("frr")),
                bgp,
            );
            for (const p of pods) assert.deepEqual(p.spec!.template!.spec.imagePullSecrets, [{ name: "pull" }]);
            const catalog = new Set(metallbImages("0.16.1", bgp).map((i) => i.replace("quay.io", REGISTRY)));
            assert.deepEqual(new Set(images), catalog);
        });
    }
});

describe("MetalLB in the stack", () => {
    it("installs the release, waits for the webhook certificate, then the pool; the bundle carries its images", async () => {
        const { values } = airgap();
        values.addons = { metallb: { chart: CHART, addresses: ["10.0.0.0/30"] } };
        const { rec, cfg } = await composePlatform("airgap", values);
        const release = rec.ofType("kubernetes:helm.sh/v3:Release").find((r) => r.name === "metallb")!;
        const cert = rec.byName("metallb-webhook-cert");
        const pool = rec.byName("metallb-ipaddresspool-aihub");
        assert.equal(cert.type, "kubernetes:core/v1:SecretPatch");
        assert.deepEqual((cert.inputs.metadata as { annotations: unknown }).annotations, {
            "pulumi.com/waitFor": "jsonpath={.data['ca.crt']}",
        });
        assert.ok(rec.dependsOn(cert, release));
        assert.ok(rec.dependsOn(pool, cert) && rec.dependsOn(rec.byName("metallb-l2advertisement-aihub"), cert));
        // ...and until the webhook admits a dry run of the pool, asked where the explicit provider points.
        const admitted = rec.byName("metallb-webhook-ready");
        assert.equal(admitted.type, ADMISSION_READY_TYPE);
        assert.ok(rec.dependsOn(admitted, cert) && rec.dependsOn(pool, admitted));
        assert.ok(rec.dependsOn(rec.byName("metallb-l2advertisement-aihub"), admitted));
        assert.equal(admitted.inputs.path, "/apis/metallb.io/v1beta1/namespaces/metallb-system/ipaddresspools");
        assert.deepEqual(admitted.inputs.object, { ...pool.inputs, metadata: pool.inputs.metadata });
        assert.equal(admitted.inputs.kubeconfig, cfg.kubernetes.kubeconfig);
        assert.equal((release.inputs.values as { frrk8s: { enabled: boolean } }).frrk8s.enabled, false);
        assert.ok(
            rec.dependsOn(
                release,
                rec.ofType("kubernetes:core/v1:Secret").find((r) => r.name === "metallb-pull")!,
            ),
        );
        assert.deepEqual(
            catalogImages(cfg).filter((i) => i.includes("metallb")),
            ["quay.io/metallb/controller:v0.16.1", "quay.io/metallb/speaker:v0.16.1"],
        );
    });
});
