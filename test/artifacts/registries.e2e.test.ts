/**
 * The distribution client against registries as they are (issue 25, items 5–8), all on loopback: the real
 * `docker-registry` (distribution) with its own token auth and a token server issuing short-lived JWTs that
 * distribution validates, with its `redirect` storage middleware (blob GET/HEAD answered 307), with `http.host` set
 * so upload Locations name another origin, with TLS trusted through the system CA store, and with client
 * certificates; a TCP relay that breaks one chunk of a large upload; and small stand-ins only for what no real
 * registry does on demand (a silent socket, 429 with Retry-After, a 202 without Location).
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as http from "node:http";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import tls from "node:tls";
import { after, before, describe, test } from "node:test";
import { retry, sleep } from "../../lib/async";
import { DistributionClient } from "../../pipeline/distribution";
import { blobPath } from "../../pipeline/layout";
import { parseRetryAfter, RegistryError, retryAfterOf } from "../../pipeline/registry-error";
import { makeCertificates, startRegistry, type TestRegistry } from "../helpers/registry";
import { startTokenServer, type TokenServer } from "../helpers/token-server";

const USER = { username: "pusher", password: "push-secret-1" };
let work: string;
let layout: string;
const stops: (() => Promise<unknown> | void)[] = [];

before(() => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), "aihub-registries-"));
    layout = path.join(work, "layout");
    fs.mkdirSync(path.join(layout, "blobs", "sha256"), { recursive: true });
});
after(async () => {
    for (const s of stops.reverse()) await s();
    fs.rmSync(work, { recursive: true, force: true });
});

/** A random blob of `size` bytes in the test layout; returns its digest. */
function blob(size: number): string {
    const b = crypto.randomBytes(size);
    const digest = `sha256:${crypto.createHash("sha256").update(b).digest("hex")}`;
    fs.writeFileSync(blobPath(layout, digest), b);
    return digest;
}

async function registry(opts: Parameters<typeof startRegistry>[1]): Promise<TestRegistry> {
    const r = await startRegistry(work, opts);
    stops.push(() => r.stop());
    return r;
}

/** Closes an HTTP server with its keep-alive connections. */
function closeHttp(s: http.Server): Promise<void> {
    s.closeAllConnections();
    return new Promise((r) => s.close(() => r()));
}

/** Closes a TCP server and every connection it accepted. */
function closeTcp(s: net.Server, sockets: Set<net.Socket>): Promise<void> {
    for (const c of sockets) c.destroy();
    return new Promise((r) => s.close(() => r()));
}

/** A loopback HTTP server; returns its origin. */
async function serve(handler: http.RequestListener): Promise<string> {
    const s = http.createServer(handler);
    await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
    stops.push(() => closeHttp(s));
    return `http://127.0.0.1:${(s.address() as net.AddressInfo).port}`;
}

/** Forwards HTTP requests to `target` (recording method, path and whether credentials came), or answers itself. */
function front(target: string, seen: string[], refuse?: (req: http.IncomingMessage) => boolean): http.RequestListener {
    return (req, res) => {
        seen.push(`${req.method} ${req.url} auth=${req.headers.authorization ? "yes" : "no"}`);
        if (refuse?.(req)) {
            res.writeHead(404).end('{"errors":[{"code":"UNSUPPORTED","message":"uploads go to the upload host"}]}');
            return;
        }
        const up = http.request(new URL(req.url ?? "/", target), { method: req.method, headers: req.headers }, (r) => {
            res.writeHead(r.statusCode ?? 502, r.headers);
            r.pipe(res);
        });
        up.on("error", () => res.destroy());
        req.pipe(up);
    };
}

describe("distribution with token auth and short-lived tokens", () => {
    let tokens: TokenServer;
    let reg: TestRegistry;
    before(async () => {
        tokens = await startTokenServer(path.join(work, "tokens"), { [USER.username]: USER.password });
        stops.push(() => tokens.stop());
        reg = await registry({
            token: {
                realm: tokens.realm,
                service: tokens.service,
                issuer: tokens.issuer,
                rootCertBundle: tokens.rootCertBundle,
            },
        });
    });
    const client = () => new DistributionClient({ server: reg.host, ...USER, tlsVerify: false });

    test("a token is used until its expires_in runs out, then a new one is fetched", async () => {
        tokens.lifetime = 2;
        tokens.reported = 2;
        const c = client();
        try {
            await c.ensureBlob("app/one", blob(1000), 1000, layout);
            const asked = tokens.requests.length;
            await c.ensureBlob("app/one", blob(1000), 1000, layout);
            assert.equal(tokens.requests.length, asked, "a valid token is reused");
            await sleep(2500);
            await c.ensureBlob("app/one", blob(1000), 1000, layout);
            assert.ok(tokens.requests.length > asked, "an expired token is replaced");
            assert.equal(c.stats.uploaded, 3);
        } finally {
            c.close();
        }
    });

    test("a token the registry refuses (expired early) is fetched again on the 401, not reported as bad credentials", async () => {
        tokens.lifetime = 2;
        tokens.reported = 300;
        const c = client();
        try {
            await c.ensureBlob("app/two", blob(1000), 1000, layout);
            await sleep(2500);
            const asked = tokens.requests.length;
            await c.ensureBlob("app/two", blob(1000), 1000, layout);
            assert.ok(tokens.requests.length > asked);
            assert.ok(reg.requests().length > 0);
        } finally {
            c.close();
        }
    });

    test("a failed token fetch is not cached: the next request asks again and succeeds", async () => {
        tokens.lifetime = 300;
        tokens.reported = undefined;
        tokens.failNext = 1;
        const c = client();
        try {
            await assert.rejects(
                c.ensureBlob("app/three", blob(10), 10, layout),
                /token from 127\.0\.0\.1:\d+ on .*: HTTP 500/,
            );
            await c.ensureBlob("app/three", blob(10), 10, layout);
            assert.equal(c.stats.uploaded, 1);
        } finally {
            c.close();
        }
    });
});

describe("distribution's redirect storage middleware", () => {
    let reg: TestRegistry;
    let blobGets: string[];
    before(async () => {
        blobGets = [];
        let storage = "";
        // The redirect target serves the registry's storage files, as a CDN or presigned S3 URL would.
        const base = await serve((req, res) => {
            blobGets.push(`${req.method} ${req.url}`);
            const file = path.join(storage, decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname));
            if (!file.startsWith(storage) || !fs.existsSync(file)) return void res.writeHead(404).end();
            res.writeHead(200, { "content-length": fs.statSync(file).size });
            if (req.method === "HEAD") return void res.end();
            fs.createReadStream(file).pipe(res);
        });
        reg = await registry({ auth: USER, redirectBaseUrl: `${base}/` });
        storage = reg.storage;
    });

    test("a blob HEAD answered 307 counts as present; the redirect really serves the blob", async () => {
        const c = new DistributionClient({ server: reg.host, ...USER, tlsVerify: false });
        try {
            const d = blob(5000);
            await c.ensureBlob("app/redir", d, 5000, layout);
            await c.ensureBlob("app/redir", d, 5000, layout);
            assert.deepEqual([c.stats.uploaded, c.stats.present], [1, 1]);
        } finally {
            c.close();
        }
        const head = await fetch(
            `http://${reg.host}/v2/app/redir/blobs/${fs
                .readdirSync(path.join(layout, "blobs/sha256"))
                .map((h) => `sha256:${h}`)
                .find(() => true)}`,
            {
                method: "HEAD",
                redirect: "manual",
                headers: {
                    authorization: `Basic ${Buffer.from(`${USER.username}:${USER.password}`).toString("base64")}`,
                },
            },
        );
        assert.ok([307, 404].includes(head.status));
        const pushed = c.stats.uploaded === 1;
        assert.ok(pushed);
    });
});

describe("upload Locations on another origin (http.host)", () => {
    test("the Location is used as given (scheme, host, port, query) and gets no credentials", async () => {
        const port = await new Promise<number>((resolve) => {
            const s = net.createServer();
            s.listen(0, "127.0.0.1", () => {
                const p = (s.address() as net.AddressInfo).port;
                s.close(() => resolve(p));
            });
        });
        const uploadSeen: string[] = [];
        const frontSeen: string[] = [];
        // The registry tells clients to upload to the upload host; the front the client talks to does not take uploads.
        const reg = await registry({ host: `http://127.0.0.1:${port}` });
        const upload = http.createServer(front(`http://${reg.host}`, uploadSeen));
        await new Promise<void>((r) => upload.listen(port, "127.0.0.1", r));
        stops.push(() => closeHttp(upload));
        const entry = await serve(
            front(
                `http://${reg.host}`,
                frontSeen,
                (req) => /\/blobs\/uploads\/[^/?]+/.test(req.url ?? "") && req.method !== "POST",
            ),
        );
        const c = new DistributionClient({ server: entry.slice(7), ...USER, tlsVerify: false });
        try {
            const d = blob(3000);
            await c.ensureBlob("app/elsewhere", d, 3000, layout);
            assert.equal(c.stats.uploaded, 1);
            const put = uploadSeen.find((l) => l.startsWith("PUT "));
            assert.ok(put, uploadSeen.join("\n"));
            assert.match(put, /\?_state=[^&]+&digest=sha256:[a-f0-9]{64} auth=no$/);
            assert.ok(frontSeen.some((l) => l.startsWith("POST ") && l.endsWith("auth=yes") === false));
        } finally {
            c.close();
        }
    });
});

describe("TLS: the system CA store and client certificates", () => {
    test("without registry.caCert the system store (SSL_CERT_FILE) is trusted", async () => {
        const reg = await registry({ tls: true });
        const caFile = path.join(work, "system-ca.pem");
        fs.writeFileSync(caFile, reg.caCert!);
        const before = process.env.SSL_CERT_FILE;
        try {
            process.env.SSL_CERT_FILE = path.join(work, "empty.pem");
            fs.writeFileSync(process.env.SSL_CERT_FILE, "");
            const untrusted = new DistributionClient({ server: reg.host });
            await assert.rejects(untrusted.hasBlob("a/b", blob(1)), /certificate/);
            untrusted.close();
            process.env.SSL_CERT_FILE = caFile;
            const trusted = new DistributionClient({ server: reg.host });
            assert.equal(await trusted.hasBlob("a/b", blob(1)), false);
            trusted.close();
        } finally {
            if (before === undefined) delete process.env.SSL_CERT_FILE;
            else process.env.SSL_CERT_FILE = before;
        }
    });

    test("requests over several connections share one TLS context, not one per connection", async (t) => {
        const reg = await registry({ tls: true });
        // Counted where https's agent makes its connections and Node's TLS socket its context (node:tls's exports).
        const connects = t.mock.method(tls, "connect");
        const contexts = t.mock.method(tls, "createSecureContext");
        const c = new DistributionClient({ server: reg.host, caCert: reg.caCert }, 4);
        try {
            const digests = [1, 2, 3, 4, 5, 6, 7, 8].map((n) => blob(n));
            assert.deepEqual(
                await Promise.all(digests.map((d) => c.hasBlob("a/b", d))),
                digests.map(() => false),
            );
        } finally {
            c.close();
        }
        assert.ok(connects.mock.callCount() >= 2, `${connects.mock.callCount()} connections`);
        assert.equal(contexts.mock.callCount(), 1);
    });

    test("a registry that requires client certificates accepts the one given and refuses a client without", async () => {
        const dir = fs.mkdtempSync(path.join(work, "mtls-"));
        makeCertificates(dir);
        const run = (args: string[]) => execFileSync("openssl", args, { cwd: dir, stdio: "pipe" });
        run([
            "req",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            "client.key",
            "-out",
            "client.csr",
            "-subj",
            "/CN=pusher",
        ]);
        run([
            "x509",
            "-req",
            "-in",
            "client.csr",
            "-CA",
            "ca.crt",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-out",
            "client.crt",
            "-days",
            "2",
        ]);
        const reg = await registry({ tls: true, clientCAs: path.join(dir, "ca.crt") });
        const without = new DistributionClient({ server: reg.host, caCert: reg.caCert });
        await assert.rejects(without.hasBlob("a/b", blob(1)));
        without.close();
        const withCert = new DistributionClient({
            server: reg.host,
            caCert: reg.caCert,
            clientCert: fs.readFileSync(path.join(dir, "client.crt"), "utf8"),
            clientKey: fs.readFileSync(path.join(dir, "client.key"), "utf8"),
        });
        assert.equal(await withCert.hasBlob("a/b", blob(1)), false);
        withCert.close();
    });
});

describe("a large layer resumes after a broken connection", () => {
    test("after a dropped connection the upload resumes from the registry's Range, not from the start", async () => {
        const reg = await registry({ auth: USER });
        let cut = false;
        let forwarded = 0;
        let patches = 0;
        // A TCP relay that drops the connection as the second PATCH starts (the first chunk is in), as a dropped link.
        const sockets = new Set<net.Socket>();
        const relay = net.createServer((client) => {
            sockets.add(client);
            const server = net.connect(Number(reg.host.split(":")[1]), "127.0.0.1");
            client.on("data", (c: Buffer) => {
                if (c.subarray(0, 6).toString() === "PATCH ") patches++;
                if (!cut && patches === 2) {
                    cut = true;
                    client.destroy();
                    server.destroy();
                    return;
                }
                forwarded += c.length;
                server.write(c);
            });
            server.on("data", (c) => client.write(c));
            server.on("error", () => client.destroy());
            client.on("error", () => server.destroy());
            server.on("close", () => client.destroy());
            client.on("close", () => server.destroy());
        });
        await new Promise<void>((r) => relay.listen(0, "127.0.0.1", r));
        stops.push(() => closeTcp(relay, sockets));
        const size = 1536 << 10;
        const d = blob(size);
        const c = new DistributionClient(
            { server: `127.0.0.1:${(relay.address() as net.AddressInfo).port}`, ...USER, tlsVerify: false },
            2,
            { chunkBytes: 512 << 10 },
        );
        try {
            await c.ensureBlob("app/big", d, size, layout);
            assert.ok(cut);
            assert.deepEqual([c.stats.resumed, c.stats.restarted], [1, 0]);
            assert.equal(c.stats.uploaded, 1);
            assert.ok(forwarded < size + (512 << 10), `${forwarded} bytes sent for a ${size}-byte layer`);
            assert.equal(await c.hasBlob("app/big", d), true);
        } finally {
            c.close();
        }
    });
});

describe("stand-ins for what registries do only sometimes", () => {
    test("a socket that answers nothing times out as a transient failure instead of hanging", async () => {
        const sockets = new Set<net.Socket>();
        const silent = net.createServer((c) => sockets.add(c));
        await new Promise<void>((r) => silent.listen(0, "127.0.0.1", r));
        stops.push(() => closeTcp(silent, sockets));
        const c = new DistributionClient(
            { server: `127.0.0.1:${(silent.address() as net.AddressInfo).port}`, tlsVerify: false },
            2,
            { idleTimeoutMs: 300 },
        );
        try {
            const started = Date.now();
            await assert.rejects(c.manifestDigest("a/b", "1"), (e: unknown) => {
                assert.ok(e instanceof RegistryError && e.transient, String(e));
                assert.match((e as Error).message, /idle time-out/);
                return true;
            });
            assert.ok(Date.now() - started < 5000);
        } finally {
            c.close();
        }
    });

    test("429 with Retry-After is waited out; an unknown 4xx is not retried; 202 without Location is named", async () => {
        let calls = 0;
        const origin = await serve((req, res) => {
            calls++;
            if (req.url?.includes("/manifests/busy")) {
                if (calls === 1) return void res.writeHead(429, { "retry-after": "1" }).end();
                return void res.writeHead(200, { "docker-content-digest": "sha256:" + "a".repeat(64) }).end();
            }
            if (req.url?.includes("/manifests/odd")) return void res.writeHead(418).end();
            if (req.method === "HEAD") return void res.writeHead(404).end();
            res.writeHead(202).end();
        });
        const c = new DistributionClient({ server: origin.slice(7), tlsVerify: false });
        try {
            const started = Date.now();
            const got = await retry(
                {
                    tries: 3,
                    backoffMs: 1,
                    retryable: (e) => e instanceof RegistryError && e.transient,
                    waitOf: retryAfterOf,
                },
                () => c.manifestDigest("a/b", "busy"),
            );
            assert.equal(got, `sha256:${"a".repeat(64)}`);
            assert.ok(Date.now() - started >= 1000, "Retry-After: 1 was honoured");
            await assert.rejects(
                c.manifestDigest("a/b", "odd"),
                (e: unknown) => e instanceof RegistryError && !e.transient,
            );
            await assert.rejects(c.ensureBlob("a/b", blob(5), 5, layout), /HTTP 202 without a Location header/);
        } finally {
            c.close();
        }
        assert.equal(parseRetryAfter("120"), 120_000);
        assert.equal(parseRetryAfter(new Date(Date.now() + 10_000).toUTCString())! > 8000, true);
        assert.equal(parseRetryAfter("soon"), undefined);
    });
});
