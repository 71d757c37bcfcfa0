/**
 * HTTP(S) GET that honours the bastion's proxy settings (`HTTPS_PROXY`, `HTTP_PROXY`, `NO_PROXY`, also lower
 * case), which Node 20's fetch ignores: HTTPS goes through a CONNECT tunnel, plain HTTP as an absolute-form request
 * to the proxy. Redirects (GitHub sends release downloads to another host) are followed, each hop choosing again.
 */
import * as http from "node:http";
import * as https from "node:https";
import * as net from "node:net";
import * as tls from "node:tls";

/** The proxy URL for `url` from the environment, or undefined for a direct connection. */
export function proxyFor(url: URL, env: NodeJS.ProcessEnv = process.env): URL | undefined {
    const https = url.protocol === "https:";
    const raw = https ? (env.HTTPS_PROXY ?? env.https_proxy) : (env.HTTP_PROXY ?? env.http_proxy);
    if (!raw) return undefined;
    const port = url.port || (https ? "443" : "80");
    const host = url.hostname.replace(/^\[|\]$/g, "").toLowerCase();
    const bypass = (env.NO_PROXY ?? env.no_proxy ?? "")
        .split(/[\s,]+/)
        .filter(Boolean)
        .some((entry) => {
            if (entry === "*") return true;
            const m = /^(.*?)(?::(\d+))?$/.exec(entry.toLowerCase())!;
            const name = m[1].replace(/^\*?\./, "");
            if (m[2] && m[2] !== port) return false;
            return host === name || host.endsWith(`.${name}`);
        });
    if (bypass) return undefined;
    return new URL(raw.includes("://") ? raw : `http://${raw}`);
}

function proxyAuth(proxy: URL): Record<string, string> {
    if (!proxy.username) return {};
    const cred = `${decodeURIComponent(proxy.username)}:${decodeURIComponent(proxy.password)}`;
    return { "proxy-authorization": `Basic ${Buffer.from(cred).toString("base64")}` };
}

/** A TLS socket to `url`'s host through a CONNECT tunnel of `proxy`. */
function tunnel(url: URL, proxy: URL): Promise<tls.TLSSocket> {
    const target = `${url.hostname}:${url.port || 443}`;
    return new Promise((resolve, reject) => {
        const req = http.request({
            host: proxy.hostname,
            port: proxy.port || 80,
            method: "CONNECT",
            path: target,
            headers: { host: target, ...proxyAuth(proxy) },
        });
        req.once("connect", (res, socket) => {
            if (res.statusCode !== 200) {
                socket.destroy();
                return reject(new Error(`proxy ${proxy.host} refused CONNECT ${target}: HTTP ${res.statusCode}`));
            }
            const servername = net.isIP(url.hostname) ? undefined : url.hostname;
            const s = tls.connect({ socket, host: url.hostname, servername });
            s.once("secureConnect", () => resolve(s));
            // Closing the TLS layer leaves the tunnel's TCP socket open (and the process alive) unless told.
            s.once("close", () => socket.destroy());
            s.once("error", reject);
        });
        req.once("error", (e) => reject(new Error(`proxy ${proxy.host}: ${e.message}`)));
        req.end();
    });
}

/** One GET, through the proxy when the environment names one. */
async function getOnce(url: URL): Promise<http.IncomingMessage> {
    const proxy = proxyFor(url);
    // One request per connection: a tunnelled socket must not outlive its download.
    const options: https.RequestOptions = {
        method: "GET",
        headers: { "user-agent": "aihub-airgap", connection: "close" },
    };
    let req: http.ClientRequest;
    if (proxy && url.protocol === "https:") {
        const socket = await tunnel(url, proxy);
        req = https.request(url, { ...options, agent: false, createConnection: () => socket });
        req.once("response", (res) => res.once("close", () => socket.destroy()));
    } else if (proxy) {
        req = http.request({
            ...options,
            host: proxy.hostname,
            port: proxy.port || 80,
            path: url.href,
            headers: { ...options.headers, host: url.host, ...proxyAuth(proxy) },
        });
    } else {
        req = (url.protocol === "https:" ? https : http).request(url, options);
    }
    return new Promise((resolve, reject) => {
        req.once("response", resolve);
        req.once("error", reject);
        req.end();
    });
}

/** GETs `url`, following up to 5 redirects; resolves with the final response (any status). */
export async function get(url: string): Promise<http.IncomingMessage> {
    let u = new URL(url);
    for (let hop = 0; ; hop++) {
        const res = await getOnce(u);
        const loc = res.headers.location;
        if (!loc || ![301, 302, 303, 307, 308].includes(res.statusCode ?? 0) || hop === 5) return res;
        res.destroy();
        u = new URL(loc, u);
    }
}
