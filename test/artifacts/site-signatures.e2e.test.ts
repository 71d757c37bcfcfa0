/**
 * Signatures across the gap with the real cosign (test/helpers/cosign.ts) and real registries on loopback:
 * - a vendor signs a multi-platform image by its tag (cosign signs the index); a one-platform bundle carries the
 *   whole index with its upstream digest and that signature, so `cosign verify <private>:<tag>` passes inside;
 * - the site signs the private copy inside the gap (cosign appends to the `.sig` tag, or adds a referrer under the
 *   fallback tag `sha256-<hex>`); a second push, also of a bundle with a new vendor signature, keeps the site's;
 * - a registry that answers `OCI-Subject` indexes the carried referrers itself and gets no fallback tag.
 */
import assert from "node:assert/strict";
import { execFile, execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe, test } from "node:test";
import { buildBundle, TRUSTED_ROOT_FILE } from "../../pipeline/bundle";
import { sha256 } from "../../lib/digest";
import { DistributionClient } from "../../pipeline/distribution";
import { walkImages } from "../../pipeline/layout";
import { IMAGES_DIR, imageArtifacts, type BundleManifest } from "../../pipeline/manifest";
import { mergeAttached } from "../../pipeline/push-merge";
import { pushBundle } from "../../pipeline/push";
import type { UpstreamRule } from "../../pipeline/upstream-verify";
import { generateImages } from "../fixtures/images/generate";
import { COSIGN_BUILD, COSIGN_VERSION, cosignBinary } from "../helpers/cosign";
import { startReferrersFront } from "../helpers/referrers-front";
import { startRegistry, type TestRegistry } from "../helpers/registry";

const AUTH = { username: "pusher", password: "push-secret-3" };
const quiet = () => {};
const OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
const OCI_INDEX = "application/vnd.oci.image.index.v1+json";

describe("merging attached tags (pure)", () => {
    const layer = (d: string) => ({
        mediaType: "application/vnd.dev.cosign.simplesigning.v1+json",
        digest: d,
        size: 1,
    });
    const sigs = (...d: string[]) =>
        Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: OCI_MANIFEST, layers: d.map(layer) }));
    const config = Buffer.from(JSON.stringify({ rootfs: { type: "layers", diff_ids: ["sha256:a"] } }));

    test("two signatures of one payload differ by their annotations, not their digest", () => {
        const signed = (sig: string) =>
            Buffer.from(
                JSON.stringify({
                    layers: [{ ...layer("sha256:p"), annotations: { "dev.cosignproject.cosign/signature": sig } }],
                }),
            );
        assert.equal(mergeAttached(signed("vendor"), signed("site"), config).kind, "manifest");
        assert.deepEqual(mergeAttached(signed("vendor"), signed("vendor"), config), { kind: "kept" });
    });

    test("a tag that already lists every entry of the bundle's is kept as it is", () => {
        assert.deepEqual(mergeAttached(sigs("sha256:a"), sigs("sha256:a", "sha256:site"), config), { kind: "kept" });
    });

    test("otherwise the bundle's entries come first and the registry's others follow, config diff IDs alike", () => {
        const m = mergeAttached(sigs("sha256:a"), sigs("sha256:site"), config);
        assert.equal(m.kind, "manifest");
        if (m.kind !== "manifest") return;
        assert.deepEqual(
            JSON.parse(m.bytes.toString()).layers.map((l: { digest: string }) => l.digest),
            ["sha256:a", "sha256:site"],
        );
        assert.deepEqual(JSON.parse(m.config.toString()).rootfs.diff_ids, ["sha256:a", "sha256:site"]);
        const index = (...d: string[]) =>
            Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: d.map(layer) }));
        const i = mergeAttached(index("sha256:v"), index("sha256:s"));
        assert.equal(i.kind, "index");
        if (i.kind === "index")
            assert.deepEqual(
                JSON.parse(i.bytes.toString()).manifests.map((l: { digest: string }) => l.digest),
                ["sha256:v", "sha256:s"],
            );
    });
});

const cosign = cosignBinary();
const skip = cosign ? false : `cosign ${COSIGN_VERSION} is not built (about 10 min cold): ${COSIGN_BUILD}`;

describe(`signatures across the gap with the real cosign (${cosign ?? COSIGN_VERSION})`, { skip }, () => {
    let work: string;
    let up: TestRegistry;
    let priv: TestRegistry;
    let index: string;
    let amd64: string;
    const repo = "vendor/app";
    let env: NodeJS.ProcessEnv;

    /** `vendor/app:1` (every platform) copied to `<sub>:1` of the upstream: a repository of its own; its reference. */
    const copyOfApp = (sub: string) => {
        const ref = `${up.host}/${sub}:1`;
        execFileSync("skopeo", [
            "copy",
            "-q",
            "--src-tls-verify=false",
            "--dest-tls-verify=false",
            "--all",
            `docker://${up.host}/${repo}:1`,
            `docker://${ref}`,
        ]);
        return ref;
    };

    /** A one-platform bundle of `ref` in `out`, for the private registry `registry`. */
    const bundleFor = (out: string, registry: string, ref: string) =>
        buildBundle({
            out,
            stack: "t",
            registry,
            images: [ref],
            platforms: ["linux/amd64"],
            charts: [],
            upstreamTlsVerify: false,
            write: quiet,
        });

    /** cosign, asynchronously (a referrers front running in this process must answer it meanwhile). */
    const run = (args: string[]) =>
        new Promise<{ code: number; out: string }>((resolve) => {
            execFile(cosign!, args, { cwd: work, env }, (e, stdout, stderr) =>
                resolve({ code: e ? Number(e.code ?? 1) : 0, out: stdout + stderr }),
            );
        });
    const ok = async (args: string[]) => {
        const r = await run(args);
        assert.equal(r.code, 0, `cosign ${args.join(" ")}\n${r.out}`);
        return r.out;
    };
    const keyPair = async (name: string) => {
        await ok(["generate-key-pair", "--output-key-prefix", name]);
        return { key: `${name}.key`, pub: `${name}.pub` };
    };
    const noTlog = [
        "--use-signing-config=false",
        "--tlog-upload=false",
        "--allow-http-registry",
        "--allow-insecure-registry",
        "--yes",
    ];
    const sign = (key: string, ref: string) => ok(["sign", "--key", key, ...noTlog, ref]);
    const verify = (pub: string, ref: string) =>
        run(["verify", "--key", pub, "--insecure-ignore-tlog=true", "--allow-insecure-registry", ref]);
    const bundle = async (out: string, registry = priv.host) =>
        (await bundleFor(out, registry, `${up.host}/${repo}:1`)).manifest;
    const push = async (dir: string, manifest: BundleManifest, to = priv, auth = true) => {
        const lines: string[] = [];
        const r = await pushBundle({
            dir,
            manifest,
            images: walkImages(path.join(dir, IMAGES_DIR), imageArtifacts(manifest)),
            registry: { server: to.host, ...(auth ? AUTH : {}), caCert: to.caCert, tlsVerify: !!to.caCert },
            write: (l) => lines.push(l),
        });
        assert.deepEqual(r.failed, []);
        return lines;
    };

    before(async () => {
        work = fs.mkdtempSync(path.join(os.tmpdir(), "aihub-site-sig-"));
        up = await startRegistry(work);
        priv = await startRegistry(work, { tls: true, auth: AUTH });
        // A two-platform OCI index upstream: two generated images as its instances.
        const layout = path.join(work, "generated");
        generateImages(layout, 0.01, [
            { repo: "amd", tag: "1", layers: [{ name: "a", kb: 64 }] },
            { repo: "arm", tag: "1", layers: [{ name: "b", kb: 64 }] },
        ]);
        const entries = [];
        for (const [name, arch] of [
            ["amd", "amd64"],
            ["arm", "arm64"],
        ]) {
            const ref = `${up.host}/${repo}:${arch}`;
            execFileSync("skopeo", [
                "copy",
                "-q",
                "--dest-tls-verify=false",
                `oci:${layout}:${name}:1`,
                `docker://${ref}`,
            ]);
            const raw = execFileSync("skopeo", ["inspect", "--raw", "--tls-verify=false", `docker://${ref}`]);
            entries.push({
                mediaType: OCI_MANIFEST,
                digest: `sha256:${sha256(raw)}`,
                size: raw.length,
                platform: { architecture: arch, os: "linux" },
            });
        }
        amd64 = entries[0].digest;
        const body = JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: entries });
        const res = await fetch(`http://${up.host}/v2/${repo}/manifests/1`, {
            method: "PUT",
            headers: { "content-type": OCI_INDEX },
            body,
        });
        assert.equal(res.status, 201, await res.text());
        index = `sha256:${sha256(body)}`;
        const docker = path.join(work, "docker");
        fs.mkdirSync(docker);
        const auth = Buffer.from(`${AUTH.username}:${AUTH.password}`).toString("base64");
        fs.writeFileSync(path.join(docker, "config.json"), JSON.stringify({ auths: { [priv.host]: { auth } } }));
        env = {
            ...process.env,
            COSIGN_PASSWORD: "cosign-test",
            TUF_ROOT: path.join(work, "tuf"),
            DOCKER_CONFIG: docker,
        };
    });

    after(async () => {
        await Promise.all([up?.stop(), priv?.stop()]);
        fs.rmSync(work, { recursive: true, force: true });
    });

    test("a vendor signature on the index (cosign sign <tag>) survives a one-platform bundle, and the site's survive a second push", async () => {
        const vendor = await keyPair("vendor");
        await sign(vendor.key, `${up.host}/${repo}:1`);
        const first = path.join(work, "b1");
        const manifest = await bundle(first);
        const [image, sig] = imageArtifacts(manifest);
        assert.equal(image.digest, index, "the index is carried with its upstream digest");
        assert.deepEqual(sig.attached, { to: image.source, kind: "sig" });
        assert.equal(sig.source, `${up.host}/${repo}:sha256-${index.slice(7)}.sig`);
        await push(first, manifest);
        const inside = `${priv.host}/${repo}:1`;
        assert.equal((await verify(vendor.pub, inside)).code, 0, "cosign verify <private>:<tag> with the vendor's key");

        // The site signs the private copy inside the gap: cosign appends its signature to the .sig tag.
        const site = await keyPair("site");
        await sign(site.key, `${priv.host}/${repo}@${index}`);
        assert.equal((await verify(site.pub, inside)).code, 0);
        // The same bundle pushed again keeps it.
        const again = await push(first, manifest);
        assert.equal((await verify(site.pub, inside)).code, 0, "the site's signature was erased by the second push");
        assert.ok(
            again.some((l) => l.includes("already holds every entry")),
            again.join("\n"),
        );

        // The vendor signs again; a new bundle carries both vendor signatures and the push merges them in.
        const vendor2 = await keyPair("vendor2");
        await sign(vendor2.key, `${up.host}/${repo}@${index}`);
        const second = path.join(work, "b2");
        const m2 = await bundle(second);
        const lines = await push(second, m2);
        assert.ok(
            lines.some((l) => l.includes("merged with what the registry held")),
            lines.join("\n"),
        );
        for (const k of [vendor, site, vendor2]) assert.equal((await verify(k.pub, inside)).code, 0, k.pub);
        // And a key nobody signed with does not verify: the check is real.
        const other = await keyPair("other");
        assert.notEqual((await verify(other.pub, inside)).code, 0);
    });

    test("a platform manifest's own signature is carried too when the index has none", async () => {
        const sub = "vendor/plain";
        const ref = copyOfApp(sub);
        const vendor = await keyPair("plain");
        await sign(vendor.key, `${up.host}/${sub}@${amd64}`);
        const out = path.join(work, "plain");
        const { manifest } = await bundleFor(out, priv.host, ref);
        const [image, sig] = imageArtifacts(manifest);
        assert.equal(image.digest, amd64, "an index nobody signed is not carried: one platform only");
        assert.equal(sig.source, `${up.host}/${sub}:sha256-${amd64.slice(7)}.sig`);
    });

    test("a referrer the site adds under the fallback tag survives a second push", async () => {
        const sub = "vendor/attested";
        const ref = copyOfApp(sub);
        fs.writeFileSync(path.join(work, "predicate.json"), JSON.stringify({ built: "upstream" }));
        const attest = (key: string, target: string) =>
            ok([
                "attest",
                "--key",
                key,
                "--new-bundle-format",
                "--type",
                "custom",
                "--predicate",
                "predicate.json",
                ...noTlog,
                target,
            ]);
        // cosign writes a Sigstore bundle as a referrer of the index; the plain registry gets the fallback tag.
        const vendor = await keyPair("att-vendor");
        await attest(vendor.key, `${up.host}/${sub}@${index}`);
        const out = path.join(work, "attested");
        const { manifest } = await bundleFor(out, priv.host, ref);
        const images = imageArtifacts(manifest);
        assert.equal(images[0].digest, index);
        assert.ok(
            images.some((a) => a.attached?.kind === "referrers"),
            JSON.stringify(images.map((a) => a.attached)),
        );
        await push(out, manifest);
        const tag = `sha256-${index.slice(7)}`;
        const entries = async () => {
            const c = new DistributionClient({ server: priv.host, ...AUTH, caCert: priv.caCert });
            try {
                const m = await c.getManifest(sub, tag);
                return (JSON.parse(m!.bytes.toString()) as { manifests: { digest: string }[] }).manifests.map(
                    (d) => d.digest,
                );
            } finally {
                c.close();
            }
        };
        assert.equal((await entries()).length, 1);
        const site = await keyPair("att-site");
        await attest(site.key, `${priv.host}/${sub}@${index}`);
        const withSite = await entries();
        assert.equal(withSite.length, 2, "cosign appended the site's referrer to the fallback tag");
        await push(out, manifest);
        assert.deepEqual(await entries(), withSite, "the second push erased the site's referrer");
        // cosign v2.6 wants a trusted root with the new bundle format even for a key; one of no authority serves.
        const root = path.join(work, "trusted_root.json");
        await ok(["trusted-root", "create", "--out", root]);
        const verifyAtt = (pub: string) =>
            run([
                "verify-attestation",
                "--key",
                pub,
                "--new-bundle-format",
                "--trusted-root",
                root,
                "--type",
                "custom",
                "--insecure-ignore-tlog=true",
                "--allow-insecure-registry",
                `${priv.host}/${sub}@${index}`,
            ]);
        const attested = await verifyAtt(site.pub);
        assert.equal(attested.code, 0, `the site's attestation verifies after the second push: ${attested.out}`);
    });

    test("a registry answering OCI-Subject indexes the carried referrers itself and gets no fallback tag", async () => {
        // The attested image of the test before: upstream holds its referrers index under the fallback tag.
        const sub = "vendor/attested";
        const ref = `${up.host}/${sub}:1`;
        const tag = `sha256-${index.slice(7)}`;
        // The front gives a plain registry the referrers API and answers OCI-Subject, as registries with it do.
        const plain = await startRegistry(work);
        const front = await startReferrersFront(plain.host);
        try {
            const { manifest: fm } = await buildBundle({
                out: path.join(work, "front-bundle"),
                stack: "t",
                registry: front.host,
                images: [ref],
                platforms: ["linux/amd64"],
                charts: [],
                upstreamTlsVerify: false,
                write: quiet,
            });
            const lines = await push(path.join(work, "front-bundle"), fm, { ...plain, host: front.host }, false);
            assert.ok(
                lines.some((l) => l.includes("no fallback tag written")),
                lines.join("\n"),
            );
            const tags = execFileSync("skopeo", [
                "list-tags",
                "--tls-verify=false",
                `docker://${plain.host}/${sub}`,
            ]).toString();
            assert.ok(!tags.includes(`"${tag}"`), tags);
            const listed = await fetch(`http://${front.host}/v2/${sub}/referrers/${index}`);
            assert.equal(((await listed.json()) as { manifests: unknown[] }).manifests.length, 1);
        } finally {
            await Promise.all([front.stop(), plain.stop()]);
        }
    });

    test("upstream signatures checked on the bastion (bundle.verifyUpstream), the trusted root carried", async () => {
        const sub = "vendor/checked";
        const ref = copyOfApp(sub);
        const vendor = await keyPair("checked");
        await sign(vendor.key, ref);
        const root = path.join(work, "checked_root.json");
        await ok(["trusted-root", "create", "--out", root]);
        const pem = (f: string) => fs.readFileSync(path.join(work, f), "utf8");
        const build = (out: string, rules: UpstreamRule[]) =>
            buildBundle({
                out: path.join(work, out),
                stack: "t",
                registry: priv.host,
                images: [ref],
                platforms: ["linux/amd64"],
                charts: [],
                upstreamTlsVerify: false,
                verifyUpstream: rules,
                trustedRoot: root,
                write: quiet,
            });
        const prior = process.env.COSIGN;
        process.env.COSIGN = cosign;
        try {
            const rule = { images: `${up.host}/vendor/*`, key: pem(vendor.pub), insecureIgnoreTlog: true };
            const { manifest } = await build("checked-ok", [rule]);
            const carried = manifest.artifacts.find((a) => a.path === TRUSTED_ROOT_FILE)!;
            assert.equal(carried.kind, "file");
            assert.deepEqual(fs.readFileSync(path.join(work, "checked-ok", TRUSTED_ROOT_FILE)), fs.readFileSync(root));
            assert.equal(carried.source, "checked_root.json", "no bastion folder in bundle.json");
            // Another key, or a keyless identity the signature does not have: the bundle stops, naming the rule.
            const other = await keyPair("not-the-vendor");
            await assert.rejects(
                build("checked-bad", [{ images: "*/vendor/checked:*", key: pem(other.pub), insecureIgnoreTlog: true }]),
                /vendor\/checked:1 \(sha256:[a-f0-9]{64}\): no signature that bundle\.verifyUpstream\[0\] \(\*\/vendor\/checked:\*\) accepts/,
            );
            await assert.rejects(
                build("checked-keyless", [
                    { images: `${up.host}/vendor/*`, identity: "ci@vendor.example", issuer: "https://issuer.example" },
                ]),
                /bundle\.verifyUpstream\[0\]/,
            );
            // A rule for other images leaves this one unchecked.
            await build("checked-none", [{ images: "quay.io/*", key: pem(other.pub) }]);
        } finally {
            if (prior === undefined) delete process.env.COSIGN;
            else process.env.COSIGN = prior;
        }
    });
});
