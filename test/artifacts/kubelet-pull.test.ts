/**
 * The kubelet-like pull the engine tests run after `pulumi up` (test/helpers/kubelet-pull.ts), against a real TLS +
 * htpasswd registry on loopback holding one generated image: the right pull Secret pulls manifest and config; a wrong
 * password, an image never pushed, no pull Secret, or a Secret for another registry each fail with the registry's
 * answer. The image is pushed with skopeo and an auth file in a private temporary folder (no credentials in
 * arguments).
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import type { KubeObject } from "../../lib/kube-api";
import { generateImages } from "../fixtures/images/generate";
import { startRegistry, type TestRegistry } from "../helpers/registry";
import { matchingCredentials, parseRef, pullAsKubelet } from "../helpers/kubelet-pull";

const USER = "k8s";
const PASSWORD = `pw-${Math.random().toString(36).slice(2)}`;

/** A dockerconfigjson pull Secret for `host`, as the ImagePullSecret component makes it. */
function pullSecret(host: string, username: string, password: string, form: "auth" | "fields" = "auth"): KubeObject {
    const entry =
        form === "auth" ? { auth: Buffer.from(`${username}:${password}`).toString("base64") } : { username, password };
    const json = JSON.stringify({ auths: { [host]: entry } });
    return {
        metadata: { name: "airgap-registry", namespace: "aihub" },
        type: "kubernetes.io/dockerconfigjson",
        data: { ".dockerconfigjson": Buffer.from(json).toString("base64") },
    };
}

describe("kubelet-like pull from the private registry", () => {
    let tmp: string;
    let registry: TestRegistry;
    let image: string;

    before(async () => {
        tmp = fs.mkdtempSync(path.join(os.tmpdir(), "kubelet-pull-"));
        registry = await startRegistry(tmp, { tls: true, auth: { username: USER, password: PASSWORD } });
        const layout = path.join(tmp, "layout");
        generateImages(layout, 0.01, [
            { repo: "rapidminer/rapidminer-aihub", tag: "2026.0.2", layers: [{ name: "l", kb: 8 }] },
        ]);
        const auth = fs.mkdtempSync(path.join(tmp, "auth-"));
        fs.chmodSync(auth, 0o700);
        const authFile = path.join(auth, "auth.json");
        const token = Buffer.from(`${USER}:${PASSWORD}`).toString("base64");
        fs.writeFileSync(authFile, JSON.stringify({ auths: { [registry.host]: { auth: token } } }), { mode: 0o600 });
        image = `${registry.host}/rapidminer/rapidminer-aihub:2026.0.2`;
        execFileSync(
            "skopeo",
            [
                "copy",
                "-q",
                `--dest-authfile=${authFile}`,
                `--dest-cert-dir=${registry.certDir}`,
                `oci:${layout}:rapidminer/rapidminer-aihub:2026.0.2`,
                `docker://${image}`,
            ],
            { stdio: ["ignore", "ignore", "pipe"] },
        );
        fs.rmSync(auth, { recursive: true, force: true });
    });

    after(async () => {
        await registry?.stop();
        if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
    });

    it("the right pull Secret (auth or username/password form) pulls manifest and config blob", async () => {
        for (const form of ["auth", "fields"] as const) {
            assert.equal(
                await pullAsKubelet(image, [pullSecret(registry.host, USER, PASSWORD, form)], registry.caCert),
                undefined,
            );
        }
        const got = registry.requests().filter((l) => l.startsWith("GET /v2/rapidminer/rapidminer-aihub/"));
        assert.ok(
            got.some((l) => l.includes("/manifests/2026.0.2")),
            got.join("\n"),
        );
        assert.ok(
            got.some((l) => l.includes("/blobs/sha256:")),
            got.join("\n"),
        );
    });

    it("a wrong password in the pull Secret fails with the registry's 401", async () => {
        const why = await pullAsKubelet(image, [pullSecret(registry.host, USER, "wrong")], registry.caCert);
        assert.match(why ?? "", /as k8s \(127\.0\.0\.1:\d+\): manifest 2026\.0\.2: HTTP 401/);
        assert.match(why ?? "", /anonymously: manifest 2026\.0\.2: HTTP 401/);
    });

    it("an image that was never pushed fails with the registry's 404", async () => {
        const missing = `${registry.host}/rapidminer/rapidminer-aihub:2099.0.0`;
        const why = await pullAsKubelet(missing, [pullSecret(registry.host, USER, PASSWORD)], registry.caCert);
        assert.match(why ?? "", /as k8s .*: manifest 2099\.0\.0: HTTP 404 .*MANIFEST_UNKNOWN/);
    });

    it("no pull Secret, or one for another registry: anonymous, refused", async () => {
        for (const secrets of [[], [pullSecret("registry.other:5000", USER, PASSWORD)]]) {
            const why = await pullAsKubelet(image, secrets, registry.caCert);
            assert.match(why ?? "", /^anonymously: manifest 2026\.0\.2: HTTP 401/);
        }
    });

    it("references and keyring matching as the kubelet reads them", () => {
        assert.deepEqual(parseRef("busybox"), { host: "docker.io", repo: "library/busybox", ref: "latest" });
        assert.deepEqual(parseRef("127.0.0.1:5000/ceph/ceph:v19.2.3"), {
            host: "127.0.0.1:5000",
            repo: "ceph/ceph",
            ref: "v19.2.3",
        });
        assert.equal(parseRef("r:5000/a/b@sha256:abc").ref, "sha256:abc");
        const s = pullSecret("https://r.example:5000/ceph/", USER, PASSWORD);
        assert.equal(matchingCredentials([s], "r.example:5000", "ceph/ceph").length, 1);
        assert.equal(matchingCredentials([s], "r.example:5000", "rook/ceph").length, 0);
    });
});
