/**
 * Upstream signatures and attestations carried across: an upstream image gets a cosign-format signature (`.sig`)
 * and attestation (`.att`) under its digest's tags; the bundle carries them, verify checks them, push puts them
 * beside the private copy under the same tags, and the signature still verifies with the vendor's public key
 * against the private image's digest. With a real cosign built here (test/helpers/cosign.ts) cosign itself signs
 * upstream and verifies inside, also with an upstream registry that has the referrers API (a cosign v3 signature
 * is then found only through it); without cosign that part is skipped with the build command.
 */
import assert from "node:assert/strict";
import { execFile, spawnSync } from "node:child_process";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe, test } from "node:test";
import { attachmentsOf, attachmentSummary } from "../../pipeline/attached";
import { buildBundle, type BundleOptions } from "../../pipeline/bundle";
import { sha256 } from "../../lib/digest";
import { DistributionClient } from "../../pipeline/distribution";
import { walkImages } from "../../pipeline/layout";
import { IMAGES_DIR, imageArtifacts, type BundleManifest } from "../../pipeline/manifest";
import { pushBundle } from "../../pipeline/push";
import { verifyBundle } from "../../pipeline/verify";
import { startUpstream, type Upstream } from "../fixtures/images/upstream";
import { startReferrersFront } from "../helpers/referrers-front";
import { COSIGN_BUILD, COSIGN_VERSION, cosignBinary } from "../helpers/cosign";
import { startRegistry, type TestRegistry } from "../helpers/registry";

const AUTH = { username: "pusher", password: "push-secret-2" };
const quiet = () => {};
const HEX = "a".repeat(64);

/** A bundle of upstream `images` for the private registry `registry`, pulled over plain HTTP. */
function bundleOf(out: string, registry: string, images: string[], more: Partial<BundleOptions> = {}) {
    const base = { stack: "t", platforms: ["linux/amd64"], charts: [], upstreamTlsVerify: false, write: quiet };
    return buildBundle({ ...base, out, registry, images, ...more });
}

/** Pushes a bundle into a test registry and asserts nothing failed. */
async function pushAll(dir: string, manifest: BundleManifest, to: TestRegistry) {
    const r = await pushBundle({
        dir,
        manifest,
        images: walkImages(path.join(dir, IMAGES_DIR), imageArtifacts(manifest)),
        registry: { server: to.host, ...AUTH, caCert: to.caCert },
        write: quiet,
    });
    assert.deepEqual(r.failed, []);
}

describe("attached tags (pure)", () => {
    test("only the tags named after this digest count, in a fixed order", () => {
        const tags = [`sha256-${HEX}.att`, "v1", `sha256-${"b".repeat(64)}.sig`, `sha256-${HEX}.sig`, `sha256-${HEX}`];
        assert.deepEqual(attachmentsOf("quay.io/ceph/ceph:v19", `sha256:${HEX}`, tags), [
            { kind: "sig", ref: `quay.io/ceph/ceph:sha256-${HEX}.sig` },
            { kind: "att", ref: `quay.io/ceph/ceph:sha256-${HEX}.att` },
            { kind: "referrers", ref: `quay.io/ceph/ceph:sha256-${HEX}` },
        ]);
        assert.deepEqual(attachmentsOf("busybox", `sha256:${HEX}`, ["latest"]), []);
    });

    test("the summary counts each kind", () => {
        assert.equal(attachmentSummary(["sig", "sig", "att", undefined]), "2 signatures, 1 attestation");
        assert.equal(attachmentSummary(["referrers", "referrers"]), "2 referrers indexes");
        assert.equal(attachmentSummary([undefined]), "no upstream signatures or attestations");
    });
});

/** Writes a blob into a scratch layout and returns its descriptor. */
function blob(layout: string, mediaType: string, bytes: Buffer, annotations?: Record<string, string>) {
    const digest = `sha256:${sha256(bytes)}`;
    fs.mkdirSync(path.join(layout, "blobs", "sha256"), { recursive: true });
    fs.writeFileSync(path.join(layout, "blobs", "sha256", digest.slice(7)), bytes);
    return { mediaType, digest, size: bytes.length, ...(annotations ? { annotations } : {}) };
}

/**
 * Puts a cosign-format attachment for `digest` of `repo` upstream: one layer holding `payload`, with the signature
 * of the payload as cosign's annotation. Returns the attachment manifest's digest.
 */
async function attach(
    up: Upstream,
    repo: string,
    digest: string,
    suffix: string,
    layer: string,
    payload: Buffer,
    key: crypto.KeyObject,
) {
    const layout = fs.mkdtempSync(path.join(os.tmpdir(), "aihub-att-"));
    const signature = crypto.sign("sha256", payload, key).toString("base64");
    const l = blob(layout, layer, payload, { "dev.cosignproject.cosign/signature": signature });
    const config = blob(layout, "application/vnd.oci.image.config.v1+json", Buffer.from("{}"));
    const manifest = Buffer.from(
        JSON.stringify({
            schemaVersion: 2,
            mediaType: "application/vnd.oci.image.manifest.v1+json",
            config,
            layers: [l],
        }),
    );
    const client = new DistributionClient({ server: up.registry.host, tlsVerify: false });
    try {
        for (const b of [l, config]) await client.ensureBlob(repo, b.digest, b.size, layout);
        await client.putManifest(
            repo,
            `sha256-${digest.slice(7)}${suffix}`,
            "application/vnd.oci.image.manifest.v1+json",
            manifest,
        );
    } finally {
        client.close();
        fs.rmSync(layout, { recursive: true, force: true });
    }
    return `sha256:${sha256(manifest)}`;
}

describe("upstream signatures and attestations", () => {
    let work: string;
    let up: Upstream;
    let priv: TestRegistry;
    let bundle: string;
    let manifest: BundleManifest;
    let signed: { source: string; repo: string; digest: string; sig: string; att: string };
    const vendor = crypto.generateKeyPairSync("ec", { namedCurve: "P-256" });
    const lines: string[] = [];

    before(async () => {
        work = fs.mkdtempSync(path.join(os.tmpdir(), "aihub-attached-"));
        up = await startUpstream(work, 0.02);
        priv = await startRegistry(work, { tls: true, auth: AUTH });
        const source = up.refs[1];
        const repo = source.slice(up.registry.host.length + 1).split(":")[0];
        const raw = spawnSync("skopeo", ["inspect", "--raw", "--tls-verify=false", `docker://${source}`]).stdout;
        const digest = `sha256:${sha256(raw)}`;
        const simple = Buffer.from(
            JSON.stringify({
                critical: {
                    identity: { "docker-reference": `${up.registry.host}/${repo}` },
                    image: { "docker-manifest-digest": digest },
                    type: "cosign container image signature",
                },
                optional: null,
            }),
        );
        const sig = await attach(
            up,
            repo,
            digest,
            ".sig",
            "application/vnd.dev.cosign.simplesigning.v1+json",
            simple,
            vendor.privateKey,
        );
        const envelope = Buffer.from(
            JSON.stringify({ payloadType: "application/vnd.in-toto+json", payload: "e30=", signatures: [] }),
        );
        const att = await attach(
            up,
            repo,
            digest,
            ".att",
            "application/vnd.dsse.envelope.v1+json",
            envelope,
            vendor.privateKey,
        );
        signed = { source, repo, digest, sig, att };
        bundle = path.join(work, "bundle");
        ({ manifest } = await bundleOf(bundle, priv.host, up.refs, { write: (l) => lines.push(l) }));
    });

    after(async () => {
        await Promise.all([up?.registry.stop(), priv?.stop()]);
        fs.rmSync(work, { recursive: true, force: true });
    });

    test("the bundle carries the signature and the attestation with their digests, right after their image", () => {
        const images = imageArtifacts(manifest);
        const at = images.findIndex((a) => a.source === signed.source);
        const [sig, att] = images.slice(at + 1, at + 3);
        const tag = `sha256-${signed.digest.slice(7)}`;
        assert.deepEqual(sig.attached, { to: signed.source, kind: "sig" });
        assert.equal(sig.source, `${up.registry.host}/${signed.repo}:${tag}.sig`);
        assert.equal(sig.digest, signed.sig);
        assert.equal(sig.target, `${priv.host}/${signed.repo}:${tag}.sig`);
        assert.deepEqual(att.attached, { to: signed.source, kind: "att" });
        assert.equal(att.digest, signed.att);
        assert.equal(images.filter((a) => a.attached).length, 2, "only the signed image has attachments");
        assert.ok(
            lines.some((l) => l.includes("upstream: 1 signature, 1 attestation carried")),
            lines.join("\n"),
        );
    });

    test("verify checks the attachments like images, and a second bundle run reuses them", async () => {
        const v = await verifyBundle(bundle);
        assert.deepEqual(v.problems, []);
        assert.ok(v.checked >= imageArtifacts(manifest).length);
        const mark = up.registry.requests().length;
        const again = await bundleOf(bundle, priv.host, up.refs);
        assert.deepEqual(
            imageArtifacts(again.manifest).map((a) => [a.source, a.digest]),
            imageArtifacts(manifest).map((a) => [a.source, a.digest]),
        );
        const gets = up.registry
            .requests()
            .slice(mark)
            .filter((l) => l.startsWith("GET ") && l.includes("/blobs/"));
        assert.deepEqual(gets, [], "a second run fetched blobs again");
    });

    test("push puts them beside the private image, and the vendor's signature verifies against the private digest", async () => {
        await pushAll(bundle, manifest, priv);
        const client = new DistributionClient({ server: priv.host, ...AUTH, caCert: priv.caCert });
        try {
            const tag = `sha256-${signed.digest.slice(7)}`;
            assert.equal(await client.manifestDigest(signed.repo, `${tag}.sig`), signed.sig);
            assert.equal(await client.manifestDigest(signed.repo, `${tag}.att`), signed.att);
            assert.equal(await client.manifestDigest(signed.repo, signed.digest), signed.digest);
        } finally {
            client.close();
        }
        // The carried signature, read back from the private registry's storage, checks with the vendor's key.
        const layer = imageArtifacts(manifest).find((a) => a.attached?.kind === "sig")!;
        const doc = JSON.parse(
            fs.readFileSync(path.join(bundle, "images", "blobs", "sha256", layer.digest.slice(7)), "utf8"),
        );
        const l = doc.layers[0];
        const payload = fs.readFileSync(
            path.join(
                priv.storage,
                "docker",
                "registry",
                "v2",
                "blobs",
                "sha256",
                l.digest.slice(7, 9),
                l.digest.slice(7),
                "data",
            ),
        );
        assert.equal(JSON.parse(payload.toString()).critical.image["docker-manifest-digest"], signed.digest);
        const signature = Buffer.from(l.annotations["dev.cosignproject.cosign/signature"], "base64");
        assert.ok(
            crypto.verify("sha256", payload, vendor.publicKey, signature),
            "the vendor signature no longer verifies",
        );
    });

    test("--no-signatures (signatures: false) carries none", async () => {
        const out = path.join(work, "plain");
        const r = await bundleOf(out, priv.host, [signed.source], { signatures: false });
        assert.deepEqual(
            imageArtifacts(r.manifest).map((a) => a.attached),
            [undefined],
        );
    });
});

const cosign = cosignBinary();
const skip = cosign ? false : `cosign ${COSIGN_VERSION} is not built (about 10 min cold): ${COSIGN_BUILD}`;

describe(`real cosign sign upstream, verify inside (${cosign ?? COSIGN_VERSION})`, { skip }, () => {
    // Through the front, the upstream registry has the referrers API and hides the fallback tag: a cosign v3
    // signature is then found only through the API.
    for (const api of [false, true])
        test(`cosign verify --key accepts the private copy after bundle and push${api ? ", upstream with the referrers API" : ""}`, async () => {
            const work = fs.mkdtempSync(path.join(os.tmpdir(), "aihub-cosign-img-"));
            const up = await startUpstream(work, 0.02);
            const priv = await startRegistry(work, { tls: true, auth: AUTH });
            const front = api ? await startReferrersFront(up.registry.host) : undefined;
            const host = front?.host ?? up.registry.host;
            try {
                const docker = path.join(work, "docker");
                fs.mkdirSync(docker);
                const auth = Buffer.from(`${AUTH.username}:${AUTH.password}`).toString("base64");
                fs.writeFileSync(
                    path.join(docker, "config.json"),
                    JSON.stringify({ auths: { [priv.host]: { auth } } }),
                );
                const env = {
                    ...process.env,
                    COSIGN_PASSWORD: "cosign-test",
                    TUF_ROOT: path.join(work, "tuf"),
                    DOCKER_CONFIG: docker,
                };
                // Not spawnSync: the referrers front runs in this process and must answer cosign meanwhile.
                const run = (args: string[]) =>
                    new Promise<{ code: number | null; out: string }>((resolve) => {
                        execFile(cosign!, args, { cwd: work, env }, (e, stdout, stderr) =>
                            resolve({ code: e ? ((e.code as number) ?? 1) : 0, out: stdout + stderr }),
                        );
                    });
                assert.equal((await run(["generate-key-pair"])).code, 0);
                const source = up.refs[0];
                const raw = spawnSync("skopeo", [
                    "inspect",
                    "--raw",
                    "--tls-verify=false",
                    `docker://${source}`,
                ]).stdout;
                const digest = `sha256:${sha256(raw)}`;
                const repo = source.slice(up.registry.host.length + 1).split(":")[0];
                const sign = await run([
                    "sign",
                    "--key",
                    "cosign.key",
                    "--use-signing-config=false",
                    "--tlog-upload=false",
                    "--allow-http-registry",
                    "--allow-insecure-registry",
                    "--yes",
                    `${host}/${repo}@${digest}`,
                ]);
                assert.equal(sign.code, 0, sign.out);
                const out = path.join(work, "bundle");
                const mirrors = { [up.registry.host]: host };
                const { manifest } = await bundleOf(out, priv.host, [source], { upstreamMirrors: mirrors });
                // cosign v2 writes a `.sig` tag; v3 a Sigstore bundle as an OCI referrer, under the `sha256-<hex>` tag here.
                const kinds = imageArtifacts(manifest).map((a) => a.attached?.kind);
                assert.ok(["sig", "referrers"].includes(kinds[1]!), String(kinds));
                assert.equal(kinds.length, 2);
                if (api && kinds[1] === "referrers") {
                    // cosign saw OCI-Subject and wrote no fallback tag: the API was the only way to the signature.
                    const listed = spawnSync("skopeo", [
                        "list-tags",
                        "--tls-verify=false",
                        `docker://${up.registry.host}/${repo}`,
                    ]);
                    assert.ok(
                        !listed.stdout.toString().includes(`sha256-${digest.slice(7)}"`),
                        listed.stdout.toString(),
                    );
                }
                await pushAll(out, manifest, priv);
                const verify = (key: string) =>
                    run([
                        "verify",
                        "--key",
                        key,
                        "--insecure-ignore-tlog=true",
                        "--allow-insecure-registry",
                        `${priv.host}/${repo}@${digest}`,
                    ]);
                const ok = await verify("cosign.pub");
                assert.equal(ok.code, 0, ok.out);
                // Another key must not verify: the check is real.
                fs.renameSync(path.join(work, "cosign.pub"), path.join(work, "first.pub"));
                fs.renameSync(path.join(work, "cosign.key"), path.join(work, "first.key"));
                assert.equal((await run(["generate-key-pair"])).code, 0);
                assert.notEqual((await verify("cosign.pub")).code, 0);
            } finally {
                await Promise.all([up.registry.stop(), priv.stop(), front?.stop()]);
                fs.rmSync(work, { recursive: true, force: true });
            }
        });
});
