/** The bundle's SBOM: validated against the real CycloneDX 1.6 JSON schema, with what it must list. */
import assert from "node:assert/strict";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as zlib from "node:zlib";
import { after, before, describe, test } from "node:test";
import { chartMeta } from "../../pipeline/chart-meta";
import { readManifest, recordedSource, type BundleManifest } from "../../pipeline/manifest";
import { buildSbom, integrityHashes, npmPurl, ociPurl, type LockPackage, type Sbom } from "../../pipeline/sbom";
import { sealBundle, sealSummary } from "../../pipeline/seal";
import { PROJECT_DIR } from "../harness";
import { cyclonedxErrors } from "../helpers/cyclonedx";
import { smallBundle } from "../helpers/signing";

const lockPackages = (
    JSON.parse(fs.readFileSync(path.join(PROJECT_DIR, "package-lock.json"), "utf8")) as {
        packages: Record<string, LockPackage>;
    }
).packages;
const D1 = `sha256:${"a".repeat(64)}`;
const D2 = `sha256:${"d".repeat(64)}`;

let work: string;
let out: string;
let sbom: Sbom;
before(async () => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), "aihub-sbom-"));
    out = path.join(work, "bundle");
    await smallBundle(out);
    const m = readManifest(out)!;
    const image = (source: string, target: string) => ({
        kind: "image" as const,
        name: source,
        source,
        target,
        digest: D1,
        mediaType: "application/vnd.oci.image.index.v1+json",
        size: 10,
        path: "images" as const,
        blobs: [{ digest: D1, size: 10 }],
    });
    const manifest: BundleManifest = {
        ...m,
        artifacts: [
            image("quay.io/ceph/ceph:v19.2.3", "registry.airgap.internal:5000/ceph/ceph:v19.2.3"),
            {
                ...image(
                    `quay.io/ceph/ceph:sha256-${"a".repeat(64)}.sig`,
                    `registry.airgap.internal:5000/ceph/ceph:sha256-${"a".repeat(64)}.sig`,
                ),
                digest: D2,
                mediaType: "application/vnd.oci.image.manifest.v1+json",
                attached: { to: "quay.io/ceph/ceph:v19.2.3", kind: "sig" as const },
            },
            image(`docker.io/library/busybox@${D1}`, `registry.airgap.internal:5000/library/busybox@${D1}`),
            {
                ...image("docker.io/library/alpine:3", "registry.airgap.internal:5000/library/alpine:3"),
                mediaType: "application/vnd.oci.image.manifest.v1+json",
            },
            ...m.artifacts,
            {
                kind: "cli",
                name: "pulumi-v3.248.0-linux-x64.tar.gz",
                source: "https://get.pulumi.com/releases/sdk/pulumi-v3.248.0-linux-x64.tar.gz",
                path: "pulumi/pulumi-v3.248.0-linux-x64.tar.gz",
                sha256: "c".repeat(64),
                size: 10,
            },
        ],
    };
    const chart = m.artifacts.find((a) => a.kind === "chart")!;
    sbom = buildSbom({
        manifest,
        lockPackages,
        tool: { name: "aihub-airgap", version: "0.1.0", description: "d" },
        charts: { [chart.path]: chartMeta(fs.readFileSync(path.join(out, chart.path)), chart.path) },
        serialNumber: `urn:uuid:${crypto.randomUUID()}`,
    });
});
after(() => fs.rmSync(work, { recursive: true, force: true }));

const byRef = (ref: string) => sbom.components.find((c) => c["bom-ref"] === ref)!;
const prop = (c: { properties?: { name: string; value: string }[] }, name: string) =>
    c.properties?.find((p) => p.name === name)?.value;

describe("sbom.cdx.json", () => {
    test("is a valid CycloneDX 1.6 document, and the validator rejects a broken one", () => {
        assert.deepEqual(cyclonedxErrors(sbom), []);
        const broken = structuredClone(sbom) as unknown as { components: { type: string }[] };
        broken.components[0].type = "helm-chart";
        assert.ok(cyclonedxErrors(broken).some((e) => e.startsWith("/components/0/type")));
    });

    test("images carry the pkg:oci purl with the digest, the upstream and the private reference", () => {
        const ceph = byRef("image quay.io/ceph/ceph:v19.2.3");
        assert.equal(ceph.type, "container");
        assert.equal(ceph.purl, `pkg:oci/ceph@sha256%3A${"a".repeat(64)}?repository_url=quay.io/ceph/ceph&tag=v19.2.3`);
        assert.deepEqual(ceph.hashes, [{ alg: "SHA-256", content: "a".repeat(64) }]);
        assert.equal(prop(ceph, "aihub-airgap:upstream"), "quay.io/ceph/ceph:v19.2.3");
        assert.equal(prop(ceph, "aihub-airgap:private"), "registry.airgap.internal:5000/ceph/ceph:v19.2.3");
        const busybox = byRef(`image docker.io/library/busybox@${D1}`);
        assert.equal(
            busybox.purl,
            `pkg:oci/busybox@sha256%3A${"a".repeat(64)}?repository_url=docker.io/library/busybox`,
        );
        assert.equal(busybox.version, D1);
    });

    test("an image links the signatures carried for it; a single-platform image's purl names its arch", () => {
        const ceph = byRef("image quay.io/ceph/ceph:v19.2.3");
        assert.deepEqual(ceph.externalReferences, [
            {
                type: "digital-signature",
                url: `registry.airgap.internal:5000/ceph/ceph:sha256-${"a".repeat(64)}.sig`,
                comment: `sig carried from quay.io/ceph/ceph:sha256-${"a".repeat(64)}.sig`,
                hashes: [{ alg: "SHA-256", content: "d".repeat(64) }],
            },
        ]);
        assert.equal(
            sbom.components.filter((c) => c.name.includes("sha256-")).length,
            0,
            "a signature is no component of its own",
        );
        assert.equal(
            byRef("image docker.io/library/alpine:3").purl,
            `pkg:oci/alpine@sha256%3A${"a".repeat(64)}?arch=amd64&repository_url=docker.io/library/alpine&tag=3`,
        );
        assert.ok(!ceph.purl!.includes("arch="), "an index holds several platforms");
    });

    test("npm packages depend on what they require, resolved as Node.js does; development ones are excluded", () => {
        const deps = new Map(sbom.dependencies.map((d) => [d.ref, d.dependsOn]));
        const ajv = [...deps.keys()].find((r) => r.startsWith("pkg:npm/ajv@8."))!;
        assert.ok(
            deps.get(ajv)!.some((r) => r.startsWith("pkg:npm/fast-deep-equal@")),
            JSON.stringify(deps.get(ajv)),
        );
        const refs = new Set(sbom.components.map((c) => c["bom-ref"]));
        const dangling = sbom.dependencies.flatMap((d) => [d.ref, ...d.dependsOn]).filter((r) => !refs.has(r));
        assert.deepEqual(
            dangling.filter((r) => r !== "aihub-airgap"),
            [],
        );
        // A package nested under another's node_modules is the one its parent gets, not the top one.
        const nested = Object.entries(lockPackages).find(
            ([k, p]) => /node_modules\/.+\/node_modules\//.test(k) && !p.link && p.version,
        );
        if (nested) {
            const [key, p] = nested;
            const parentKey = key.slice(0, key.lastIndexOf("/node_modules/"));
            const parent = lockPackages[parentKey];
            const name = key.slice(key.lastIndexOf("node_modules/") + 13);
            const parentRef = npmPurl(
                parent.name ?? parentKey.slice(parentKey.lastIndexOf("node_modules/") + 13),
                parent.version!,
            );
            if ({ ...parent.dependencies }[name])
                assert.ok(deps.get(parentRef)!.includes(npmPurl(name, p.version!)), key);
        }
        const lib = byRef("pkg:npm/%40cyclonedx/cyclonedx-library@10.3.0");
        assert.equal(lib.scope, "excluded");
        assert.equal(byRef("pkg:npm/zod@4.6.7").scope, "required");
    });

    test("the chart's name and version come from its Chart.yaml; the plugin and the extra file are listed", () => {
        const chart = byRef("chart charts/ceph-csi-drivers-1.0.4.tgz");
        assert.deepEqual([chart.name, chart.version], ["ceph-csi-drivers", "1.0.4"]);
        assert.match(chart.purl!, /^pkg:generic\/ceph-csi-drivers@1\.0\.4\?checksum=sha256%3A[a-f0-9]{64}$/);
        const sum = readManifest(out)!.artifacts.find((a) => a.kind === "chart")!;
        assert.deepEqual(chart.hashes, [{ alg: "SHA-256", content: "sha256" in sum ? sum.sha256 : "" }]);
        const plugin = byRef("plugin plugins/pulumi-resource-kubernetes-v4.25.0-linux-amd64.tar.gz");
        assert.deepEqual([plugin.name, plugin.version], ["pulumi-resource-kubernetes", "4.25.0"]);
        assert.equal(prop(plugin, "aihub-airgap:platform"), "linux/amd64");
        assert.match(
            plugin.purl!,
            /^pkg:generic\/pulumi-resource-kubernetes@4\.25\.0\?checksum=sha256%3A[a-f0-9]{64}&download_url=https%3A%2F%2Fexample\.com%2Fp\.tar\.gz$/,
        );
        assert.deepEqual(plugin.externalReferences, [{ type: "distribution", url: "https://example.com/p.tar.gz" }]);
        assert.equal(byRef("file files/images.txt").type, "file");
    });

    test("the Pulumi CLI archive is an application with its version, platform and download address", () => {
        const cli = byRef("cli pulumi/pulumi-v3.248.0-linux-x64.tar.gz");
        assert.deepEqual([cli.type, cli.name, cli.version], ["application", "pulumi", "3.248.0"]);
        assert.equal(prop(cli, "aihub-airgap:kind"), "cli");
        assert.equal(prop(cli, "aihub-airgap:platform"), "linux/amd64");
        assert.equal(
            cli.purl,
            `pkg:generic/pulumi@3.248.0?checksum=sha256%3A${"c".repeat(64)}&download_url=https%3A%2F%2Fget.pulumi.com%2Freleases%2Fsdk%2Fpulumi-v3.248.0-linux-x64.tar.gz`,
        );
        assert.deepEqual(cli.hashes, [{ alg: "SHA-256", content: "c".repeat(64) }]);
        assert.deepEqual(cli.externalReferences, [
            { type: "distribution", url: "https://get.pulumi.com/releases/sdk/pulumi-v3.248.0-linux-x64.tar.gz" },
        ]);
        assert.ok(sbom.dependencies[0].dependsOn.includes(cli["bom-ref"]));
    });

    test("every npm package of package-lock.json, once per name and version, with purl and integrity hash", () => {
        const installed = new Set(
            Object.entries(lockPackages)
                .filter(([k, p]) => k && !p.link)
                .map(([k, p]) => `${p.name ?? k.split("node_modules/").pop()}@${p.version}`),
        );
        const npm = sbom.components.filter((c) => c.purl?.startsWith("pkg:npm/"));
        assert.equal(npm.length, installed.size);
        assert.ok(installed.size > 100, `${installed.size}`);
        const zod = byRef("pkg:npm/zod@4.6.7");
        assert.equal(zod.hashes![0].alg, "SHA-512");
        assert.equal(zod.hashes![0].content.length, 128);
        assert.equal(prop(zod, "cdx:npm:package:development"), undefined);
        assert.deepEqual(zod.licenses, [{ expression: "MIT" }]);
        const tail = sbom.components.find((c) => c.group === "@logdna" && c.name === "tail-file")!;
        assert.deepEqual(tail.licenses, [{ license: { name: "SEE LICENSE IN LICENSE" } }], "not an SPDX expression");
        const lib = byRef("pkg:npm/%40cyclonedx/cyclonedx-library@10.3.0");
        assert.deepEqual([lib.group, lib.name], ["@cyclonedx", "cyclonedx-library"]);
        assert.equal(prop(lib, "cdx:npm:package:development"), "true");
    });

    test("the tool is metadata.component and depends on what the bundle carries and its direct packages", () => {
        assert.deepEqual(sbom.metadata.component, {
            type: "application",
            "bom-ref": "aihub-airgap",
            name: "aihub-airgap",
            version: "0.1.0",
            description: "d",
        });
        const deps = sbom.dependencies[0];
        assert.equal(deps.ref, "aihub-airgap");
        for (const ref of [
            "image quay.io/ceph/ceph:v19.2.3",
            "pkg:npm/%40pulumi/pulumi@3.248.0",
            "pkg:npm/ajv@8.17.1",
        ]) {
            assert.ok(deps.dependsOn.includes(ref), ref);
        }
        const refs = new Set(sbom.components.map((c) => c["bom-ref"]));
        assert.equal(refs.size, sbom.components.length, "bom-refs are unique");
        assert.deepEqual(
            deps.dependsOn.filter((r) => !refs.has(r)),
            [],
        );
    });

    test("local sources are recorded relative to the checkout, never as a bastion path", () => {
        const home = path.join(os.tmpdir(), "proj");
        assert.equal(recordedSource(path.join(home, "charts", "rook.tgz"), home), "charts/rook.tgz");
        assert.equal(recordedSource("charts/rook.tgz", home), "charts/rook.tgz");
        assert.equal(recordedSource(path.join(os.tmpdir(), "elsewhere", "x.tgz"), home), "x.tgz");
        assert.equal(recordedSource("../x.tgz", home), "x.tgz");
        const sources = readManifest(out)!.artifacts.map((a) => a.source);
        assert.deepEqual(
            sources.filter((s) => path.isAbsolute(s)),
            [],
        );
    });

    test("purls follow the purl spec's own examples", () => {
        assert.equal(
            ociPurl("docker.io/library/debian:latest", `sha256:${"b".repeat(64)}`),
            `pkg:oci/debian@sha256%3A${"b".repeat(64)}?repository_url=docker.io/library/debian&tag=latest`,
        );
        assert.equal(npmPurl("@angular/animation", "12.3.1"), "pkg:npm/%40angular/animation@12.3.1");
        const sha512 = crypto.createHash("sha512").update("abc").digest();
        assert.deepEqual(integrityHashes(`sha512-${sha512.toString("base64")} md5-x`), [
            { alg: "SHA-512", content: sha512.toString("hex") },
        ]);
    });

    test("bundle writes the SBOM, records its sha256 in bundle.json and counts it in the summary", async () => {
        const r = await sealBundle(out, PROJECT_DIR);
        const m = readManifest(out)!;
        const rec = m.artifacts.at(-1)!;
        assert.equal(`${rec.kind} ${rec.path}`, "sbom sbom.cdx.json");
        const text = fs.readFileSync(path.join(out, "sbom.cdx.json"));
        assert.equal("sha256" in rec && rec.sha256, crypto.createHash("sha256").update(text).digest("hex"));
        assert.deepEqual(cyclonedxErrors(JSON.parse(text.toString())), []);
        assert.equal(fs.existsSync(path.join(out, "bundle.json.sig")), false);
        // Chart, plugin, file and verify.cjs besides the npm packages.
        const npm = r.sbom.components.length - 4;
        assert.match(
            sealSummary(r),
            new RegExp(
                `^unsigned \\(no --sign-key; verify\\.cjs sha256:[a-f0-9]{64}\\); checkout [a-f0-9]{12}( with uncommitted changes)? \\(\\d+ files, sha256:[a-f0-9]{64}\\); sbom\\.cdx\\.json: ${npm + 4} components \\(0 images, 1 charts, 1 plugins, 0 Pulumi CLI archives, 1 files, ${npm} npm packages\\)$`,
            ),
        );
        await sealBundle(out, PROJECT_DIR);
        assert.equal(readManifest(out)!.artifacts.filter((a) => a.kind === "sbom").length, 1, "a re-run replaces it");
    });

    test("a file that is no chart archive is named", () => {
        assert.throws(
            () => chartMeta(Buffer.from("not gzip"), "charts/x.tgz"),
            /charts\/x\.tgz is not a gzipped chart/,
        );
        assert.throws(
            () => chartMeta(zlib.gzipSync(Buffer.alloc(1024)), "charts/y.tgz"),
            /charts\/y\.tgz has no <chart>\/Chart\.yaml/,
        );
    });
});
