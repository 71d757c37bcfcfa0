/**
 * A minimal Kubernetes API client over Node's https module (client certificate or token auth): the sim, its tests,
 * and the wait for Rook's cleanup jobs (cli/cleanup-wait.ts).
 */
import * as https from "node:https";
import { readKubeconfig, type ClusterAccess } from "./kubeconfig";

/** An API answer: HTTP status and the parsed JSON body (or the raw text when it is not JSON). */
export interface ApiResponse<T = unknown> {
    status: number;
    body: T;
}

/** The object shape every Kubernetes resource shares, loosely typed. */
export interface KubeObject {
    apiVersion?: string;
    kind?: string;
    metadata: {
        name: string;
        namespace?: string;
        uid?: string;
        generation?: number;
        resourceVersion?: string;
        labels?: Record<string, string>;
        annotations?: Record<string, string>;
        deletionTimestamp?: string;
        [key: string]: unknown;
    };
    spec?: Record<string, unknown>;
    status?: Record<string, unknown>;
    [key: string]: unknown;
}

/** A list answer. */
export interface KubeList<T = KubeObject> {
    items: T[];
}

/** Thrown on an unexpected status; carries status and the server's message. */
export class ApiError extends Error {
    constructor(
        readonly method: string,
        readonly path: string,
        readonly status: number,
        readonly body: unknown,
    ) {
        const message = (body as { message?: string } | undefined)?.message ?? JSON.stringify(body)?.slice(0, 300);
        super(`${method} ${path}: HTTP ${status}: ${message}`);
    }
}

/** Talks to one API server as one user; keeps connections alive between calls. */
export class ApiClient {
    private readonly agent: https.Agent;
    private readonly url: URL;

    constructor(readonly access: ClusterAccess) {
        this.url = new URL(access.server);
        this.agent = new https.Agent({
            ca: access.ca,
            cert: access.cert,
            key: access.key,
            keepAlive: true,
            maxSockets: 8,
        });
    }

    /** A client for a context of a kubeconfig (default: its current context). */
    static fromKubeconfig(file: string, context?: string): ApiClient {
        return new ApiClient(readKubeconfig(file, context));
    }

    /** Sends one request; never throws on HTTP status (see the typed helpers for that). */
    request<T = unknown>(
        method: string,
        path: string,
        body?: unknown,
        contentType = "application/json",
        timeoutMs = 15000,
    ): Promise<ApiResponse<T>> {
        const payload = body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body);
        return new Promise((resolve, reject) => {
            const req = https.request(
                {
                    host: this.url.hostname,
                    port: this.url.port,
                    path,
                    method,
                    agent: this.agent,
                    timeout: timeoutMs,
                    headers: {
                        accept: "application/json",
                        ...(this.access.token ? { authorization: `Bearer ${this.access.token}` } : {}),
                        ...(payload !== undefined
                            ? { "content-type": contentType, "content-length": Buffer.byteLength(payload) }
                            : {}),
                    },
                },
                (res) => {
                    const chunks: Buffer[] = [];
                    res.on("data", (c: Buffer) => chunks.push(c));
                    res.on("end", () => {
                        const text = Buffer.concat(chunks).toString("utf8");
                        let parsed: unknown = text;
                        try {
                            parsed = text ? JSON.parse(text) : undefined;
                        } catch {
                            // not JSON (e.g. /readyz answers "ok")
                        }
                        resolve({ status: res.statusCode ?? 0, body: parsed as T });
                    });
                    res.on("error", reject);
                },
            );
            req.on("timeout", () => req.destroy(new Error(`${method} ${path}: no answer within ${timeoutMs} ms`)));
            req.on("error", reject);
            if (payload !== undefined) req.write(payload);
            req.end();
        });
    }

    /** GET that returns undefined on 404 and throws on any other error status. */
    async get<T = KubeObject>(path: string): Promise<T | undefined> {
        const res = await this.request<T>("GET", path);
        if (res.status === 404) return undefined;
        if (res.status !== 200) throw new ApiError("GET", path, res.status, res.body);
        return res.body;
    }

    /** Lists a collection; an unknown resource type (404) gives an empty list. */
    async list<T = KubeObject>(path: string): Promise<T[]> {
        return (await this.get<KubeList<T>>(path))?.items ?? [];
    }

    /** POSTs an object; throws on any status but 201/200 (and on 409 unless `allowExisting`). */
    async create<T = KubeObject>(path: string, obj: unknown, allowExisting = false): Promise<T | undefined> {
        const res = await this.request<T>("POST", path, obj);
        if (res.status === 409 && allowExisting) return undefined;
        if (res.status !== 201 && res.status !== 200) throw new ApiError("POST", path, res.status, res.body);
        return res.body;
    }

    /** PUTs an object (replace, resourceVersion checked by the server). */
    async replace<T = KubeObject>(path: string, obj: unknown): Promise<T> {
        const res = await this.request<T>("PUT", path, obj);
        if (res.status !== 200 && res.status !== 201) throw new ApiError("PUT", path, res.status, res.body);
        return res.body;
    }

    /** JSON merge patch (RFC 7386). */
    async mergePatch<T = KubeObject>(path: string, patch: unknown): Promise<T> {
        const res = await this.request<T>("PATCH", path, patch, "application/merge-patch+json");
        if (res.status !== 200) throw new ApiError("PATCH", path, res.status, res.body);
        return res.body;
    }

    /** DELETE; a missing object (404) is fine. */
    async delete(path: string): Promise<void> {
        const res = await this.request("DELETE", path);
        if (res.status !== 200 && res.status !== 202 && res.status !== 404) {
            throw new ApiError("DELETE", path, res.status, res.body);
        }
    }

    /** Closes kept-alive connections so the process can exit. */
    close(): void {
        this.agent.destroy();
    }
}
