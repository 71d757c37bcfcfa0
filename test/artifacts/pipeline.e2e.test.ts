/**
 * End to end with real components: generated images served by an upstream docker-registry on 127.0.0.1, the
 * bundle built from it with skopeo, verify, then push (CLI) into a private registry with TLS (test CA) and
 * htpasswd auth. Every server is stopped in `after`, also when a test fails.
 */
import { spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as http from "node:http";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { buildBundle } from "../../pipeline/bundle";
import { sha256 } from "../../lib/digest";
import { imageArtifacts, readManifest, type BundleManifest } from "../../pipeline/manifest";
import { pushReference } from "../../pipeline/push-refs";
import { registryAccess, skopeo } from "../../pipeline/skopeo";
import { splitBundle } from "../../pipeline/split";
import { verifyBundle } from "../../pipeline/verify";
import { startUpstream, type Upstream } from "../fixtures/images/upstream";
import { checksumsFor, makeCliArchive } from "../helpers/pulumi-cli";
import { startRegistry, type TestRegistry } from "../helpers/registry";

const ROOT = path.resolve(__dirname, "..", "..");
const USER = "k8s";
const PASSWORD = "e2e-Secret-1";
const CLI_VERSION = "3.248.0";

let work: string;
let up: Upstream;
let priv: TestRegistry;
let bundle: string;
let manifest: BundleManifest;
let plugins: http.Server;
let cliArchive: { name: string; body: Buffer };
const servers: { stop(): Promise<void> }[] = [];

/** Runs one of our CLIs; resolves with exit code and output. */
function cli(script: string, args: string[], env: Record<string, string> = {}) {
    const r = spawnSync(process.execPath, ["--import", "tsx", path.join(ROOT, "cli", script), ...args], {
        cwd: ROOT,
        encoding: "utf8",
        env: { ...process.env, ...env },
    });
    return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

/** A project dir whose stack `e2e` names a registry (push reads only `registry`). */
function projectFor(reg: TestRegistry, caCert = reg.caCert): string {
    const dir = fs.mkdtempSync(path.join(work, "project-"));
    const ca = caCert ? `    caCert: |\n${caCert.trim().replace(/^/gm, "      ")}\n` : "";
    fs.writeFileSync(
        path.join(dir, "Pulumi.e2e.yaml"),
        `config:\n  aihub-airgap:registry:\n    server: ${reg.host}\n    username: ${USER}\n    password:\n      secure: v1:abc:def\n${ca}`,
    );
    return dir;
}

/** The digest a registry holds for a reference (with the private registry's credentials and CA). */
async function digestAt(ref: string, reg?: TestRegistry): Promise<string> {
    const access = registryAccess(
        reg
            ? { server: reg.host, username: USER, password: PASSWORD, caCert: reg.caCert }
            : { server: ref, tlsVerify: false },
    );
    try {
        return `sha256:${sha256(await skopeo(["inspect", "--raw", ...access.flags(""), `docker://${ref}`]))}`;
    } finally {
        access.cleanup();
    }
}

const uploads = (reg: TestRegistry) => reg.requests().filter((r) => /^(PUT|POST|PATCH) /.test(r)).length;

before(async () => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), "aihub-e2e-"));
    up = await startUpstream(work);
    servers.push(up.registry);
    priv = await startRegistry(work, { tls: true, auth: { username: USER, password: PASSWORD } });
    servers.push(priv);
    // A stand-in for GitHub's and get.pulumi.com's release downloads: the real ones are not reachable here.
    cliArchive = makeCliArchive(work, CLI_VERSION);
    const cliFiles: Record<string, Buffer | string> = {
        [`/sdk/${cliArchive.name}`]: cliArchive.body,
        [`/sdk/pulumi-${CLI_VERSION}-checksums.txt`]: checksumsFor({ [cliArchive.name]: cliArchive.body }),
    };
    // The provider release: its tarball and the goreleaser checksums file published beside it (plugins.ts).
    const pluginUrl = "/pulumi-random/releases/download/v4.21.2/pulumi-resource-random-v4.21.2-linux-amd64.tar.gz";
    cliFiles[pluginUrl] = `fake plugin ${pluginUrl}`;
    cliFiles["/pulumi-random/releases/download/v4.21.2/pulumi-random_4.21.2_checksums.txt"] = checksumsFor({
        "pulumi-resource-random-v4.21.2-linux-amd64.tar.gz": Buffer.from(`fake plugin ${pluginUrl}`),
        "pulumi-resource-random-v4.21.2-darwin-arm64.tar.gz": Buffer.from("another platform"),
    });
    // A release whose tarball is not what its checksums file lists (a swapped or damaged download).
    const swapped = "/pulumi-random/releases/download/v4.21.3/pulumi-resource-random-v4.21.3-linux-amd64.tar.gz";
    cliFiles[swapped] = "swapped plugin";
    cliFiles["/pulumi-random/releases/download/v4.21.3/pulumi-random_4.21.3_checksums.txt"] = checksumsFor({
        "pulumi-resource-random-v4.21.3-linux-amd64.tar.gz": Buffer.from("the published plugin"),
    });
    plugins = http.createServer((req, res) => {
        const body = cliFiles[req.url ?? ""];
        res.writeHead(body === undefined ? 404 : 200);
        res.end(body ?? "");
    });
    await new Promise<void>((r) => plugins.listen(0, "127.0.0.1", r));
    const chart = path.join(work, "demo-0.1.0.tgz");
    fs.writeFileSync(chart, "not really a chart, but carried byte for byte");
    bundle = path.join(work, "bundle");
    const r = await buildBundle({
        out: bundle,
        stack: "e2e",
        registry: priv.host,
        platforms: ["linux/amd64"],
        images: up.refs,
        charts: [chart],
        plugins: [{ name: "random", version: "4.21.2" }],
        pluginBaseUrl: `http://127.0.0.1:${(plugins.address() as { port: number }).port}`,
        pulumiCli: { version: CLI_VERSION },
        pulumiCliBaseUrl: `http://127.0.0.1:${(plugins.address() as { port: number }).port}/sdk`,
        upstreamTlsVerify: false,
        write: () => {},
    });
    manifest = r.manifest;
});

after(async () => {
    await Promise.all(servers.map((s) => s.stop()));
    await new Promise((r) => plugins?.close(r));
    if (work) fs.rmSync(work, { recursive: true, force: true });
});

describe("bundle", () => {
    test("records every image with the upstream digest, and each chart, plugin and CLI with its sha256", async () => {
        const images = imageArtifacts(manifest);
        assert.equal(images.length, 4);
        for (const ref of up.refs) {
            const a = images.find((i) => i.source === ref)!;
            assert.equal(a.digest, await digestAt(ref));
            assert.equal(a.target, `${priv.host}/${ref.split("/").slice(1).join("/")}`);
        }
        const files = manifest.artifacts.filter((a) => a.kind !== "image");
        assert.deepEqual(
            files.map((a) => [a.kind, a.path]),
            [
                ["chart", "charts/demo-0.1.0.tgz"],
                ["file", "plugins/pulumi-random_4.21.2_checksums.txt"],
                ["plugin", "plugins/pulumi-resource-random-v4.21.2-linux-amd64.tar.gz"],
                ["cli", `pulumi/${cliArchive.name}`],
            ],
        );
        // A chart from outside the checkout is recorded by its file name: no bastion folder in signed metadata.
        assert.equal(files[0].source, "demo-0.1.0.tgz");
        const plugin = files[2];
        const body =
            "fake plugin /pulumi-random/releases/download/v4.21.2/pulumi-resource-random-v4.21.2-linux-amd64.tar.gz";
        assert.equal(plugin.kind === "plugin" && plugin.sha256, sha256(body));
        assert.equal(plugin.size, body.length);
        const cli = files[3];
        assert.equal(cli.kind === "cli" && cli.sha256, sha256(cliArchive.body));
        assert.match(cli.source, new RegExp(`^http://127\\.0\\.0\\.1:\\d+/sdk/${cliArchive.name}$`));
    });

    test("stores each shared layer once: layout blobs = unique blobs, far below the per-image sum", () => {
        const images = imageArtifacts(manifest);
        const unique = new Map(images.flatMap((a) => a.blobs.map((b) => [b.digest, b.size] as const)));
        const onDisk = fs.readdirSync(path.join(bundle, "images", "blobs", "sha256"));
        // 4 manifests + 4 configs + 10 distinct layers (base-os shared by 3 images, runtime by 2).
        assert.equal(unique.size, 18);
        assert.deepEqual(onDisk.sort(), [...unique.keys()].map((d) => d.slice(7)).sort());
        const base = up.images[0].layers[0];
        assert.equal(images.filter((a) => a.blobs.some((b) => b.digest === base)).length, 3);
        const diskBytes = onDisk.reduce((n, f) => n + fs.statSync(path.join(bundle, "images/blobs/sha256", f)).size, 0);
        assert.equal(
            diskBytes,
            [...unique.values()].reduce((a, b) => a + b, 0),
        );
        assert.ok(diskBytes < images.reduce((n, a) => n + a.size, 0) * 0.7);
    });

    test("a second run with the same inventory reuses everything without asking upstream", async () => {
        const before = up.registry.requests().length;
        const r = await buildBundle({
            out: bundle,
            stack: "e2e",
            registry: priv.host,
            platforms: ["linux/amd64"],
            images: up.refs,
            charts: [path.join(work, "demo-0.1.0.tgz")],
            plugins: [{ name: "random", version: "4.21.2" }],
            pluginBaseUrl: "http://127.0.0.1:9/unreachable",
            pulumiCli: { version: CLI_VERSION },
            pulumiCliBaseUrl: "http://127.0.0.1:9/unreachable",
            upstreamTlsVerify: false,
            write: () => {},
        });
        assert.equal(r.reused.filter((x) => x.startsWith("image ")).length, 4);
        assert.deepEqual(r.fetched, ["chart demo-0.1.0.tgz"]);
        assert.ok(r.reused.includes("plugin pulumi-resource-random-v4.21.2-linux-amd64.tar.gz"));
        assert.ok(r.reused.includes(`cli ${cliArchive.name}`));
        assert.equal(up.registry.requests().length, before);
        manifest = r.manifest;
    });
});

describe("provider plugins", () => {
    test("a tarball that does not match the release's published checksums is refused and removed", async () => {
        const out = path.join(work, "swapped");
        await assert.rejects(
            buildBundle({
                out,
                stack: "e2e",
                registry: priv.host,
                platforms: ["linux/amd64"],
                images: [],
                charts: [],
                plugins: [{ name: "random", version: "4.21.3" }],
                pluginBaseUrl: `http://127.0.0.1:${(plugins.address() as { port: number }).port}`,
                write: () => {},
            }),
            /pulumi-resource-random-v4\.21\.3-linux-amd64\.tar\.gz: sha256 [a-f0-9]{64}, but .*pulumi-random_4\.21\.3_checksums\.txt lists [a-f0-9]{64}; the download was removed/,
        );
        assert.equal(
            fs.existsSync(path.join(out, "plugins", "pulumi-resource-random-v4.21.3-linux-amd64.tar.gz")),
            false,
        );
    });
});

describe("verify", () => {
    test("passes an intact bundle (CLI exit 0)", async () => {
        assert.deepEqual((await verifyBundle(bundle)).problems, []);
        const r = cli("verify.ts", [bundle]);
        assert.equal(r.code, 0, r.out);
        assert.match(r.out, /bundle ok: .*: 8 artifacts, 22 files and blobs/);
    });

    test("names the images of a tampered shared layer, and push refuses before contacting the registry", () => {
        const copy = path.join(work, "tampered");
        fs.cpSync(bundle, copy, { recursive: true });
        const layer = up.images[0].layers[0];
        const file = path.join(copy, "images/blobs/sha256", layer.slice(7));
        const buf = fs.readFileSync(file);
        buf[100] ^= 0xff;
        fs.writeFileSync(file, buf);
        const r = cli("verify.ts", [copy]);
        assert.equal(r.code, 1);
        const bad = r.out.split("\n").filter((l) => l.startsWith("BAD "));
        assert.equal(bad.length, 1, r.out);
        assert.ok(bad[0].startsWith(`BAD blob ${layer} (of image `), bad[0]);
        for (const img of ["library/base:1", "apps/web:1.0", "apps/api:1.0"]) assert.ok(bad[0].includes(img), bad[0]);
        assert.match(bad[0], /\): checksum mismatch: sha256 [a-f0-9]{64}, expected /);
        const before = priv.requests().length;
        const p = cli("push.ts", [copy, "--stack", "e2e", "--dir", projectFor(priv)], {
            AIHUB_REGISTRY_PASSWORD: PASSWORD,
        });
        assert.equal(p.code, 1);
        assert.match(p.out, /push refused: the bundle failed verification \(1 problem\(s\)\); nothing pushed/);
        assert.equal(priv.requests().length, before);
    });

    test("names a truncated blob, a missing chart and an altered Pulumi CLI archive", () => {
        const copy = path.join(work, "truncated");
        fs.cpSync(bundle, copy, { recursive: true });
        const layer = up.images[3].layers[5];
        const file = path.join(copy, "images/blobs/sha256", layer.slice(7));
        fs.truncateSync(file, 1000);
        fs.rmSync(path.join(copy, "charts/demo-0.1.0.tgz"));
        const archive = path.join(copy, "pulumi", cliArchive.name);
        const buf = fs.readFileSync(archive);
        buf[30] ^= 0xff;
        fs.writeFileSync(archive, buf);
        const r = cli("verify.ts", [copy]);
        assert.equal(r.code, 1);
        assert.match(
            r.out,
            new RegExp(
                `BAD blob ${layer} \\(of image .*tools/multi:2.0\\): truncated or altered: 1000 bytes, expected \\d+`,
            ),
        );
        assert.match(r.out, /BAD chart charts\/demo-0.1.0.tgz: missing/);
        assert.ok(r.out.includes(`BAD cli pulumi/${cliArchive.name}: checksum mismatch: sha256 `), r.out);
        assert.match(r.out, /verify failed: 3 problem\(s\)/);
    });

    test("split parts: intact parts are reassembled and verified; a truncated part is named", async () => {
        const parts = path.join(work, "parts");
        const names = await splitBundle(bundle, parts, 4 << 20);
        const tarBytes = names.reduce((n, f) => n + fs.statSync(path.join(parts, f)).size, 0);
        assert.equal(names.length, Math.ceil(tarBytes / (4 << 20)));
        assert.ok(names.length >= 3);
        const into = path.join(work, "unpacked");
        const ok = cli("verify.ts", [parts, "--into", into]);
        assert.equal(ok.code, 0, ok.out);
        assert.match(ok.out, /SHA256SUMS not signed; unpacking \d+ part\(s\) into .*unpacked\n[\s\S]*bundle ok/);
        fs.rmSync(into, { recursive: true });
        fs.truncateSync(path.join(parts, names[1]), 12345);
        const bad = cli("verify.ts", [parts, "--into", into]);
        assert.equal(bad.code, 1);
        assert.match(bad.out, /BAD part bundle.tar.part-001: checksum mismatch \(12345 bytes; truncated or altered\)/);
        assert.equal(fs.existsSync(into), false);
    });
});

describe("push", () => {
    test("wrong credentials give one clear error and push nothing", () => {
        const r = cli("push.ts", [bundle, "--stack", "e2e", "--dir", projectFor(priv)], {
            AIHUB_REGISTRY_PASSWORD: "wrong",
        });
        assert.equal(r.code, 1);
        assert.match(r.out, /push failed: registry 127\.0\.0\.1:\d+ rejected the credentials of user "k8s"/);
        assert.equal(uploads(priv), 0);
    });

    test("an untrusted registry certificate is refused (TLS verified by default)", () => {
        const r = cli("push.ts", [bundle, "--stack", "e2e", "--dir", projectFor(priv, "")], {
            AIHUB_REGISTRY_PASSWORD: PASSWORD,
        });
        assert.equal(r.code, 1);
        assert.match(r.out, /cannot verify the TLS certificate of 127\.0\.0\.1:\d+: set registry.caCert/);
        assert.equal(uploads(priv), 0);
    });

    test("pushes every image with its upstream digest; a second push uploads nothing", async () => {
        const project = projectFor(priv);
        const first = cli("push.ts", [bundle, "--stack", "e2e", "--dir", project], {
            AIHUB_REGISTRY_PASSWORD: PASSWORD,
        });
        assert.equal(first.code, 0, first.out);
        assert.match(first.out, /push done: 4 copied, 0 already present, 0 failed/);
        assert.doesNotMatch(first.out, new RegExp(PASSWORD));
        for (const a of imageArtifacts(manifest)) {
            assert.equal(await digestAt(pushReference(a.source, priv.host), priv), await digestAt(a.source));
        }
        const uploaded = uploads(priv);
        assert.ok(uploaded >= 18, `expected uploads of 18 blobs, saw ${uploaded}`);
        const second = spawnSync(
            process.execPath,
            ["--import", "tsx", "cli/push.ts", bundle, "--stack", "e2e", "--dir", project, "--password-stdin"],
            { cwd: ROOT, encoding: "utf8", input: `${PASSWORD}\n` },
        );
        assert.equal(second.status, 0, second.stderr);
        assert.match(second.stdout, /push done: 0 copied, 4 already present, 0 failed/);
        assert.equal(uploads(priv), uploaded);
    });

    test("a push killed midway completes when run again", async () => {
        const target = await startRegistry(work, { tls: true, auth: { username: USER, password: PASSWORD } });
        servers.push(target);
        const project = projectFor(target);
        const child = spawn(
            process.execPath,
            ["--import", "tsx", "cli/push.ts", bundle, "--stack", "e2e", "--dir", project, "--parallel", "1"],
            { cwd: ROOT, env: { ...process.env, AIHUB_REGISTRY_PASSWORD: PASSWORD }, detached: true },
        );
        let out = "";
        const killed = new Promise<void>((resolve) => {
            child.stdout.on("data", (c) => {
                out += c;
                if (/\[1\/4\] pushed/.test(out) && child.exitCode === null) process.kill(-child.pid!, "SIGKILL");
            });
            child.on("exit", () => resolve());
        });
        await killed;
        assert.equal(child.signalCode, "SIGKILL", out);
        const again = cli("push.ts", [bundle, "--stack", "e2e", "--dir", project], {
            AIHUB_REGISTRY_PASSWORD: PASSWORD,
        });
        assert.equal(again.code, 0, again.out);
        const m = /push done: (\d) copied, (\d) already present, 0 failed/.exec(again.out);
        assert.ok(m, again.out);
        assert.ok(Number(m[1]) >= 1 && Number(m[2]) >= 1 && Number(m[1]) + Number(m[2]) === 4, again.out);
        for (const a of imageArtifacts(readManifest(bundle)!)) {
            assert.equal(await digestAt(pushReference(a.source, target.host), target), a.digest);
        }
    });

    for (const [signal, group] of [
        ["SIGTERM", false],
        ["SIGINT", true],
    ] as const) {
        test(`${signal} to the push${group ? "'s process group (Ctrl-C)" : ""} leaves no auth file`, async () => {
            const target = await startRegistry(work, { tls: true, auth: { username: USER, password: PASSWORD } });
            servers.push(target);
            const tmp = fs.mkdtempSync(path.join(work, "tmp-"));
            const child = spawn(
                process.execPath,
                ["--import", "tsx", "cli/push.ts", bundle, "--stack", "e2e", "--dir", projectFor(target)],
                {
                    cwd: ROOT,
                    env: { ...process.env, AIHUB_REGISTRY_PASSWORD: PASSWORD, TMPDIR: tmp },
                    detached: true,
                },
            );
            let out = "";
            let seen: string[] = [];
            let sent = false;
            const exited = new Promise<void>((resolve) => child.on("exit", () => resolve()));
            child.stdout.on("data", (c) => {
                out += c;
                if (/pushing /.test(out) && !sent && child.exitCode === null) {
                    sent = true;
                    seen = fs.readdirSync(tmp);
                    process.kill(group ? -child.pid! : child.pid!, signal);
                }
            });
            await exited;
            // The push speaks the registry API itself: the credentials stay in memory, never in a file.
            assert.ok(!seen.some((d) => d.startsWith("aihub-registry-")), `auth dir while pushing: ${seen} ${out}`);
            // tsx keeps its compile cache there too; only our dirs matter.
            assert.deepEqual(
                fs.readdirSync(tmp).filter((d) => d.startsWith("aihub-")),
                [],
            );
            assert.ok(child.exitCode === (signal === "SIGTERM" ? 143 : 130) || child.signalCode === signal, out);
        });
    }
});
