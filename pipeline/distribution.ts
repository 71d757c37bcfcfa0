/**
 * A small OCI distribution API client for the push hot path: HEAD to skip blobs and manifests already there,
 * cross-repository mounts for shared layers, streaming monolithic PUT uploads from the layout's files, manifests
 * by their exact bytes. Basic or bearer auth as the registry's challenge asks; the CA from the stack. Keep-alive
 * connections are shared by all concurrent uploads. Errors are RegistryErrors so the push words them the same way.
 */
import * as fs from "node:fs";
import * as http from "node:http";
import * as https from "node:https";
import * as tls from "node:tls";
import { blobPath, OCI_INDEX } from "./layout";
import { RegistryError } from "./registry-error";
import { isTransient, registryHost, type AccessOptions } from "./skopeo";

/** Media types asked for when reading a manifest's digest. */
const ACCEPT = [
    OCI_INDEX,
    "application/vnd.oci.image.manifest.v1+json",
    "application/vnd.docker.distribution.manifest.list.v2+json",
    "application/vnd.docker.distribution.manifest.v2+json",
].join(", ");

interface Reply {
    status: number;
    headers: http.IncomingHttpHeaders;
    body: string;
}

/** A request body: bytes, or a file streamed from disk. */
type Body = Buffer | { file: string; size: number };

/** Counts of what a client did, for progress and tests. */
export interface ClientStats {
    uploaded: number;
    mounted: number;
    present: number;
    bytes: number;
}

/** A client for one registry; `close` ends its keep-alive connections. */
export class DistributionClient {
    readonly stats: ClientStats = { uploaded: 0, mounted: 0, present: 0, bytes: 0 };
    private readonly agent: https.Agent;
    private readonly plain: http.Agent;
    private base: string;
    /** With TLS verification off, like skopeo: HTTPS first, plain HTTP when the registry does not speak TLS. */
    private fallback: boolean;
    private basic?: string;
    private readonly tokens = new Map<string, Promise<string>>();

    constructor(
        private readonly o: AccessOptions,
        connections = 8,
    ) {
        this.base = `https://${registryHost(o.server)}`;
        this.fallback = o.tlsVerify === false;
        this.plain = new http.Agent({ keepAlive: true, maxSockets: connections });
        this.agent = new https.Agent({
            keepAlive: true,
            maxSockets: connections,
            ca: o.caCert ? [...tls.rootCertificates, o.caCert] : undefined,
            rejectUnauthorized: o.tlsVerify !== false,
        });
    }

    close(): void {
        this.agent.destroy();
        this.plain.destroy();
    }

    /** The digest the registry holds at `repo:reference`, or undefined when it holds none. */
    async manifestDigest(repo: string, reference: string): Promise<string | undefined> {
        const r = await this.call("HEAD", `/v2/${repo}/manifests/${reference}`, repo, { accept: ACCEPT });
        if (r.status === 404) return undefined;
        this.expect(r, [200], `manifest ${repo}:${reference}`);
        return r.headers["docker-content-digest"] as string | undefined;
    }

    /** True when `repo` already has the blob. */
    async hasBlob(repo: string, digest: string): Promise<boolean> {
        const r = await this.call("HEAD", `/v2/${repo}/blobs/${digest}`, repo);
        if (r.status === 404) return false;
        this.expect(r, [200], `blob ${digest} in ${repo}`);
        return true;
    }

    /**
     * Makes sure `repo` has the blob: nothing when present, a mount from `from` when given and the registry
     * accepts it, else a streaming upload of the layout file.
     */
    async ensureBlob(repo: string, digest: string, size: number, layout: string, from?: string): Promise<void> {
        if (await this.hasBlob(repo, digest)) {
            this.stats.present++;
            return;
        }
        const query = from ? `?mount=${digest}&from=${encodeURIComponent(from)}` : "";
        const start = await this.call("POST", `/v2/${repo}/blobs/uploads/${query}`, repo, {}, undefined, from);
        if (start.status === 201) {
            this.stats.mounted++;
            return;
        }
        this.expect(start, [202], `upload of ${digest} to ${repo}`);
        const loc = new URL(String(start.headers.location), this.base);
        loc.searchParams.set("digest", digest);
        const put = await this.call(
            "PUT",
            loc.pathname + loc.search,
            repo,
            { "content-type": "application/octet-stream" },
            { file: blobPath(layout, digest), size },
        );
        this.expect(put, [201], `upload of ${digest} to ${repo}`);
        this.stats.uploaded++;
        this.stats.bytes += size;
    }

    /** PUTs manifest bytes under `reference` (tag or digest); returns the digest the registry stored. */
    async putManifest(repo: string, reference: string, mediaType: string, bytes: Buffer): Promise<string> {
        const r = await this.call(
            "PUT",
            `/v2/${repo}/manifests/${reference}`,
            repo,
            { "content-type": mediaType },
            bytes,
        );
        this.expect(r, [201], `manifest ${repo}:${reference}`);
        return String(r.headers["docker-content-digest"] ?? "");
    }

    /**
     * The OCI 1.1 referrers of `digest` in `repo` (`GET /v2/<repo>/referrers/<digest>`, every page of the Link
     * header joined): the image index of their descriptors, or undefined when the registry has no referrers API
     * (404, 400, 405 or 501, as registries without it answer).
     */
    async referrers(repo: string, digest: string): Promise<{ manifests: unknown[] } | undefined> {
        const manifests: unknown[] = [];
        for (let p: string | undefined = `/v2/${repo}/referrers/${digest}`; p;) {
            const r = await this.call("GET", p, repo, { accept: OCI_INDEX }, undefined, undefined, "pull");
            if ([400, 404, 405, 501].includes(r.status)) return undefined;
            this.expect(r, [200], `referrers of ${repo}@${digest}`);
            manifests.push(...((JSON.parse(r.body) as { manifests?: unknown[] }).manifests ?? []));
            p = /<([^>]+)>;\s*rel="?next"?/.exec(String(r.headers.link ?? ""))?.[1];
        }
        return { manifests };
    }

    private expect(r: Reply, ok: number[], what: string): void {
        if (ok.includes(r.status)) return;
        // Bodies name UNAUTHORIZED, DENIED, NAME_UNKNOWN …, which classify() reads like skopeo's stderr; a HEAD has
        // no body, so the status speaks for it.
        const status = { 401: "unauthorized", 403: "denied:", 404: "not found" }[r.status] ?? "";
        const text = `${r.status} ${status} ${r.body.trim()}`.trim();
        const message = `${what} on ${registryHost(this.o.server)}: HTTP ${text}`;
        throw new RegistryError(message, text, r.status >= 500 || r.status === 429 || isTransient(text));
    }

    /** One request with auth; on a 401 challenge it authenticates and repeats once if that changed anything. */
    private async call(
        method: string,
        p: string,
        repo: string,
        headers: Record<string, string> = {},
        body?: Body,
        from?: string,
        actions = "pull,push",
    ): Promise<Reply> {
        const scope = `repository:${repo}:${actions}${from ? ` repository:${from}:pull` : ""}`;
        const before = await this.auth(scope);
        const r = await this.send(method, p, { ...headers, ...before }, body);
        // Without credentials only a read follows the challenge (an anonymous token, as public registries give).
        if (r.status !== 401 || (this.o.username === undefined && actions !== "pull")) return r;
        this.challenge(String(r.headers["www-authenticate"] ?? ""), scope);
        const after = await this.auth(scope);
        if (after.authorization === before.authorization) return r;
        return this.send(method, p, { ...headers, ...after }, body);
    }

    private async auth(scope: string): Promise<Record<string, string>> {
        const token = this.tokens.get(scope);
        if (token) return { authorization: `Bearer ${await token}` };
        return this.basic ? { authorization: this.basic } : {};
    }

    /** Takes up a 401's WWW-Authenticate: basic credentials, or a bearer token for the scope from the realm. */
    private challenge(h: string, scope: string): void {
        const user = this.o.username;
        const basic =
            user === undefined
                ? undefined
                : `Basic ${Buffer.from(`${user}:${this.o.password ?? ""}`).toString("base64")}`;
        if (/^basic/i.test(h)) {
            this.basic = basic;
            return;
        }
        if (!/^bearer/i.test(h) || this.tokens.has(scope)) return;
        const params = Object.fromEntries([...h.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
        const url = new URL(params.realm);
        if (params.service) url.searchParams.set("service", params.service);
        for (const s of scope.split(" ")) url.searchParams.append("scope", s);
        this.tokens.set(
            scope,
            this.send("GET", url.href, basic ? { authorization: basic } : {}).then((t) => {
                this.expect(t, [200], `token from ${url.host}`);
                const doc = JSON.parse(t.body) as { token?: string; access_token?: string };
                return doc.token ?? doc.access_token ?? "";
            }),
        );
    }

    private async send(method: string, p: string, headers: Record<string, string>, body?: Body): Promise<Reply> {
        if (!this.fallback) return this.sendOnce(method, p, headers, body);
        try {
            const r = await this.sendOnce(method, p, headers, body);
            this.fallback = false;
            return r;
        } catch (e) {
            if (!/EPROTO|wrong version number|ECONNRESET/.test((e as Error).message)) throw e;
            this.fallback = false;
            this.base = this.base.replace(/^https:/, "http:");
            return this.sendOnce(method, p, headers, body);
        }
    }

    private sendOnce(method: string, p: string, headers: Record<string, string>, body?: Body): Promise<Reply> {
        const url = new URL(p, this.base);
        const size = body === undefined ? 0 : Buffer.isBuffer(body) ? body.length : body.size;
        const h: Record<string, string> = { "user-agent": "aihub-airgap", ...headers };
        if (method === "PUT" || method === "POST") h["content-length"] = String(size);
        return new Promise<Reply>((resolve, reject) => {
            const agent = url.protocol === "https:" ? this.agent : this.plain;
            const req = (url.protocol === "https:" ? https : http).request(
                url,
                { method, headers: h, agent },
                (res) => {
                    const chunks: Buffer[] = [];
                    res.on("data", (c: Buffer) => chunks.push(c));
                    res.on("end", () =>
                        resolve({
                            status: res.statusCode ?? 0,
                            headers: res.headers,
                            body: Buffer.concat(chunks).toString(),
                        }),
                    );
                    res.on("error", reject);
                },
            );
            req.on("error", (e) =>
                reject(
                    new RegistryError(
                        `${method} ${url.host}${url.pathname}: ${e.message}`,
                        e.message,
                        isTransient(e.message),
                    ),
                ),
            );
            if (body === undefined || Buffer.isBuffer(body)) {
                req.end(body);
                return;
            }
            const stream = fs.createReadStream(body.file, { highWaterMark: 1 << 20 });
            stream.on("error", (e) => req.destroy(e));
            stream.pipe(req);
        });
    }
}
