/**
 * Digests survive the bundle for every manifest format: an upstream docker-registry serves the same generated
 * images as Docker v2s2 and as OCI, each as a single manifest and as a two-platform list/index, referenced by tag
 * and by digest. The bundle must record the upstream digest and the push must store exactly that digest.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, test } from "node:test";
import { buildBundle } from "../../pipeline/bundle";
import { sha256 } from "../../lib/digest";
import { walkImages } from "../../pipeline/layout";
import { IMAGES_DIR, imageArtifacts, type BundleManifest } from "../../pipeline/manifest";
import { pushBundle } from "../../pipeline/push";
import { pushReference } from "../../pipeline/push-refs";
import { generateImages } from "../fixtures/images/generate";
import { startRegistry, type TestRegistry } from "../helpers/registry";

const MEDIA = {
    v2s2: {
        manifest: "application/vnd.docker.distribution.manifest.v2+json",
        list: "application/vnd.docker.distribution.manifest.list.v2+json",
    },
    oci: { manifest: "application/vnd.oci.image.manifest.v1+json", list: "application/vnd.oci.image.index.v1+json" },
};

let work: string;
let up: TestRegistry;
let priv: TestRegistry;
let manifest: BundleManifest;
/** Upstream reference → the digest the bundle and the push must keep. */
const expected = new Map<string, string>();
/** Upstream reference → the manifest media type upstream serves for it. */
const media = new Map<string, string>();

function raw(ref: string): Buffer {
    return execFileSync("skopeo", ["inspect", "--raw", "--tls-verify=false", `docker://${ref}`]);
}

function copy(format: "v2s2" | "oci", layout: string, name: string, ref: string) {
    execFileSync("skopeo", [
        "copy",
        "-q",
        `--format=${format}`,
        "--dest-tls-verify=false",
        `oci:${layout}:${name}`,
        `docker://${ref}`,
    ]);
}

/** PUTs a list/index over the registry API (skopeo cannot assemble one); its instances are already in the repo. */
async function putList(repo: string, format: "v2s2" | "oci", instances: { ref: string; arch: string }[]) {
    const body = JSON.stringify({
        schemaVersion: 2,
        mediaType: MEDIA[format].list,
        manifests: instances.map((i) => {
            const m = raw(i.ref);
            return {
                mediaType: MEDIA[format].manifest,
                digest: `sha256:${sha256(m)}`,
                size: m.length,
                platform: { architecture: i.arch, os: "linux" },
            };
        }),
    });
    const res = await fetch(`http://${up.host}/v2/${repo}/manifests/1`, {
        method: "PUT",
        headers: { "content-type": MEDIA[format].list },
        body,
    });
    assert.equal(res.status, 201, await res.text());
    return `sha256:${sha256(body)}`;
}

before(async () => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), "aihub-digests-"));
    up = await startRegistry(work);
    priv = await startRegistry(work);
    const layout = path.join(work, "generated");
    generateImages(layout, 0.02);
    for (const format of ["v2s2", "oci"] as const) {
        const single = `${up.host}/fmt/${format}-single:1`;
        copy(format, layout, "library/base:1", single);
        const d = `sha256:${sha256(raw(single))}`;
        expected.set(single, d);
        expected.set(`${up.host}/fmt/${format}-single@${d}`, d);
        media.set(single, MEDIA[format].manifest);
        media.set(`${up.host}/fmt/${format}-single@${d}`, MEDIA[format].manifest);

        const repo = `fmt/${format}-list`;
        copy(format, layout, "library/base:1", `${up.host}/${repo}:amd64`);
        copy(format, layout, "apps/web:1.0", `${up.host}/${repo}:arm64`);
        const list = await putList(repo, format, [
            { ref: `${up.host}/${repo}:amd64`, arch: "amd64" },
            { ref: `${up.host}/${repo}:arm64`, arch: "arm64" },
        ]);
        // By tag with one platform the bundle carries that platform's manifest (upstream's amd64 instance);
        // by digest it carries the whole list, so the pinned digest holds.
        expected.set(`${up.host}/${repo}:1`, `sha256:${sha256(raw(`${up.host}/${repo}:amd64`))}`);
        media.set(`${up.host}/${repo}:1`, MEDIA[format].manifest);
        expected.set(`${up.host}/${repo}@${list}`, list);
        media.set(`${up.host}/${repo}@${list}`, MEDIA[format].list);
    }
    const r = await buildBundle({
        out: path.join(work, "bundle"),
        stack: "digests",
        registry: priv.host,
        platforms: ["linux/amd64"],
        images: [...expected.keys()],
        charts: [],
        upstreamTlsVerify: false,
        write: () => {},
    });
    manifest = r.manifest;
});

after(async () => {
    await Promise.all([up?.stop(), priv?.stop()]);
    if (work) fs.rmSync(work, { recursive: true, force: true });
});

test("bundle.json records the upstream digest and media type of every format, by tag and by digest", () => {
    const images = imageArtifacts(manifest);
    assert.equal(images.length, 8);
    for (const [ref, digest] of expected) {
        const a = images.find((i) => i.source === ref);
        assert.ok(a, ref);
        assert.equal(a.digest, digest, ref);
        assert.equal(a.mediaType, media.get(ref), ref);
    }
});

test("the push stores every image under the upstream digest", async () => {
    const r = await pushBundle({
        dir: path.join(work, "bundle"),
        manifest,
        images: walkImages(path.join(work, "bundle", IMAGES_DIR), imageArtifacts(manifest)),
        registry: { server: priv.host, tlsVerify: false },
        write: () => {},
    });
    assert.deepEqual(r.failed, []);
    // A single manifest by digest is already there once its tag was pushed (same repository, same digest).
    assert.equal(r.copied.length + r.skipped.length, 8);
    for (const [ref, digest] of expected) {
        const pushed = raw(pushReference(ref, priv.host));
        assert.equal(`sha256:${sha256(pushed)}`, digest, ref);
    }
    // Digest-pinned references resolve in the private registry too.
    for (const ref of [...expected.keys()].filter((k) => k.includes("@"))) {
        assert.equal(`sha256:${sha256(raw(pushReference(ref, priv.host)))}`, expected.get(ref));
    }
});
