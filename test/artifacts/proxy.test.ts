/**
 * Plugin downloads on a bastion behind a proxy: a local forward proxy (CONNECT tunnels and absolute-form GETs,
 * each logged) in front of an HTTPS origin with a test CA and a plain HTTP origin. The download runs in a child
 * process with the proxy variables set, as the bundle command would, and NODE_EXTRA_CA_CERTS for the test CA.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as http from "node:http";
import * as https from "node:https";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe, test } from "node:test";
import { sha256 } from "../../lib/digest";
import { proxyFor } from "../../pipeline/proxy";
import { makeCertificates } from "../helpers/registry";

const ROOT = path.resolve(__dirname, "..", "..");
const BODY = "plugin tarball bytes ".repeat(1000);

let work: string;
let origin: https.Server;
let plain: http.Server;
let proxy: http.Server;
const proxied: string[] = [];
const port = (s: net.Server) => (s.address() as net.AddressInfo).port;

function serve(req: http.IncomingMessage, res: http.ServerResponse): void {
    if (req.url === "/redirect") {
        res.writeHead(302, { location: "/plugin.tar.gz" });
        res.end();
        return;
    }
    res.writeHead(req.url === "/plugin.tar.gz" ? 200 : 404, { "content-length": Buffer.byteLength(BODY) });
    res.end(BODY);
}

const listen = (s: net.Server) => new Promise<void>((r) => s.listen(0, "127.0.0.1", r));

before(async () => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), "aihub-proxy-"));
    makeCertificates(work);
    origin = https.createServer(
        { key: fs.readFileSync(path.join(work, "server.key")), cert: fs.readFileSync(path.join(work, "server.crt")) },
        serve,
    );
    plain = http.createServer(serve);
    proxy = http.createServer((req, res) => {
        // Absolute-form request for a plain HTTP origin.
        proxied.push(`${req.method} ${req.url}`);
        const up = http.request(req.url!, { method: req.method, headers: req.headers }, (r) => {
            res.writeHead(r.statusCode!, r.headers);
            r.pipe(res);
        });
        up.on("error", () => res.writeHead(502).end());
        req.pipe(up);
    });
    proxy.on("connect", (req: http.IncomingMessage, socket: net.Socket, head: Buffer) => {
        proxied.push(`CONNECT ${req.url}`);
        const [host, p] = req.url!.split(":");
        const up = net.connect(Number(p), host, () => {
            socket.write("HTTP/1.1 200 Connection Established\r\n\r\n");
            up.write(head);
            up.pipe(socket).pipe(up);
        });
        up.on("error", () => socket.destroy());
        socket.on("error", () => up.destroy());
    });
    await Promise.all([listen(origin), listen(plain), listen(proxy)]);
});

after(async () => {
    for (const s of [origin, plain, proxy]) {
        s.closeAllConnections?.();
        await new Promise((r) => s.close(r));
    }
    fs.rmSync(work, { recursive: true, force: true });
});

/** Runs download() in a child with exactly these proxy variables (async: the servers live in this process). */
async function download(url: string, env: Record<string, string>) {
    const file = path.join(fs.mkdtempSync(path.join(work, "dl-")), "plugin.tar.gz");
    const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/_proxy$/i.test(k)));
    const script = `require("./pipeline/plugins").download(${JSON.stringify(url)}, ${JSON.stringify(file)}).then((r) => console.log(JSON.stringify(r)))`;
    const stdout = await new Promise<string>((resolve, reject) =>
        execFile(
            process.execPath,
            ["--import", "tsx", "-e", script],
            { cwd: ROOT, env: { ...clean, NODE_EXTRA_CA_CERTS: path.join(work, "ca.crt"), ...env } },
            (e, out, err) => (e ? reject(new Error(`${e.message}\n${err}`)) : resolve(out)),
        ),
    );
    return { result: JSON.parse(stdout.trim().split("\n").pop()!), body: fs.readFileSync(file, "utf8") };
}

describe("plugin downloads behind a proxy", () => {
    test("HTTPS_PROXY: the download (and its redirect) goes through a CONNECT tunnel", async () => {
        proxied.length = 0;
        const d = await download(`https://127.0.0.1:${port(origin)}/redirect`, {
            HTTPS_PROXY: `http://127.0.0.1:${port(proxy)}`,
        });
        assert.equal(d.body, BODY);
        assert.deepEqual(d.result, { sha256: sha256(BODY), size: BODY.length });
        assert.deepEqual(proxied, [`CONNECT 127.0.0.1:${port(origin)}`, `CONNECT 127.0.0.1:${port(origin)}`]);
    });

    test("http_proxy (lower case) for a plain-HTTP mirror: absolute-form GET to the proxy", async () => {
        proxied.length = 0;
        const url = `http://127.0.0.1:${port(plain)}/plugin.tar.gz`;
        const d = await download(url, { http_proxy: `127.0.0.1:${port(proxy)}` });
        assert.equal(d.body, BODY);
        assert.deepEqual(proxied, [`GET ${url}`]);
    });

    test("NO_PROXY names the host: a direct connection, the proxy sees nothing", async () => {
        proxied.length = 0;
        const d = await download(`https://127.0.0.1:${port(origin)}/plugin.tar.gz`, {
            HTTPS_PROXY: `http://127.0.0.1:${port(proxy)}`,
            NO_PROXY: "localhost,127.0.0.1",
        });
        assert.equal(d.body, BODY);
        assert.deepEqual(proxied, []);
    });

    test("proxyFor: NO_PROXY suffixes, ports, * and proxy credentials", () => {
        const env = { HTTPS_PROXY: "http://u:p%40ss@proxy.corp:3128", NO_PROXY: ".corp.example, mirror.local:8443" };
        assert.equal(proxyFor(new URL("https://github.com/x"), env)?.host, "proxy.corp:3128");
        assert.equal(proxyFor(new URL("https://a.corp.example/x"), env), undefined);
        assert.equal(proxyFor(new URL("https://corp.example/x"), env), undefined);
        assert.equal(proxyFor(new URL("https://mirror.local:8443/x"), env), undefined);
        assert.equal(proxyFor(new URL("https://mirror.local/x"), env)?.host, "proxy.corp:3128");
        assert.equal(proxyFor(new URL("http://github.com/x"), env), undefined);
        assert.equal(proxyFor(new URL("https://github.com/x"), { ...env, NO_PROXY: "*" }), undefined);
    });
});
