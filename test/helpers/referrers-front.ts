/**
 * A registry with the OCI 1.1 referrers API, made of a plain test docker-registry (2.8 has no such API) and an HTTP
 * front: `GET /v2/<repo>/referrers/<digest>` is answered, one descriptor per page with a `Link` header to the next
 * (as the spec allows), from the referrers index the backing registry holds under the fallback tag `sha256-<hex>`
 * and from the manifests pushed through the front with a `subject` (answered with `OCI-Subject`, as the spec asks).
 * The fallback tag is hidden from tag lists and manifest reads, so referrers can be found only through the API — as
 * on registries that have it (quay.io, Harbor, zot). Everything else passes through unchanged.
 */
import { createHash } from "node:crypto";
import * as http from "node:http";
import type { AddressInfo } from "node:net";

/** A running front. */
export interface ReferrersFront {
    /** `127.0.0.1:<port>`. */
    host: string;
    /** Method and path of each referrers request. */
    referrersRequests: string[];
    stop(): Promise<void>;
}

const INDEX = "application/vnd.oci.image.index.v1+json";
const FALLBACK = /^sha256-[a-f0-9]{64}$/;

/** The parts of a pushed manifest a referrers answer describes. */
interface Pushed {
    mediaType: string;
    artifactType?: string;
    config?: { mediaType: string };
    subject?: { digest: string };
    annotations?: Record<string, string>;
}

/** The descriptor of a pushed manifest in a referrers answer. */
function descriptorOf(doc: Pushed, body: Buffer) {
    const digest = `sha256:${createHash("sha256").update(body).digest("hex")}`;
    const artifactType = doc.artifactType ?? doc.config?.mediaType;
    return { mediaType: doc.mediaType, digest, size: body.length, artifactType, annotations: doc.annotations };
}

/** Sends a request to the backing registry and returns status, headers and body. */
function forward(backend: string, req: http.IncomingMessage, body: Buffer, p = req.url ?? "/", accept?: string) {
    return new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }>((resolve, reject) => {
        const headers = { ...req.headers, host: backend, ...(accept ? { accept } : {}) };
        const out = http.request(`http://${backend}${p}`, { method: req.method, headers }, (res) => {
            const chunks: Buffer[] = [];
            res.on("data", (c: Buffer) => chunks.push(c));
            res.on("end", () =>
                resolve({ status: res.statusCode ?? 502, headers: res.headers, body: Buffer.concat(chunks) }),
            );
        });
        out.on("error", reject);
        out.end(body);
    });
}

/** Starts the front for the plain-HTTP registry at `backend` (`host:port`). */
export async function startReferrersFront(backend: string): Promise<ReferrersFront> {
    const referrersRequests: string[] = [];
    const indexed = new Map<string, object[]>();
    const server = http.createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on("data", (c: Buffer) => chunks.push(c));
        req.on("end", () => {
            answer(req, Buffer.concat(chunks))
                .then((r) => {
                    res.writeHead(r.status, r.headers);
                    res.end(req.method === "HEAD" ? undefined : r.body);
                })
                .catch((e: Error) => {
                    res.writeHead(502);
                    res.end(e.message);
                });
        });
    });

    async function answer(req: http.IncomingMessage, body: Buffer) {
        const url = new URL(req.url ?? "/", "http://front");
        const referrers = /^\/v2\/(.+)\/referrers\/(sha256:[a-f0-9]{64})$/.exec(url.pathname);
        if (referrers && req.method === "GET") {
            referrersRequests.push(`${req.method} ${req.url}`);
            const [, repo, digest] = referrers;
            const held = await forward(
                backend,
                req,
                Buffer.alloc(0),
                `/v2/${repo}/manifests/sha256-${digest.slice(7)}`,
                INDEX,
            );
            const tagged =
                held.status === 200
                    ? ((JSON.parse(held.body.toString()) as { manifests: unknown[] }).manifests ?? [])
                    : [];
            const all = [...tagged, ...(indexed.get(`${repo}@${digest}`) ?? [])];
            const page = Number(url.searchParams.get("page") ?? "0");
            const manifests = all.slice(page, page + 1);
            const headers: http.OutgoingHttpHeaders = { "content-type": INDEX };
            if (page + 1 < all.length) headers.link = `<${url.pathname}?page=${page + 1}>; rel="next"`;
            return {
                status: 200,
                headers,
                body: Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: INDEX, manifests })),
            };
        }
        const manifest = /^\/v2\/.+\/manifests\/([^/]+)$/.exec(url.pathname);
        if (manifest && FALLBACK.test(manifest[1]) && (req.method === "GET" || req.method === "HEAD")) {
            const unknown = { errors: [{ code: "MANIFEST_UNKNOWN", message: "manifest unknown" }] };
            return {
                status: 404,
                headers: { "content-type": "application/json" },
                body: Buffer.from(JSON.stringify(unknown)),
            };
        }
        const r = await forward(backend, req, body);
        if (manifest && req.method === "PUT" && r.status === 201) {
            // Indexed by subject, as a registry with the API does; OCI-Subject tells the client so.
            const doc = JSON.parse(body.toString()) as Pushed;
            if (doc.subject) {
                const repo = url.pathname.slice(4, url.pathname.lastIndexOf("/manifests/"));
                const key = `${repo}@${doc.subject.digest}`;
                indexed.set(key, [...(indexed.get(key) ?? []), descriptorOf(doc, body)]);
                return { status: 201, headers: { ...r.headers, "oci-subject": doc.subject.digest }, body: r.body };
            }
        }
        if (/\/tags\/list$/.test(url.pathname) && r.status === 200) {
            const doc = JSON.parse(r.body.toString()) as { tags?: string[] };
            doc.tags = (doc.tags ?? []).filter((t) => !FALLBACK.test(t));
            const headers = { ...r.headers };
            delete headers["content-length"];
            return { status: 200, headers, body: Buffer.from(JSON.stringify(doc)) };
        }
        return { status: r.status, headers: r.headers, body: r.body };
    }

    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    return {
        host: `127.0.0.1:${port}`,
        referrersRequests,
        stop: () =>
            new Promise<void>((resolve) => {
                server.closeAllConnections();
                server.close(() => resolve());
            }),
    };
}
