/**
 * `npm run bundle` end to end on a full stack: the real inventory (Rook and AI Hub catalogs, Ceph image, extra
 * images, images rendered by helm from the fixture charts) pulled through `bundle.upstreamMirrors` from a loopback
 * registry that serves a small generated image under every upstream name; plugins and the Pulumi CLI from a local
 * HTTP server (GitHub and get.pulumi.com are not reachable here); an SBOM and a signature by an encrypted key; split parts; then verify of the
 * parts with the public key.
 */
import assert from "node:assert/strict";
import { execFileSync, spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as http from "node:http";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, test } from "node:test";
import { imageArtifacts, readManifest } from "../../pipeline/manifest";
import { parseImageRef } from "../../lib/imageref";
import { stackImages } from "../../platform/inventory";
import { stackConfig } from "../../pipeline/stack";
import { generateImages } from "../fixtures/images/generate";
import { helmBinary } from "../helpers/helm";
import { vendorProject } from "../helpers/vendor-charts";
import { checksumsFor, makeCliArchive } from "../helpers/pulumi-cli";
import { startRegistry, type TestRegistry } from "../helpers/registry";
import { PROJECT_DIR } from "../harness";
import { makeKey, TEST_PASSPHRASE } from "../helpers/signing";

let work: string;
let upstream: TestRegistry;
let plugins: http.Server;
let project: string;
let result: { code: number | null; out: string };
let signer: { key: string; pub: string };
/** The CLI of the version package.json pins for @pulumi/pulumi. */
const CLI = "pulumi-v3.248.0-linux-x64.tar.gz";

before(async () => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), "aihub-bundle-cli-"));
    upstream = await startRegistry(work);
    const cli = makeCliArchive(work, "3.248.0");
    assert.equal(cli.name, CLI);
    const cliFiles: Record<string, Buffer | string> = {
        [`/sdk/${CLI}`]: cli.body,
        "/sdk/pulumi-3.248.0-checksums.txt": checksumsFor({ [CLI]: cli.body }),
    };
    // The provider release and the goreleaser checksums file published beside it (plugins.ts).
    const plugin = "pulumi-resource-kubernetes-v4.25.0-linux-amd64.tar.gz";
    cliFiles[`/gh/pulumi-kubernetes/releases/download/v4.25.0/${plugin}`] = `plugin ${plugin}`;
    cliFiles["/gh/pulumi-kubernetes/releases/download/v4.25.0/pulumi-kubernetes_4.25.0_checksums.txt"] = checksumsFor({
        [plugin]: Buffer.from(`plugin ${plugin}`),
    });
    plugins = http.createServer((req, res) => {
        const body = cliFiles[req.url ?? ""];
        res.writeHead(body === undefined ? 404 : 200);
        res.end(body ?? "");
    });
    await new Promise<void>((r) => plugins.listen(0, "127.0.0.1", r));

    const mirrors = Object.fromEntries(
        ["docker.io", "quay.io", "registry.k8s.io"].map((h) => [h, `${upstream.host}/${h}`]),
    );
    project = vendorProject(path.join(work, "project"), (doc) => {
        doc.setIn(["config", "aihub-airgap:bundle"], {
            path: "./bundle",
            platforms: ["linux/amd64"],
            extraImages: ["docker.io/library/nginx:1.27"],
            upstreamMirrors: mirrors,
            upstreamTlsVerify: false,
        });
        doc.deleteIn(["config", "aihub-airgap:aihub", "valuesFile"]);
        // The values file licensed through the Altair License Manager; without it the chart's Altair One is refused.
        doc.setIn(["config", "aihub-airgap:aihub", "values"], {
            license: { altair: { mode: "on_prem", onPrem: { host: "lm.internal", port: "6200" } } },
        });
    });
    for (const f of ["package.json", "package-lock.json"])
        fs.copyFileSync(path.join(PROJECT_DIR, f), path.join(project, f));
    // The bundle records the checkout it is made from: a git checkout, committed.
    const git = (...a: string[]) =>
        execFileSync("git", ["-C", project, "-c", "user.name=t", "-c", "user.email=t@t", ...a], { stdio: "pipe" });
    git("init", "-q");
    git("add", "-A");
    git("commit", "-qm", "fixture project");
    signer = makeKey(work, "signer", "pkcs8-encrypted");
    // helm and skopeo through wrappers that log their arguments and environment, to show the key never reaches them.
    for (const [name, real] of [
        ["helm", helmBinary()],
        ["skopeo", execFileSync("sh", ["-c", "command -v skopeo"], { encoding: "utf8" }).trim()],
    ]) {
        const log = path.join(work, "children.log");
        fs.writeFileSync(path.join(work, name), `#!/bin/sh\n{ echo "ARGS $*"; env; } >> ${log}\nexec ${real} "$@"\n`, {
            mode: 0o755,
        });
    }

    // Every upstream name the inventory asks for, served by the mirror (one small image under many names).
    const layout = path.join(work, "generated");
    generateImages(layout, 0.05);
    for (const m of stackImages(stackConfig(project, "airgap"))) {
        const r = parseImageRef(m.source);
        const ref = `${upstream.host}/${r.host}/${r.path}:${r.tag}`;
        execFileSync("skopeo", [
            "copy",
            "-q",
            "--dest-tls-verify=false",
            `oci:${layout}:library/base:1`,
            `docker://${ref}`,
        ]);
    }

    const port = (plugins.address() as { port: number }).port;
    // Asynchronous: the plugin server lives in this process and must keep answering while the CLI runs.
    const child = spawn(
        process.execPath,
        ["--import", "tsx", path.join(PROJECT_DIR, "cli/bundle.ts"), "--stack", "airgap", "--dir", project].concat([
            "--out",
            path.join(project, "bundle"),
            "--split",
            "1M",
            "--no-npm",
            "--sign-key",
            signer.key,
        ]),
        {
            env: {
                ...process.env,
                HELM: path.join(work, "helm"),
                SKOPEO: path.join(work, "skopeo"),
                AIHUB_PLUGIN_BASE_URL: `http://127.0.0.1:${port}/gh`,
                AIHUB_PULUMI_CLI_BASE_URL: `http://127.0.0.1:${port}/sdk`,
                AIHUB_SIGN_KEY_PASSWORD: TEST_PASSPHRASE,
            },
        },
    );
    let out = "";
    child.stdout.on("data", (c) => (out += c));
    child.stderr.on("data", (c) => (out += c));
    const code = await new Promise<number | null>((r) => child.on("close", r));
    result = { code, out };
});

after(async () => {
    await upstream?.stop();
    await new Promise((r) => plugins?.close(r));
    if (work) fs.rmSync(work, { recursive: true, force: true });
});

test("bundles the whole inventory through the mirrors, with charts, plugins and the Pulumi CLI", () => {
    assert.equal(result.code, 0, result.out);
    assert.match(result.out, /inventory: 38 images, 3 charts, 1 plugins, Pulumi CLI 3\.248\.0$/m);
    const m = readManifest(path.join(project, "bundle"))!;
    const images = imageArtifacts(m);
    assert.equal(images.length, 38);
    assert.ok(images.some((i) => i.source === "docker.io/library/nginx:1.27"));
    const ceph = images.find((i) => i.source === "quay.io/ceph/ceph:v19.2.3")!;
    assert.equal(ceph.target, "registry.airgap.internal:5000/ceph/ceph:v19.2.3");
    // One image under 38 names: its 4 blobs are stored once.
    assert.equal(new Set(images.map((i) => i.digest)).size, 1);
    assert.equal(fs.readdirSync(path.join(project, "bundle/images/blobs/sha256")).length, 3);
    assert.deepEqual(
        m.artifacts.filter((a) => a.kind !== "image").map((a) => `${a.kind} ${a.path}`),
        [
            "chart charts/rook-ceph-v1.20.6.tgz",
            "chart charts/ceph-csi-drivers-1.0.4.tgz",
            "chart charts/rapidminer-aihub-2026.0.2.tgz",
            "file plugins/pulumi-kubernetes_4.25.0_checksums.txt",
            "plugin plugins/pulumi-resource-kubernetes-v4.25.0-linux-amd64.tar.gz",
            `cli pulumi/${CLI}`,
            "verifier verify.cjs",
            "sbom sbom.cdx.json",
        ],
    );
    const plugin = m.artifacts.find((a) => a.kind === "plugin")!;
    // Charts are recorded relative to the checkout (or by name): no bastion folder in the signed bundle.json.
    const chartSources = m.artifacts.filter((a) => a.kind === "chart").map((a) => a.source);
    assert.deepEqual(
        chartSources.filter((s) => path.isAbsolute(s) || s.includes(work)),
        [],
        chartSources.join(", "),
    );
    assert.match(plugin.source, /^http:\/\/127\.0\.0\.1:\d+\/gh\/pulumi-kubernetes\/releases\/download\/v4\.25\.0\//);
    assert.match(
        m.artifacts.find((a) => a.kind === "cli")!.source,
        /^http:\/\/127\.0\.0\.1:\d+\/sdk\/pulumi-v3\.248\.0-/,
    );
    assert.match(result.out, /split into \d+ part\(s\) in .*bundle\.parts/);
});

test("the summary says signed and what the SBOM lists; neither key nor passphrase is printed or carried", () => {
    assert.match(
        result.out,
        /bundle written to .*: signed \(key sha256:[a-f0-9]{64}, bundle\.json\.sig, bundle\.json\.sigstore\.json, SHA256SUMS\.sig; verify\.cjs sha256:[a-f0-9]{64}\); checkout [a-f0-9]{12} \(\d+ files, sha256:[a-f0-9]{64}\); sbom\.cdx\.json: \d+ components \(38 images, 3 charts, 1 plugins, 1 Pulumi CLI archives, 1 files, \d+ npm packages\); no upstream signatures or attestations$/m,
    );
    assert.ok(!result.out.includes(TEST_PASSPHRASE));
    const children = fs.readFileSync(path.join(work, "children.log"), "utf8");
    assert.match(children, /^ARGS template /m);
    assert.match(children, /^ARGS copy /m);
    assert.ok(!children.includes(TEST_PASSPHRASE), "no child process got the passphrase");
    assert.ok(!children.includes("PRIVATE KEY"), "no child process got the key");
    const body = fs.readFileSync(signer.key, "utf8").split("\n")[1];
    for (const dir of ["bundle", "bundle.parts"]) {
        for (const e of fs.readdirSync(path.join(project, dir), { recursive: true, withFileTypes: true })) {
            if (!e.isFile()) continue;
            const text = fs.readFileSync(path.join(e.parentPath, e.name), "latin1");
            assert.ok(!text.includes(body) && !text.includes(TEST_PASSPHRASE), path.join(e.parentPath, e.name));
        }
    }
});

test("the bastion names each chart path the inside would not find, with the fix", () => {
    for (const [key, file] of [
        ["rook.chart", "rook-ceph-v1.20.6.tgz"],
        ["rook.csiDriversChart", "ceph-csi-drivers-1.0.4.tgz"],
        ["aihub.chart", "rapidminer-aihub-2026.0.2.tgz"],
    ]) {
        const line = `warning: ${key} is ./charts/${file}, but inside the gap the chart is at ./bundle/charts/${file}: set ${key}: ./bundle/charts/${file}`;
        assert.ok(result.out.includes(line), `${line}\n${result.out}`);
    }
});

test("on a fresh checkout, openssl and sha256sum check the parts, then Node.js alone unpacks and verifies them (no node_modules)", () => {
    const inside = fs.mkdtempSync(path.join(os.tmpdir(), "aihub-inside-"));
    try {
        for (let d = inside; d !== path.dirname(d); d = path.dirname(d)) {
            assert.equal(fs.existsSync(path.join(d, "node_modules")), false, `${d}/node_modules must not exist`);
        }
        // The checkout crosses beside the parts: its tracked files, as a copy would carry them.
        const tracked = execFileSync("git", ["-C", project, "ls-files", "-z"], { encoding: "utf8" });
        for (const f of tracked.split("\0").filter(Boolean)) {
            fs.mkdirSync(path.dirname(path.join(inside, f)), { recursive: true });
            fs.copyFileSync(path.join(project, f), path.join(inside, f));
        }
        const parts = path.join(inside, "bundle.parts");
        fs.cpSync(path.join(project, "bundle.parts"), parts, { recursive: true });
        const sums = fs.readFileSync(path.join(parts, "SHA256SUMS"), "utf8");
        assert.match(sums, /^[a-f0-9]{64} {2}verify\.cjs$/m);
        const openssl = ["dgst", "-sha256", "-verify", signer.pub, "-signature", "SHA256SUMS.sig", "SHA256SUMS"];
        assert.equal(execFileSync("openssl", openssl, { cwd: parts, encoding: "utf8" }).trim(), "Verified OK");
        execFileSync("sha256sum", ["--quiet", "-c", "SHA256SUMS"], { cwd: parts });

        const env = { PATH: process.env.PATH ?? "" };
        const args = ["bundle.parts/verify.cjs", "bundle.parts", "--key", signer.pub, "--require-signature"];
        const r = spawnSync(process.execPath, args, {
            cwd: inside,
            env,
            encoding: "utf8",
        });
        assert.equal(r.status, 0, r.stdout + r.stderr);
        const into = path.join(inside, "bundle");
        assert.match(r.stdout, new RegExp(`^SHA256SUMS signature ok; unpacking \\d+ part\\(s\\) into ${into}$`, "m"));
        assert.match(
            r.stdout,
            /bundle ok: .*: 46 artifacts, 11 files and blobs .*; checkout [a-f0-9]{12} unchanged; signature ok \(key sha256:/,
        );
        execFileSync("openssl", openssl, { cwd: into });
        execFileSync("sha256sum", ["--quiet", "-c", "SHA256SUMS"], { cwd: into });
        for (const c of ["rook-ceph-v1.20.6.tgz", "ceph-csi-drivers-1.0.4.tgz", "rapidminer-aihub-2026.0.2.tgz"]) {
            assert.ok(fs.existsSync(path.join(into, "charts", c)), c);
        }
        // The CLI installs with tar alone, as README says.
        const home = path.join(inside, "pulumi-cli");
        fs.mkdirSync(home);
        execFileSync("tar", ["-xzf", path.join(into, "pulumi", CLI), "-C", home]);
        assert.equal(execFileSync(path.join(home, "pulumi", "pulumi"), { encoding: "utf8" }), "v3.248.0\n");

        fs.truncateSync(path.join(into, "charts", "rook-ceph-v1.20.6.tgz"), 10);
        const bad = spawnSync(process.execPath, ["bundle/verify.cjs", "bundle", "--key", signer.pub], {
            cwd: inside,
            env,
            encoding: "utf8",
        });
        assert.equal(bad.status, 1, bad.stdout + bad.stderr);
        assert.match(bad.stdout, /BAD chart charts\/rook-ceph-v1\.20\.6\.tgz: truncated or altered: 10 bytes/);
    } finally {
        fs.rmSync(inside, { recursive: true, force: true });
    }
});
