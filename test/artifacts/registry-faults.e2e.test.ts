/**
 * Issue 26, items 4 and 6 for the pipeline, against real docker-registry (distribution) processes on loopback: the
 * private registry killed in the middle of a push (restarted at once, or left down and restarted later), a registry
 * answering 503 with Retry-After for a while (a counting loopback front in front of the real one), and two pushes
 * of the same bundle to one registry at once. Every upload is counted in the registry's own access log (or the
 * front's), so a re-run is shown to send only what the registry did not have.
 */
import assert from "node:assert/strict";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as http from "node:http";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe, test } from "node:test";
import { buildBundle } from "../../pipeline/bundle";
import { walkImages } from "../../pipeline/layout";
import { IMAGES_DIR, imageArtifacts, type BundleManifest } from "../../pipeline/manifest";
import { pushBundle } from "../../pipeline/push";
import { pushReference } from "../../pipeline/push-refs";
import type { PushResult } from "../../pipeline/push-refs";
import { bundleOf, startUpstream, type Upstream } from "../fixtures/images/upstream";
import { startRegistry, type TestRegistry } from "../helpers/registry";

/** Digests sent as blob uploads (the `digest=` of the closing PUT of an upload). */
function uploadedDigests(lines: string[]): string[] {
    return lines
        .filter((l) => l.startsWith("PUT ") && /\/blobs\/uploads\//.test(l))
        .map((l) => decodeURIComponent(/digest=([^&\s]+)/.exec(l)![1]));
}

/** Upload sessions opened without a mount (`POST …/blobs/uploads/` with no `mount=`). */
function uploadStarts(lines: string[]): number {
    return lines.filter((l) => l.startsWith("POST ") && /\/blobs\/uploads\/(\?|$)/.test(l) && !/mount=/.test(l)).length;
}

/** The sha256 digests of every blob in a filesystem-driver registry's blob store. */
function storedBlobs(reg: TestRegistry): Set<string> {
    const dir = path.join(reg.storage, "docker/registry/v2/blobs/sha256");
    if (!fs.existsSync(dir)) return new Set();
    return new Set(
        fs
            .readdirSync(dir)
            .flatMap((pre) => fs.readdirSync(path.join(dir, pre)))
            .filter((hex) => fs.existsSync(path.join(dir, hex.slice(0, 2), hex, "data")))
            .map((hex) => `sha256:${hex}`),
    );
}

/** `repository digest` of every blob linked into a repository (what a HEAD in that repository finds). */
function linkedBlobs(reg: TestRegistry): Set<string> {
    const root = path.join(reg.storage, "docker/registry/v2/repositories");
    const out = new Set<string>();
    const walk = (dir: string, repo: string[]) => {
        if (!fs.existsSync(dir)) return;
        const layers = path.join(dir, "_layers/sha256");
        if (fs.existsSync(layers)) {
            for (const hex of fs.readdirSync(layers))
                if (fs.existsSync(path.join(layers, hex, "link"))) out.add(`${repo.join("/")} sha256:${hex}`);
        }
        for (const d of fs.readdirSync(dir)) if (!d.startsWith("_")) walk(path.join(dir, d), [...repo, d]);
    };
    walk(root, []);
    return out;
}

/** `repository digest` of every blob upload (closing PUT) in access log lines. */
function uploadsByRepo(lines: string[]): string[] {
    return lines
        .map((l) => /^PUT \/v2\/(.+)\/blobs\/uploads\/.*[?&]digest=([^&\s]+)/.exec(l))
        .filter((m): m is RegExpExecArray => !!m)
        .map((m) => `${m[1]} ${decodeURIComponent(m[2])}`);
}

/** GET over plain HTTP; the body as bytes. */
function get(
    url: string,
    accept?: string,
): Promise<{ status: number; body: Buffer; headers: http.IncomingHttpHeaders }> {
    return new Promise((resolve, reject) => {
        http.get(url, { headers: accept ? { accept } : {} }, (res) => {
            const chunks: Buffer[] = [];
            res.on("data", (c: Buffer) => chunks.push(c));
            res.on("end", () =>
                resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks), headers: res.headers }),
            );
            res.on("error", reject);
        }).on("error", reject);
    });
}

const sha = (b: Buffer) => `sha256:${crypto.createHash("sha256").update(b).digest("hex")}`;

const MANIFEST_TYPES = [
    "application/vnd.oci.image.index.v1+json",
    "application/vnd.oci.image.manifest.v1+json",
    "application/vnd.docker.distribution.manifest.list.v2+json",
    "application/vnd.docker.distribution.manifest.v2+json",
].join(", ");

/**
 * Reads every image of the bundle back from the registry by its tag, as a client pulling it would: the manifest's
 * bytes must hash to the bundle's digest, and every blob it names must be served with the bytes its digest names.
 * Returns the problems found (empty when all is readable and intact).
 */
async function readBack(host: string, manifest: BundleManifest): Promise<string[]> {
    const problems: string[] = [];
    for (const a of imageArtifacts(manifest)) {
        const ref = pushReference(a.source, host);
        const repo = ref.slice(host.length + 1).replace(/:[^:/]+$/, "");
        const tag = ref.slice(ref.lastIndexOf(":") + 1);
        const m = await get(`http://${host}/v2/${repo}/manifests/${tag}`, MANIFEST_TYPES);
        if (m.status !== 200 || sha(m.body) !== a.digest) {
            problems.push(`${ref}: manifest ${m.status} ${m.status === 200 ? sha(m.body) : ""}, expected ${a.digest}`);
            continue;
        }
        for (const b of a.blobs) {
            const kind = b.digest === a.digest ? "manifests" : "blobs";
            const r = await get(`http://${host}/v2/${repo}/${kind}/${b.digest}`, MANIFEST_TYPES);
            if (r.status !== 200 || sha(r.body) !== b.digest) problems.push(`${ref}: ${kind} ${b.digest} ${r.status}`);
        }
    }
    return problems;
}

/**
 * A counting loopback front for a registry: forwards every request as it is (the Host header too, so the
 * registry's upload Locations point back at the front), or answers 503 with `Retry-After` while `failing` is on.
 */
interface Front {
    host: string;
    /** `METHOD path` of every request forwarded, in order. */
    forwarded: string[];
    /** Times (ms) of every 503 answered. */
    refused: number[];
    failing: boolean;
    /** Called with each forwarded request's `METHOD path` once the registry has answered it. */
    onAnswered?: (line: string, status: number) => void;
    stop(): Promise<void>;
}

async function startFront(target: string, retryAfterSeconds: number): Promise<Front> {
    const front: Front = {
        host: "",
        forwarded: [],
        refused: [],
        failing: false,
        stop: () => new Promise((r) => server.close(() => r())),
    };
    const [thost, tport] = target.split(":");
    const server = http.createServer((req, res) => {
        if (front.failing) {
            front.refused.push(Date.now());
            req.resume();
            res.writeHead(503, { "retry-after": String(retryAfterSeconds), "content-type": "application/json" });
            res.end('{"errors":[{"code":"UNAVAILABLE","message":"service unavailable"}]}');
            return;
        }
        const line = `${req.method} ${req.url}`;
        front.forwarded.push(line);
        const up = http.request(
            { host: thost, port: Number(tport), method: req.method, path: req.url, headers: req.headers },
            (r) => {
                res.writeHead(r.statusCode ?? 502, r.headers);
                r.pipe(res);
                r.on("end", () => front.onAnswered?.(line, r.statusCode ?? 0));
            },
        );
        up.on("error", () => res.destroy());
        req.pipe(up);
    });
    server.keepAliveTimeout = 1000;
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    front.host = `127.0.0.1:${(server.address() as import("node:net").AddressInfo).port}`;
    return front;
}

describe("the private registry fails in the middle of a push (issue 26, items 4 and 6)", () => {
    let work: string;
    let up: Upstream;
    let bundle: string;
    let manifest: BundleManifest;
    const servers: { stop(): Promise<void> }[] = [];
    const notes: string[] = [];

    before(async () => {
        work = fs.mkdtempSync(path.join(os.tmpdir(), "aihub-regfault-"));
        up = await startUpstream(work);
        servers.push(up.registry);
        bundle = path.join(work, "bundle");
        ({ manifest } = await buildBundle(bundleOf(up, bundle)));
    });

    after(async () => {
        await Promise.all(servers.map((s) => s.stop()));
        fs.rmSync(work, { recursive: true, force: true });
    });

    const target = async () => {
        const r = await startRegistry(work);
        servers.push(r);
        return r;
    };
    const push = (
        host: string,
        o: { backoffMs?: number; retries?: number; parallel?: number; write?: (l: string) => void } = {},
    ) =>
        pushBundle({
            dir: bundle,
            manifest,
            images: walkImages(path.join(bundle, IMAGES_DIR), imageArtifacts(manifest)),
            registry: { server: host, tlsVerify: false },
            write: (l) => {
                notes.push(l);
                o.write?.(l);
            },
            backoffMs: o.backoffMs,
            retries: o.retries,
            parallel: o.parallel,
        });
    /** Every image of the bundle as `repository:tag`, sorted. */
    const allImages = () =>
        imageArtifacts(manifest)
            .map((a) => pushReference(a.source, "r.local").slice("r.local/".length))
            .sort();
    const names = (r: PushResult, host: string) => ({
        done: [...r.copied, ...r.skipped].map((t) => t.slice(host.length + 1)).sort(),
        failed: r.failed.map((f) => f.target.slice(host.length + 1)).sort(),
    });

    test("killed after the first image and restarted 2 s later: the same push retries through it and completes", async () => {
        const reg = await target();
        let killed: Promise<void> | undefined;
        const t0 = Date.now();
        const r = await push(reg.host, {
            parallel: 1,
            write: (l) => {
                if (!killed && /\] pushed /.test(l)) {
                    killed = reg.kill().then(async () => {
                        await new Promise((res) => setTimeout(res, 2000));
                        await reg.restart();
                    });
                }
            },
        });
        await killed;
        assert.ok(killed, "the registry was never killed: the push finished before the first image");
        assert.deepEqual(names(r, reg.host), { done: allImages(), failed: [] }, JSON.stringify(r));
        assert.ok(
            notes.some((n) => /retrying .* in \d+ ms: .*ECONNREFUSED/.test(n)),
            notes.join("\n"),
        );
        assert.deepEqual(await readBack(reg.host, manifest), []);
        console.log(`# figure: push across a registry killed and restarted 2 s later: ${(Date.now() - t0) / 1000} s`);
    });

    test("killed and left down: the push gives up within its bounds, names every missing image; a re-run after the restart sends only what is missing", async () => {
        const reg = await target();
        let killed: Promise<void> | undefined;
        const t0 = Date.now();
        // Retries 3, first backoff 200 ms: 0.2 + 0.4 + 0.8 s of waiting per operation at most.
        const r = await push(reg.host, {
            parallel: 1,
            backoffMs: 200,
            write: (l) => {
                if (!killed && /\] pushed /.test(l)) killed = reg.kill();
            },
        });
        const gaveUp = (Date.now() - t0) / 1000;
        await killed;
        const first = names(r, reg.host);
        assert.ok(first.done.length >= 1 && first.failed.length >= 1, JSON.stringify(r));
        assert.deepEqual(
            first.failed,
            allImages()
                .filter((i) => !first.done.includes(i))
                .sort(),
        );
        for (const f of r.failed) {
            assert.match(
                f.error,
                new RegExp(
                    `^${f.target.replace(/[.]/g, "\\.")} on ${reg.host}: .*(ECONNREFUSED|ECONNRESET|socket hang up)`,
                ),
            );
        }
        assert.ok(gaveUp < 30, `the push took ${gaveUp} s to give up on a registry that is gone`);
        console.log(
            `# figure: push gave up on a killed registry after ${gaveUp} s; failed: ${first.failed.join(", ")}`,
        );

        await reg.restart();
        // What a HEAD in each repository finds now. A blob whose upload the kill cut short between storing and
        // linking it is in the blob store but not in the repository: the registry answers 404 for it, and it is sent
        // again (distribution's garbage collection removes the unlinked copy).
        const linked = linkedBlobs(reg);
        const mark = reg.requests().length;
        const t1 = Date.now();
        const again = await push(reg.host);
        const rerun = reg.requests().slice(mark);
        assert.deepEqual(names(again, reg.host), { done: allImages(), failed: [] });
        assert.deepEqual(
            again.skipped.map((t) => t.slice(reg.host.length + 1)),
            first.done,
        );
        const sent = uploadsByRepo(rerun);
        assert.deepEqual(
            sent.filter((u) => linked.has(u)),
            [],
            "the re-run sent blobs again that the repository already had",
        );
        assert.equal(new Set(sent).size, sent.length, `a blob was sent twice to one repository: ${sent.join(", ")}`);
        assert.equal(uploadStarts(rerun), sent.length, rerun.join("\n"));
        assert.deepEqual(await readBack(reg.host, manifest), []);
        console.log(
            `# figure: re-run after restart: ${((Date.now() - t1) / 1000).toFixed(1)} s, ${sent.length} blob uploads (${linked.size} blobs were in their repositories)`,
        );
    });

    test("503 with Retry-After: 2 for 3 s: the push waits as asked (its own backoff is 100 ms) and completes", async () => {
        const reg = await target();
        const front = await startFront(reg.host, 2);
        servers.push(front);
        let window: number | undefined;
        front.onAnswered = (line, status) => {
            if (window === undefined && line.startsWith("PUT ") && status === 201) {
                window = Date.now();
                front.failing = true;
                setTimeout(() => (front.failing = false), 3000);
            }
        };
        const waits: number[] = [];
        const r = await push(front.host, {
            backoffMs: 100,
            write: (l) => {
                const m = /retrying .* in (\d+) ms: .*HTTP 503/.exec(l);
                if (m) waits.push(Number(m[1]));
            },
        });
        assert.ok(window !== undefined && front.refused.length > 0, "the front never answered 503");
        assert.deepEqual(names(r, front.host), { done: allImages(), failed: [] }, JSON.stringify(r));
        // Without Retry-After the 3 retries would have waited 0.1 + 0.2 + 0.4 s, less than the 3 s outage.
        assert.ok(waits.length > 0 && waits.every((w) => w === 2000), `waits ${waits.join(", ")}`);
        assert.deepEqual(await readBack(reg.host, manifest), []);
        const puts = uploadedDigests(front.forwarded);
        assert.equal(new Set(puts).size, puts.length, "a blob was uploaded twice");
        console.log(
            `# figure: 503 window: ${front.refused.length} requests refused, ${waits.length} retries waited 2 s`,
        );
    });

    test("503 for longer than the retries last: every image not done is named; a re-run sends only what is missing", async () => {
        const reg = await target();
        const front = await startFront(reg.host, 1);
        servers.push(front);
        front.onAnswered = (line, status) => {
            if (line.startsWith("PUT ") && /\/manifests\//.test(line) && status === 201) front.failing = true;
        };
        const t0 = Date.now();
        const r = await push(front.host, { parallel: 1, backoffMs: 100, retries: 2 });
        const gaveUp = (Date.now() - t0) / 1000;
        const first = names(r, front.host);
        assert.ok(first.done.length >= 1 && first.failed.length >= 1, JSON.stringify(first));
        for (const f of r.failed) assert.match(f.error, /HTTP 503/);
        assert.ok(gaveUp < 30, `gave up after ${gaveUp} s`);
        front.failing = false;
        front.onAnswered = undefined;
        const linked = linkedBlobs(reg);
        const mark = front.forwarded.length;
        const again = await push(front.host);
        const rerun = front.forwarded.slice(mark);
        assert.deepEqual(names(again, front.host), { done: allImages(), failed: [] });
        const sent = uploadsByRepo(rerun);
        assert.deepEqual(
            sent.filter((u) => linked.has(u)),
            [],
            "the re-run sent blobs again that the repository had",
        );
        assert.equal(new Set(sent).size, sent.length, `a blob was sent twice to one repository: ${sent.join(", ")}`);
        assert.deepEqual(await readBack(reg.host, manifest), []);
        console.log(
            `# figure: 503 kept on: gave up after ${gaveUp.toFixed(1)} s naming ${first.failed.join(", ")}; re-run uploaded ${sent.length} blobs`,
        );
    });

    test("two pushes of the same bundle to one registry at once: both complete, every manifest and blob reads back intact", async () => {
        const reg = await target();
        const t0 = Date.now();
        const [a, b] = await Promise.all([push(reg.host), push(reg.host)]);
        for (const r of [a, b]) assert.deepEqual(names(r, reg.host), { done: allImages(), failed: [] });
        assert.deepEqual(await readBack(reg.host, manifest), []);
        // The blob store holds each blob's bytes under its digest, and nothing else.
        for (const d of storedBlobs(reg)) {
            const hex = d.slice(7);
            const data = fs.readFileSync(
                path.join(reg.storage, "docker/registry/v2/blobs/sha256", hex.slice(0, 2), hex, "data"),
            );
            assert.equal(sha(data), d);
        }
        console.log(`# figure: two concurrent pushes: ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    });
});
