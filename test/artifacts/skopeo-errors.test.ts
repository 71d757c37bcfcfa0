/**
 * skopeo failures as the admin sees them: error classes from real-shaped stderr (skopeo's logrus `level=fatal`
 * lines, texts from distribution, Harbor and Artifactory), the version gate for --preserve-digests, and a push
 * through a stand-in skopeo that does not know the flag (it must fail once, not be retried as transient).
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { walkImages } from "../../pipeline/layout";
import { after, describe, test } from "node:test";
import { sha256 } from "../../lib/digest";
import { pushBundle } from "../../pipeline/push";
import { registryProblem } from "../../pipeline/push-refs";
import { RegistryError } from "../../pipeline/registry-error";
import { checkSkopeo, classify, isTransient } from "../../pipeline/skopeo";

const fatal = (msg: string) => `time="2026-11-22T08:40:52Z" level=fatal msg="${msg}"\n`;
const BLOB = "sha256:3dc63f619455dc97812a554641f188908c4c9a8303f3f5f0e46485b080090043";

const STDERR = {
    unknownFlag: fatal("unknown flag: --preserve-digests"),
    harborProject: fatal(
        `initializing source docker://harbor.local/nope/ceph/ceph:v19.2.3: reading manifest v19.2.3 in harbor.local/nope/ceph/ceph: unauthorized: project nope not found: project nope not found`,
    ),
    denied: fatal(
        `trying to reuse blob ${BLOB} at destination: checking whether a blob ${BLOB} exists in artifactory.corp/docker-local/ceph/ceph: requested access to the resource is denied`,
    ),
    badPassword: fatal(
        "initializing source docker://127.0.0.1:5000/library/base:1: reading manifest 1 in 127.0.0.1:5000/library/base: unauthorized: authentication required",
    ),
    x509: fatal(
        'initializing source docker://r:5000/a:1: pinging container registry r:5000: Get "https://r:5000/v2/": tls: failed to verify certificate: x509: certificate signed by unknown authority',
    ),
    missing: fatal(
        "initializing source docker://r:5000/a:1: reading manifest 1 in r:5000/a: manifest unknown: manifest unknown",
    ),
    reset: fatal(
        `writing blob: uploading layer chunked: Patch "https://r:5000/v2/a/blobs/uploads/x": read tcp 127.0.0.1:5000: read: connection reset by peer`,
    ),
    unavailable: fatal("reading manifest 1 in r:5000/a: received unexpected HTTP status: 503 Service Unavailable"),
};

let work: string;
after(() => {
    if (work) fs.rmSync(work, { recursive: true, force: true });
});

describe("classification", () => {
    test("each real-shaped stderr gets its class; only resets and 5xx are transient", () => {
        assert.equal(classify(STDERR.unknownFlag), "usage");
        assert.equal(classify(STDERR.harborProject), "project");
        assert.equal(classify(STDERR.denied), "denied");
        assert.equal(classify(STDERR.badPassword), "credentials");
        assert.equal(classify(STDERR.x509), "tls");
        assert.equal(classify(STDERR.missing), "missing");
        assert.equal(classify(STDERR.reset), "transient");
        assert.equal(classify(STDERR.unavailable), "transient");
        assert.equal(isTransient(STDERR.unknownFlag), false);
        assert.equal(isTransient(STDERR.reset), true);
    });

    test("a missing project and a DENIED repository are named as such, not as bad credentials", () => {
        const reg = { server: "harbor.local", username: "k8s" };
        const err = (stderr: string) => new RegistryError("skopeo copy failed", stderr, false);
        const project = registryProblem(err(STDERR.harborProject), reg, "harbor.local/nope/ceph/ceph:v19.2.3");
        assert.match(project!.message, /has no project for .*set registry.server to host\/project/);
        assert.doesNotMatch(project!.message, /rejected the credentials/);
        const denied = registryProblem(err(STDERR.denied), reg, "harbor.local/ceph/ceph:v19.2.3");
        assert.match(denied!.message, /denied access to .*does not exist or user "k8s" may not push/);
        assert.match(denied!.message, /registry\.server to host\/project \(e\.g\. harbor\.local\/aihub\)/);
        assert.doesNotMatch(denied!.message, /rejected the credentials/);
        assert.match(registryProblem(err(STDERR.badPassword), reg, "x")!.message, /rejected the credentials/);
        assert.equal(registryProblem(err(STDERR.reset), reg, "x"), undefined);
    });
});

/** A stand-in skopeo: `--version` prints `version`, inspect finds nothing, copy fails with `copyStderr`. */
function fakeSkopeo(version: string, copyStderr: string): { bin: string; calls: () => string[] } {
    work ??= fs.mkdtempSync(path.join(os.tmpdir(), "aihub-skopeo-"));
    const dir = fs.mkdtempSync(path.join(work, "bin-"));
    const log = path.join(dir, "calls");
    const bin = path.join(dir, "skopeo");
    fs.writeFileSync(
        bin,
        [
            "#!/bin/sh",
            `echo "$1" >> ${log}`,
            `case "$1" in`,
            `  --version) echo "skopeo version ${version}" ;;`,
            `  inspect) printf '%s' '${STDERR.missing}' >&2; exit 1 ;;`,
            `  copy) printf '%s' '${copyStderr}' >&2; exit 125 ;;`,
            "esac",
        ].join("\n"),
        { mode: 0o755 },
    );
    return { bin, calls: () => fs.readFileSync(log, "utf8").trim().split("\n") };
}

/** A one-image bundle (an empty OCI manifest and its config) for the push to work on. */
function tinyBundle() {
    const dir = fs.mkdtempSync(path.join(work, "bundle-"));
    const blobs = path.join(dir, "images", "blobs", "sha256");
    fs.mkdirSync(blobs, { recursive: true });
    const config = "{}";
    const cfg = { mediaType: "application/vnd.oci.image.config.v1+json", digest: `sha256:${sha256(config)}`, size: 2 };
    const m = JSON.stringify({
        schemaVersion: 2,
        mediaType: "application/vnd.oci.image.manifest.v1+json",
        config: cfg,
        layers: [],
    });
    fs.writeFileSync(path.join(blobs, sha256(config)), config);
    fs.writeFileSync(path.join(blobs, sha256(m)), m);
    const digest = `sha256:${sha256(m)}`;
    const manifest = {
        format: 1 as const,
        tool: "t",
        stack: "s",
        registry: "r",
        platforms: ["linux/amd64"],
        created: "",
        artifacts: [
            {
                kind: "image" as const,
                name: "quay.io/a/b:1",
                source: "quay.io/a/b:1",
                target: "r/a/b:1",
                digest,
                mediaType: "application/vnd.oci.image.manifest.v1+json",
                size: m.length + 2,
                path: "images" as const,
                blobs: [
                    { digest, size: m.length },
                    { digest: cfg.digest, size: 2 },
                ],
            },
        ],
    };
    return { dir, manifest };
}

describe("skopeo version and flags", () => {
    test("skopeo older than 1.6 is refused up front, naming the version and --preserve-digests", async () => {
        const old = fakeSkopeo("1.4.1", "");
        await assert.rejects(
            checkSkopeo(old.bin),
            /skopeo 1\.4\.1 .* is too old: 1\.6\.0 or newer is needed for --preserve-digests/,
        );
        assert.equal(await checkSkopeo(fakeSkopeo("1.9.3", "").bin), "1.9.3");
    });

    test("an unknown-flag failure of copy is not retried as transient", async () => {
        const fake = fakeSkopeo("1.9.3", STDERR.unknownFlag);
        const b = tinyBundle();
        process.env.SKOPEO = fake.bin;
        // Behind a proxy the push runs skopeo per image (the direct path speaks HTTP itself).
        process.env.HTTPS_PROXY = "http://127.0.0.1:9";
        try {
            await assert.rejects(
                pushBundle({
                    ...b,
                    images: walkImages(path.join(b.dir, "images"), b.manifest.artifacts),
                    registry: { server: "r.invalid", tlsVerify: false },
                    backoffMs: 1,
                    write: () => {},
                }),
                /unknown flag: --preserve-digests/,
            );
        } finally {
            delete process.env.SKOPEO;
            delete process.env.HTTPS_PROXY;
        }
        assert.equal(fake.calls().filter((c) => c === "copy").length, 1);
    });
});
