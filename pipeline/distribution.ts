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
import { sha256 } from "../lib/digest";
import { blobPath, OCI_INDEX } from "./layout";
import { parseRetryAfter, RegistryError } from "./registry-error";
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
    /** The body's exact bytes (a manifest's digest is over these). */
    bytes: Buffer;
}

/** A request body: bytes, or `size` bytes of a file streamed from disk from `start` (default 0). */
type Body = Buffer | { file: string; size: number; start?: number };

/** A bearer token for one scope and when it is no longer used (the registry's `expires_in`, default 60 s). */
interface Token {
    value: Promise<string>;
    expires: number;
}

/** Distribution spec (docs/spec/auth/token.md): a token without `expires_in` lasts 60 seconds. */
const DEFAULT_TOKEN_SECONDS = 60;
/** A socket that sends nothing for this long is given up (a half-open connection must not hang the push). */
export const DEFAULT_IDLE_TIMEOUT_MS = 60_000;
/** Layers larger than this go up in chunks of this size, so a broken connection resumes where it stopped. */
export const DEFAULT_CHUNK_BYTES = 64 << 20;

/** The system's CA bundle (Debian, RHEL, Alpine paths; SSL_CERT_FILE first), read when registry.caCert is unset. */
export function systemCAs(): string[] {
    const files = [
        process.env.SSL_CERT_FILE,
        "/etc/ssl/certs/ca-certificates.crt",
        "/etc/pki/tls/certs/ca-bundle.crt",
        "/etc/ssl/cert.pem",
    ];
    const file = files.find((f) => f && fs.existsSync(f));
    return file ? [fs.readFileSync(file, "utf8")] : [];
}

/** The last byte a `Range: 0-<n>` header of an upload names, or -1 when none is named. */
function rangeEnd(h: string | string[] | undefined): number {
    const m = /^(?:bytes=)?0-(\d+)$/.exec(String(h ?? ""));
    return m ? Number(m[1]) : -1;
}

/** Tuning of a {@link DistributionClient}; the defaults suit real registries. */
export interface ClientTuning {
    /** @default DEFAULT_IDLE_TIMEOUT_MS */
    idleTimeoutMs?: number;
    /** @default DEFAULT_CHUNK_BYTES */
    chunkBytes?: number;
    /** Resumes of one chunked upload after a transient failure. @default 3 */
    resumes?: number;
}

/** Counts of what a client did, for progress and tests. */
export interface ClientStats {
    uploaded: number;
    mounted: number;
    present: number;
    bytes: number;
    /** Chunked uploads resumed after a broken connection. */
    resumed: number;
    /** Chunked uploads started again because the registry had dropped the broken one. */
    restarted: number;
}

/** A client for one registry; `close` ends its keep-alive connections. */
export class DistributionClient {
    readonly stats: ClientStats = { uploaded: 0, mounted: 0, present: 0, bytes: 0, resumed: 0, restarted: 0 };
    private readonly agent: https.Agent;
    private readonly plain: http.Agent;
    private base: string;
    /** With TLS verification off, like skopeo: HTTPS first, plain HTTP when the registry does not speak TLS. */
    private fallback: boolean;
    private basic?: string;
    /** The parameters of the registry's last bearer challenge (realm, service). */
    private bearer?: Record<string, string>;
    private readonly tokens = new Map<string, Token>();
    private readonly tuning: Required<ClientTuning>;

    constructor(
        private readonly o: AccessOptions,
        connections = 8,
        tuning: ClientTuning = {},
    ) {
        this.base = `https://${registryHost(o.server)}`;
        this.fallback = o.tlsVerify === false;
        this.tuning = {
            idleTimeoutMs: tuning.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS,
            chunkBytes: tuning.chunkBytes ?? DEFAULT_CHUNK_BYTES,
            resumes: tuning.resumes ?? 3,
        };
        this.plain = new http.Agent({ keepAlive: true, maxSockets: connections });
        this.agent = new https.Agent({
            keepAlive: true,
            maxSockets: connections,
            // One TLS context for every connection: given only its options, the agent makes a context per connection,
            // parsing every CA certificate again (60 ms each with the system's bundle).
            secureContext: tls.createSecureContext({
                // Node's own bundle does not hold a corporate CA that the system store has.
                ca: [...tls.rootCertificates, ...(o.caCert ? [o.caCert] : systemCAs())],
                ...(o.clientCert && o.clientKey ? { cert: o.clientCert, key: o.clientKey } : {}),
            }),
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
        // A redirect (distribution on S3 or with its redirect middleware presigns the HEAD) means it is there.
        this.expect(r, [200, 301, 302, 303, 307, 308], `blob ${digest} in ${repo}`);
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
        let loc = this.location(start, `upload of ${digest} to ${repo}`);
        const file = blobPath(layout, digest);
        const whole = size <= this.tuning.chunkBytes;
        if (!whole) loc = await this.chunks(repo, digest, size, file, loc);
        // The Location is used as given (scheme, host, port, its query untouched); digest= is appended as text.
        const put = await this.call(
            "PUT",
            `${loc}${loc.includes("?") ? "&" : "?"}digest=${digest}`,
            repo,
            { "content-type": "application/octet-stream" },
            whole ? { file, size } : Buffer.alloc(0),
        );
        this.expect(put, [201], `upload of ${digest} to ${repo}`);
        this.stats.uploaded++;
        this.stats.bytes += size;
    }

    /** The absolute URL of a reply's `Location` (relative ones resolved against the registry); throws when absent. */
    private location(r: Reply, what: string): string {
        const loc = r.headers.location;
        if (!loc) {
            throw new RegistryError(
                `${what} on ${registryHost(this.o.server)}: HTTP ${r.status} without a Location header, which the distribution spec requires; the registry (or a proxy in front of it) is not speaking the registry API`,
                "no location",
                false,
            );
        }
        return new URL(loc, this.base).href;
    }

    /**
     * Sends a large blob in PATCH chunks (distribution spec, "chunked upload"). A transient failure asks the registry
     * where the upload stands (GET on the upload URL, its `Range`) and resumes from there instead of resending all; when
     * the registry has dropped the upload, it starts again.
     * Returns the upload URL for the closing PUT.
     */
    private async chunks(repo: string, digest: string, size: number, file: string, first: string): Promise<string> {
        let loc = first;
        let offset = 0;
        let resumes = 0;
        const what = `chunked upload of ${digest} to ${repo}`;
        while (offset < size) {
            const end = Math.min(offset + this.tuning.chunkBytes, size) - 1;
            try {
                const r = await this.call(
                    "PATCH",
                    loc,
                    repo,
                    { "content-type": "application/octet-stream", "content-range": `${offset}-${end}` },
                    { file, size: end - offset + 1, start: offset },
                );
                this.expect(r, [202], what);
                loc = this.location(r, what);
                const got = rangeEnd(r.headers.range);
                offset = got >= 0 ? got + 1 : end + 1;
            } catch (e) {
                if (!(e instanceof RegistryError) || !e.transient || ++resumes > this.tuning.resumes) throw e;
                const st = await this.call("GET", loc, repo);
                if (st.status === 404) {
                    // The registry dropped the session: distribution cancels an upload that a broken PATCH left at
                    // another offset than its state says (registry/handlers/blobupload.go). Start a new one.
                    const again = await this.call("POST", `/v2/${repo}/blobs/uploads/`, repo);
                    this.expect(again, [202], what);
                    loc = this.location(again, what);
                    offset = 0;
                    this.stats.restarted++;
                    continue;
                }
                this.expect(st, [204], `status of ${what}`);
                if (st.headers.location) loc = this.location(st, what);
                offset = rangeEnd(st.headers.range) + 1;
                this.stats.resumed++;
            }
        }
        return loc;
    }

    /** PUTs manifest bytes under `reference` (tag or digest); returns the digest the registry stored. */
    async putManifest(repo: string, reference: string, mediaType: string, bytes: Buffer): Promise<string> {
        return (await this.putManifestReply(repo, reference, mediaType, bytes)).digest;
    }

    /**
     * {@link putManifest}, also telling whether the registry answered `OCI-Subject` (distribution spec, "Pushing
     * Manifests with Subject"): then it indexes the manifest's `subject` in its referrers API itself and the client
     * must not write the fallback tag.
     */
    async putManifestReply(repo: string, reference: string, mediaType: string, bytes: Buffer) {
        const r = await this.call(
            "PUT",
            `/v2/${repo}/manifests/${reference}`,
            repo,
            { "content-type": mediaType },
            bytes,
        );
        this.expect(r, [201], `manifest ${repo}:${reference}`);
        const subject = r.headers["oci-subject"];
        return {
            digest: String(r.headers["docker-content-digest"] ?? ""),
            subject: subject ? String(subject) : undefined,
        };
    }

    /** The manifest the registry holds at `repo:reference` with its exact bytes, or undefined when it holds none. */
    async getManifest(repo: string, reference: string) {
        const r = await this.call("GET", `/v2/${repo}/manifests/${reference}`, repo, { accept: ACCEPT });
        if (r.status === 404) return undefined;
        this.expect(r, [200], `manifest ${repo}:${reference}`);
        const mediaType = String(r.headers["content-type"] ?? "").split(";")[0];
        return { bytes: r.bytes, mediaType, digest: `sha256:${sha256(r.bytes)}` };
    }

    /** Uploads a small blob from memory (monolithic POST then PUT) unless `repo` has it; returns its digest. */
    async putBlob(repo: string, bytes: Buffer): Promise<string> {
        const digest = `sha256:${sha256(bytes)}`;
        if (await this.hasBlob(repo, digest)) return digest;
        const start = await this.call("POST", `/v2/${repo}/blobs/uploads/`, repo);
        this.expect(start, [202], `upload of ${digest} to ${repo}`);
        const loc = this.location(start, `upload of ${digest} to ${repo}`);
        const put = await this.call(
            "PUT",
            `${loc}${loc.includes("?") ? "&" : "?"}digest=${digest}`,
            repo,
            { "content-type": "application/octet-stream" },
            bytes,
        );
        this.expect(put, [201], `upload of ${digest} to ${repo}`);
        return digest;
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
        // Server errors, 429 and 408 may pass; any other 4xx will not (the same request gets the same answer).
        const transient = (r.status >= 500 && r.status !== 501) || r.status === 429 || r.status === 408;
        const wait = parseRetryAfter(r.headers["retry-after"] as string | undefined);
        throw new RegistryError(message, text, transient, wait);
    }

    /**
     * One request with auth; on a 401 challenge it authenticates (a fresh token when the one sent was refused, e.g.
     * expired early) and repeats once if that changed anything. Credentials go only to the registry's own origin: a
     * Location or redirect to another host gets none.
     */
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
        if (new URL(p, this.base).origin !== new URL(this.base).origin) return this.send(method, p, headers, body);
        const before = await this.auth(scope);
        const r = await this.send(method, p, { ...headers, ...before }, body);
        // Without credentials only a read follows the challenge (an anonymous token, as public registries give).
        if (r.status !== 401 || (this.o.username === undefined && actions !== "pull")) return r;
        this.challenge(String(r.headers["www-authenticate"] ?? ""), scope, before.authorization);
        const after = await this.auth(scope);
        if (after.authorization === before.authorization) return r;
        return this.send(method, p, { ...headers, ...after }, body);
    }

    /** The authorization for `scope`: its token while valid (a new one once expired), else basic, else none. */
    private async auth(scope: string): Promise<Record<string, string>> {
        let token = this.tokens.get(scope);
        if (token && Date.now() >= token.expires) {
            this.tokens.delete(scope);
            token = this.bearer ? this.fetchToken(scope) : undefined;
        }
        if (token) return { authorization: `Bearer ${await token.value}` };
        return this.basic ? { authorization: this.basic } : {};
    }

    private basicOf(): string | undefined {
        const user = this.o.username;
        return user === undefined
            ? undefined
            : `Basic ${Buffer.from(`${user}:${this.o.password ?? ""}`).toString("base64")}`;
    }

    /**
     * Takes up a 401's WWW-Authenticate: basic credentials, or a bearer token for the scope from the realm. A token
     * that was sent and refused is dropped and fetched again.
     */
    private challenge(h: string, scope: string, sent?: string): void {
        if (/^basic/i.test(h)) {
            this.basic = this.basicOf();
            return;
        }
        if (!/^bearer/i.test(h)) return;
        this.bearer = Object.fromEntries([...h.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
        const held = this.tokens.get(scope);
        if (held && sent?.startsWith("Bearer ")) this.tokens.delete(scope);
        else if (held) return;
        this.fetchToken(scope);
    }

    /**
     * Asks the realm of the last bearer challenge for a token for `scope` and caches it until `expires_in` (default
     * 60 s) runs out, less a tenth; a failed fetch is not kept, so the next request asks again.
     */
    private fetchToken(scope: string): Token {
        const params = this.bearer!;
        const url = new URL(params.realm);
        if (params.service) url.searchParams.set("service", params.service);
        for (const s of scope.split(" ")) url.searchParams.append("scope", s);
        const basic = this.basicOf();
        const issued = Date.now();
        const entry: Token = { value: Promise.resolve(""), expires: Infinity };
        entry.value = this.send("GET", url.href, basic ? { authorization: basic } : {})
            .then((t) => {
                this.expect(t, [200], `token from ${url.host}`);
                const doc = JSON.parse(t.body) as { token?: string; access_token?: string; expires_in?: number };
                const seconds = Number(doc.expires_in) > 0 ? Number(doc.expires_in) : DEFAULT_TOKEN_SECONDS;
                entry.expires = issued + seconds * 900;
                return doc.token ?? doc.access_token ?? "";
            })
            .catch((e: unknown) => {
                if (this.tokens.get(scope) === entry) this.tokens.delete(scope);
                throw e;
            });
        // Awaited by the caller; this only keeps an unawaited failure from being reported as unhandled.
        entry.value.catch(() => undefined);
        this.tokens.set(scope, entry);
        return entry;
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
        const idle = this.tuning.idleTimeoutMs;
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
                    res.on("end", () => {
                        const bytes = Buffer.concat(chunks);
                        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: bytes.toString(), bytes });
                    });
                    res.on("error", (e) =>
                        reject(new RegistryError(`${method} ${url.host}: ${e.message}`, e.message, true)),
                    );
                },
            );
            let timedOut = false;
            req.setTimeout(idle, () => {
                timedOut = true;
                req.destroy(new Error(`no data for ${idle / 1000} s (idle time-out; a half-open connection?)`));
            });
            req.on("error", (e) =>
                reject(
                    new RegistryError(
                        `${method} ${url.host}${url.pathname}: ${e.message}`,
                        e.message,
                        timedOut || isTransient(e.message),
                    ),
                ),
            );
            if (body === undefined || Buffer.isBuffer(body)) {
                req.end(body);
                return;
            }
            const start = body.start ?? 0;
            const stream = fs.createReadStream(body.file, {
                highWaterMark: 1 << 20,
                start,
                end: start + body.size - 1,
            });
            stream.on("error", (e) => req.destroy(e));
            stream.pipe(req);
        });
    }
}
