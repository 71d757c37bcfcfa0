/**
 * The push's distribution-API path and the bundle's parallel pulls, counted in real docker-registry access logs:
 * blobs the registry has are not uploaded, shared layers are uploaded once and mounted elsewhere, a second push
 * only asks for manifests, a blob already in the layout is not pulled again, and a failure names image and registry.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe, test } from "node:test";
import { buildBundle } from "../../pipeline/bundle";
import { mapImages } from "../../lib/imageref";
import { blobPath, walkImages } from "../../pipeline/layout";
import { IMAGES_DIR, imageArtifacts, type BundleManifest } from "../../pipeline/manifest";
import { pushBundle } from "../../pipeline/push";
import { bundleOf, startUpstream, type Upstream } from "../fixtures/images/upstream";
import type { ImageSpec } from "../fixtures/images/generate";
import { startRegistry, type TestRegistry } from "../helpers/registry";

const AUTH = { username: "pusher", password: "push-secret-1" };
const quiet = () => {};

/** apps/base first (inventory order), then two images of apps/web that need its base-os layer. */
const IMAGE_SET_LINKED: ImageSpec[] = [
    { repo: "apps/base", tag: "1", layers: [{ name: "base-os", kb: 1024 }] },
    {
        repo: "apps/web",
        tag: "1.0",
        layers: [
            { name: "base-os", kb: 1024 },
            { name: "web", kb: 64 },
        ],
    },
    {
        repo: "apps/web",
        tag: "1.1",
        layers: [
            { name: "base-os", kb: 1024 },
            { name: "web-next", kb: 64 },
        ],
    },
];

/** Digests PUT as blob uploads (the `digest=` of a monolithic or final upload request). */
function uploads(lines: string[]): string[] {
    return lines
        .filter((l) => l.startsWith("PUT ") && /\/blobs\/uploads\//.test(l))
        .map((l) => /digest=([^&\s]+)/.exec(l)![1].replace("%3A", ":"));
}

describe("direct push and parallel pulls", () => {
    let work: string;
    let up: Upstream;
    let bundle: string;
    let manifest: BundleManifest;
    const servers: TestRegistry[] = [];

    before(async () => {
        work = fs.mkdtempSync(path.join(os.tmpdir(), "aihub-direct-"));
        up = await startUpstream(work, 0.05);
        servers.push(up.registry);
        bundle = path.join(work, "bundle");
        // library/base first, alone: its base-os layer is then in the layout when the others are pulled.
        await buildBundle(bundleOf(up, bundle, { images: [up.refs[0]], write: quiet }));
        const mark = up.registry.requests().length;
        ({ manifest } = await buildBundle(bundleOf(up, bundle, { write: quiet })));
        const baseLayer = up.images[0].layers[0];
        const gets = up.registry
            .requests()
            .slice(mark)
            .filter((l) => l.startsWith("GET ") && l.includes("/blobs/"));
        assert.ok(gets.length > 0, "the second bundle run pulled the other images");
        assert.deepEqual(
            gets.filter((l) => l.includes(baseLayer)),
            [],
            "a blob already in the layout is pulled again",
        );
    });

    after(async () => {
        await Promise.all(servers.map((s) => s.stop()));
        fs.rmSync(work, { recursive: true, force: true });
    });

    const target = async () => {
        const r = await startRegistry(work, { tls: true, auth: AUTH });
        servers.push(r);
        return r;
    };
    const push = (r: TestRegistry, m = manifest) =>
        pushBundle({
            dir: bundle,
            manifest: m,
            images: walkImages(path.join(bundle, IMAGES_DIR), imageArtifacts(m)),
            registry: { server: r.host, ...AUTH, caCert: r.caCert },
            write: quiet,
        });

    test("the bundle lists the images in inventory order although they were pulled at once", () => {
        assert.deepEqual(
            imageArtifacts(manifest).map((a) => a.source),
            mapImages(up.refs, "r.local").map((m) => m.source),
        );
    });

    test("each unique blob is uploaded once; a layer shared by several repositories is mounted, not sent again", async () => {
        const r = await target();
        const res = await push(r);
        assert.equal(res.copied.length, 4, JSON.stringify(res));
        const put = uploads(r.requests());
        const unique = new Set(imageArtifacts(manifest).flatMap((a) => a.blobs.map((b) => b.digest)));
        const manifests = new Set(imageArtifacts(manifest).map((a) => a.digest));
        assert.deepEqual(put.slice().sort(), [...unique].filter((d) => !manifests.has(d)).sort());
        const mounts = r.requests().filter((l) => l.startsWith("POST ") && l.includes("mount="));
        const shared = up.images[0].layers[0];
        // base-os is in library/base, apps/web and apps/api: one upload, two mounts.
        assert.equal(mounts.filter((l) => l.includes(shared.slice(7))).length, 2, mounts.join("\n"));
    });

    test("a registry that already has some blobs gets no upload for them, and a second push asks only for manifests", async () => {
        const r = await target();
        const baseOnly = {
            ...manifest,
            artifacts: manifest.artifacts.filter((a) => a.kind === "image" && a.source === up.refs[0]),
        };
        await push(r, baseOnly);
        const mark = r.requests().length;
        const res = await push(r);
        assert.deepEqual(res.skipped, [res.skipped.find((s) => s.includes("library/base"))]);
        const put = uploads(r.requests().slice(mark));
        assert.ok(!put.includes(up.images[0].layers[0]), put.join("\n"));
        assert.ok(put.length > 0);
        const mark2 = r.requests().length;
        const again = await push(r);
        assert.equal(again.skipped.length, 4);
        const third = r.requests().slice(mark2);
        assert.deepEqual(
            third.filter((l) => !/^HEAD \/v2\/.+\/manifests\//.test(l)),
            [],
            "the second push touched more than manifests",
        );
    });

    test("a blob missing from the layout fails that image only, naming image and registry, not the password", async () => {
        const r = await target();
        const copy = path.join(work, "broken");
        fs.cpSync(bundle, copy, { recursive: true });
        const own = up.images[3].layers[5];
        fs.rmSync(blobPath(path.join(copy, IMAGES_DIR), own));
        const res = await pushBundle({
            dir: copy,
            manifest,
            images: walkImages(path.join(copy, IMAGES_DIR), imageArtifacts(manifest)),
            registry: { server: r.host, ...AUTH, caCert: r.caCert },
            write: quiet,
            retries: 0,
        });
        assert.equal(res.copied.length, 3);
        assert.equal(res.failed.length, 1);
        assert.match(res.failed[0].target, /tools\/multi:2\.0$/);
        assert.match(res.failed[0].error, new RegExp(`tools/multi:2\\.0 on ${r.host.replace(/\./g, "\\.")}`));
        assert.ok(!res.failed[0].error.includes(AUTH.password));
    });

    // distribution 2.8 rewrites a repository's link file in place on every upload or mount of the blob, so a second
    // one while the first image's manifest is checked makes that manifest fail with MANIFEST_BLOB_UNKNOWN.
    test("two images of one repository that share a blob first sent to another repository: it is linked there once, by one mount", async () => {
        const dir = path.join(work, "linked");
        fs.mkdirSync(dir);
        const other = await startUpstream(dir, 0.05, IMAGE_SET_LINKED);
        servers.push(other.registry);
        const linked = path.join(dir, "bundle");
        const { manifest: m } = await buildBundle(bundleOf(other, linked, { write: quiet }));
        const r = await target();
        const res = await pushBundle({
            dir: linked,
            manifest: m,
            images: walkImages(path.join(linked, IMAGES_DIR), imageArtifacts(m)),
            registry: { server: r.host, ...AUTH, caCert: r.caCert },
            write: quiet,
        });
        assert.equal(res.copied.length, 3, JSON.stringify(res));
        const shared = other.images[0].layers[0].slice("sha256:".length);
        const links = r
            .requests()
            .filter((l) => /^(POST|PUT) \/v2\/apps\/web\/blobs\/uploads\//.test(l) && l.includes(shared));
        // apps/base is pushed first (inventory order), so apps/web gets the blob by a mount.
        assert.equal(links.length, 1, links.join("\n"));
        assert.match(links[0], /^POST .*mount=/);
    });
});
