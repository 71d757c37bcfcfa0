/**
 * Upstream registries that need credentials: `npm run bundle` passes no credential flags for the pull side, so
 * skopeo's own auth file (`skopeo login`, or the file `REGISTRY_AUTH_FILE` names) is what authenticates. Real
 * skopeo and a loopback registry with htpasswd auth; no password on any command line.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, test } from "node:test";
import { buildBundle } from "../../pipeline/bundle";
import { imageArtifacts } from "../../pipeline/manifest";
import { generateImages } from "../fixtures/images/generate";
import { startRegistry, type TestRegistry } from "../helpers/registry";

let work: string;
let upstream: TestRegistry;
let image: string;
const password = crypto.randomBytes(12).toString("hex");

/** `skopeo login` into `authFile`, the password on stdin. */
function login(authFile: string, pass: string) {
    execFileSync(
        "skopeo",
        ["login", "--tls-verify=false", "--authfile", authFile, "-u", "puller", "--password-stdin", upstream.host],
        { input: pass, stdio: ["pipe", "ignore", "pipe"] },
    );
}

/** Bundles the one upstream image with skopeo's auth file taken from `REGISTRY_AUTH_FILE` (or none). */
function bundle(name: string, authFile?: string) {
    const before = process.env.REGISTRY_AUTH_FILE;
    process.env.REGISTRY_AUTH_FILE = authFile ?? path.join(work, "no-such-auth.json");
    return buildBundle({
        out: path.join(work, name),
        stack: "e2e",
        registry: "registry.airgap.internal:5000",
        platforms: ["linux/amd64"],
        images: [image],
        charts: [],
        upstreamTlsVerify: false,
        write: () => {},
    }).finally(() => {
        if (before === undefined) delete process.env.REGISTRY_AUTH_FILE;
        else process.env.REGISTRY_AUTH_FILE = before;
    });
}

before(async () => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), "aihub-upstream-login-"));
    upstream = await startRegistry(work, { auth: { username: "puller", password } });
    const layout = path.join(work, "generated");
    generateImages(layout, 0.02);
    const auth = path.join(work, "push-auth.json");
    login(auth, password);
    image = `${upstream.host}/vendor/base:1`;
    execFileSync("skopeo", [
        "copy",
        "-q",
        "--dest-tls-verify=false",
        `--dest-authfile=${auth}`,
        `oci:${layout}:library/base:1`,
        `docker://${image}`,
    ]);
});

after(async () => {
    await upstream?.stop();
    if (work) fs.rmSync(work, { recursive: true, force: true });
});

test("without a login the pull is refused by the upstream registry", async () => {
    await assert.rejects(bundle("anonymous"), /unauthorized|authentication required/i);
});

test("after `skopeo login` (its auth file) the bundle pulls the image", async () => {
    const auth = path.join(work, "login-auth.json");
    login(auth, password);
    const r = await bundle("logged-in", auth);
    const images = imageArtifacts(r.manifest);
    assert.deepEqual(
        images.map((i) => i.source),
        [image],
    );
    assert.match(images[0].digest, /^sha256:[a-f0-9]{64}$/);
});
