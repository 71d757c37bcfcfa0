/**
 * Referrers found only through the OCI 1.1 referrers API (test/helpers/referrers-front.ts: a docker-registry with
 * the API in front and the fallback tag hidden): an upstream image has two artifacts whose `subject` is its digest
 * (a signature and an SBOM, pushed by digest, no tag). The bundle asks the API, follows its pages, carries both
 * under the fallback tag's index, verify checks them, and push puts the index and both artifacts beside the private
 * copy of the image, where a registry without the API serves them under the fallback tag.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe, test } from "node:test";
import { buildBundle, type BundleOptions } from "../../pipeline/bundle";
import { referrersIndex } from "../../pipeline/carry-attached";
import { sha256 } from "../../lib/digest";
import { DistributionClient } from "../../pipeline/distribution";
import { walkImages } from "../../pipeline/layout";
import { IMAGES_DIR, imageArtifacts, type BundleManifest } from "../../pipeline/manifest";
import { pushBundle } from "../../pipeline/push";
import { verifyBundle } from "../../pipeline/verify";
import { startUpstream, type Upstream } from "../fixtures/images/upstream";
import { startReferrersFront, type ReferrersFront } from "../helpers/referrers-front";
import { startRegistry, type TestRegistry } from "../helpers/registry";

const AUTH = { username: "pusher", password: "push-secret-3" };
const OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";

/** Pushes, by digest only, an artifact manifest of `artifactType` whose subject is `subject`; returns its descriptor. */
async function putReferrer(host: string, repo: string, subject: object, artifactType: string, payload: string) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "aihub-referrer-"));
    const blob = (mediaType: string, bytes: Buffer) => {
        const digest = `sha256:${sha256(bytes)}`;
        fs.mkdirSync(path.join(dir, "blobs", "sha256"), { recursive: true });
        fs.writeFileSync(path.join(dir, "blobs", "sha256", digest.slice(7)), bytes);
        return { mediaType, digest, size: bytes.length };
    };
    const layer = blob(artifactType, Buffer.from(payload));
    const config = blob("application/vnd.oci.empty.v1+json", Buffer.from("{}"));
    const doc = { schemaVersion: 2, mediaType: OCI_MANIFEST, artifactType, config, layers: [layer], subject };
    const bytes = Buffer.from(JSON.stringify(doc));
    const digest = `sha256:${sha256(bytes)}`;
    const client = new DistributionClient({ server: host, tlsVerify: false });
    try {
        for (const b of [layer, config]) await client.ensureBlob(repo, b.digest, b.size, dir);
        await client.putManifest(repo, digest, OCI_MANIFEST, bytes);
    } finally {
        client.close();
        fs.rmSync(dir, { recursive: true, force: true });
    }
    return { mediaType: OCI_MANIFEST, digest, size: bytes.length, artifactType };
}

describe("referrers found only through the referrers API", () => {
    let work: string;
    let up: Upstream;
    let front: ReferrersFront;
    let priv: TestRegistry;
    let bundle: string;
    let manifest: BundleManifest;
    let image: { source: string; repo: string; digest: string };
    let referrers: { digest: string }[];
    const lines: string[] = [];
    const options = (out: string, more: Partial<BundleOptions> = {}) => ({
        stack: "t",
        platforms: ["linux/amd64"],
        charts: [],
        upstreamTlsVerify: false,
        out,
        registry: priv.host,
        images: [image.source],
        upstreamMirrors: { [up.registry.host]: front.host },
        write: (l: string) => lines.push(l),
        ...more,
    });

    before(async () => {
        work = fs.mkdtempSync(path.join(os.tmpdir(), "aihub-referrers-"));
        up = await startUpstream(work, 0.02);
        front = await startReferrersFront(up.registry.host);
        priv = await startRegistry(work, { tls: true, auth: AUTH });
        const source = up.refs[2];
        const repo = source.slice(up.registry.host.length + 1).split(":")[0];
        const raw = spawnSync("skopeo", ["inspect", "--raw", "--tls-verify=false", `docker://${source}`]).stdout;
        const digest = `sha256:${sha256(raw)}`;
        image = { source, repo, digest };
        const subject = { mediaType: JSON.parse(raw.toString()).mediaType, digest, size: raw.length };
        referrers = [
            await putReferrer(up.registry.host, repo, subject, "application/vnd.dev.sigstore.bundle.v0.3+json", "{}"),
            await putReferrer(up.registry.host, repo, subject, "application/vnd.cyclonedx+json", '{"bomFormat":1}'),
        ];
        // What the registry keeps for its referrers API; the front serves it only through the API.
        const index = referrersIndex(referrers);
        const client = new DistributionClient({ server: up.registry.host, tlsVerify: false });
        try {
            await client.putManifest(
                repo,
                `sha256-${digest.slice(7)}`,
                "application/vnd.oci.image.index.v1+json",
                index,
            );
        } finally {
            client.close();
        }
        bundle = path.join(work, "bundle");
        ({ manifest } = await buildBundle(options(bundle)));
    });

    after(async () => {
        await Promise.all([up?.registry.stop(), priv?.stop(), front?.stop()]);
        fs.rmSync(work, { recursive: true, force: true });
    });

    test("the client joins the API's pages; a registry without the API yields nothing", async () => {
        const client = new DistributionClient({ server: front.host, tlsVerify: false });
        const plain = new DistributionClient({ server: up.registry.host, tlsVerify: false });
        try {
            const listed = await client.referrers(image.repo, image.digest);
            assert.deepEqual(
                listed?.manifests.map((m) => (m as { digest: string }).digest),
                referrers.map((r) => r.digest),
            );
            assert.equal(await plain.referrers(image.repo, image.digest), undefined);
        } finally {
            client.close();
            plain.close();
        }
    });

    test("the bundle carries both referrers under the fallback tag's index, asked through the API", () => {
        const images = imageArtifacts(manifest);
        assert.equal(images.length, 2, images.map((a) => a.source).join(", "));
        const [, index] = images;
        const tag = `sha256-${image.digest.slice(7)}`;
        assert.deepEqual(index.attached, { to: image.source, kind: "referrers" });
        assert.equal(index.source, `${up.registry.host}/${image.repo}:${tag}`);
        assert.equal(index.target, `${priv.host}/${image.repo}:${tag}`);
        const stored = JSON.parse(
            fs.readFileSync(path.join(bundle, "images", "blobs", "sha256", index.digest.slice(7)), "utf8"),
        );
        assert.deepEqual(
            stored.manifests.map((m: { digest: string }) => m.digest),
            referrers.map((r) => r.digest),
        );
        for (const r of referrers) {
            assert.ok(
                index.blobs.some((b) => b.digest === r.digest),
                `${r.digest} is not among the index's blobs`,
            );
        }
        assert.ok(
            front.referrersRequests.some((l) => l.includes("page=1")),
            "the second page was not asked",
        );
        assert.ok(
            lines.some((l) => l.includes("upstream: 1 referrers index carried")),
            lines.join("\n"),
        );
        assert.ok(
            lines.some((l) => l.includes("(from the referrers API)")),
            lines.join("\n"),
        );
    });

    test("verify checks them, and --no-signatures asks no API", async () => {
        assert.deepEqual((await verifyBundle(bundle)).problems, []);
        const asked = front.referrersRequests.length;
        const r = await buildBundle(options(path.join(work, "plain"), { signatures: false }));
        assert.equal(imageArtifacts(r.manifest).length, 1);
        assert.equal(front.referrersRequests.length, asked);
    });

    test("push puts the index and both artifacts beside the private image", async () => {
        const r = await pushBundle({
            dir: bundle,
            manifest,
            images: walkImages(path.join(bundle, IMAGES_DIR), imageArtifacts(manifest)),
            registry: { server: priv.host, ...AUTH, caCert: priv.caCert },
            write: () => {},
        });
        assert.deepEqual(r.failed, []);
        const client = new DistributionClient({ server: priv.host, ...AUTH, caCert: priv.caCert });
        try {
            const index = imageArtifacts(manifest)[1];
            assert.equal(await client.manifestDigest(image.repo, `sha256-${image.digest.slice(7)}`), index.digest);
            for (const ref of referrers) assert.equal(await client.manifestDigest(image.repo, ref.digest), ref.digest);
        } finally {
            client.close();
        }
    });
});
