/**
 * Pulls an image as a kubelet would, to prove that what a pod names can really be pulled (the sim's kwok never
 * pulls): the pod's `imagePullSecrets` (the ServiceAccount's are merged in at admission) are read from its namespace,
 * their `.dockerconfigjson` entries for the image's registry are tried in order (kubelet `credentialprovider`
 * keyring: the key's host, and its path as a prefix when it has one), then no credentials; each try fetches the
 * manifest (an index or list is resolved to linux/amd64) and the config blob over the OCI distribution API, with the
 * registry's Basic or Bearer-token challenge answered, and checks both digests. Credentials stay in this process.
 */
import * as crypto from "node:crypto";
import * as https from "node:https";
import type { ApiClient, KubeObject } from "../../lib/kube-api";

const ACCEPT = [
    "application/vnd.oci.image.index.v1+json",
    "application/vnd.docker.distribution.manifest.list.v2+json",
    "application/vnd.oci.image.manifest.v1+json",
    "application/vnd.docker.distribution.manifest.v2+json",
].join(", ");

/** A registry credential from a dockerconfigjson `auths` entry. */
export interface Credential {
    key: string;
    username: string;
    password: string;
}

/** An image reference split as a kubelet's runtime reads it (Docker Hub names normalised). */
export function parseRef(image: string): { host: string; repo: string; ref: string } {
    let rest = image;
    let host = "docker.io";
    const slash = rest.indexOf("/");
    const first = slash < 0 ? "" : rest.slice(0, slash);
    if (first.includes(".") || first.includes(":") || first === "localhost") {
        host = first;
        rest = rest.slice(slash + 1);
    }
    let ref = "latest";
    const at = rest.indexOf("@");
    if (at >= 0) {
        ref = rest.slice(at + 1);
        rest = rest.slice(0, at);
    } else {
        const colon = rest.lastIndexOf(":");
        if (colon > rest.lastIndexOf("/")) {
            ref = rest.slice(colon + 1);
            rest = rest.slice(0, colon);
        }
    }
    if (host === "docker.io" && !rest.includes("/")) rest = `library/${rest}`;
    return { host, repo: rest, ref };
}

/** The `auths` entries of dockerconfigjson Secrets that match the image (in Secret order, as the keyring tries them). */
export function matchingCredentials(secrets: KubeObject[], host: string, repo: string): Credential[] {
    const out: Credential[] = [];
    for (const s of secrets) {
        if (s.type !== "kubernetes.io/dockerconfigjson") continue;
        const raw = (s.data as Record<string, string> | undefined)?.[".dockerconfigjson"];
        if (!raw) continue;
        const auths = (JSON.parse(Buffer.from(raw, "base64").toString("utf8")).auths ?? {}) as Record<
            string,
            { username?: string; password?: string; auth?: string }
        >;
        for (const [key, v] of Object.entries(auths)) {
            const bare = key.replace(/^https?:\/\//, "").replace(/\/+$/, "");
            const [kHost, ...kPath] = bare.split("/");
            if (kHost !== host || (kPath.length > 0 && !`${repo}/`.startsWith(`${kPath.join("/")}/`))) continue;
            let { username = "", password = "" } = v;
            if (v.auth) {
                const decoded = Buffer.from(v.auth, "base64").toString("utf8");
                const i = decoded.indexOf(":");
                username = decoded.slice(0, i);
                password = decoded.slice(i + 1);
            }
            out.push({ key, username, password });
        }
    }
    return out;
}

interface Answer {
    status: number;
    headers: Record<string, string | string[] | undefined>;
    body: Buffer;
}

function get(url: string, headers: Record<string, string>, ca?: string): Promise<Answer> {
    return new Promise((resolve, reject) => {
        const req = https.get(url, { headers, ca, timeout: 20_000 }, (res) => {
            const chunks: Buffer[] = [];
            res.on("data", (c: Buffer) => chunks.push(c));
            res.on("end", () =>
                resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
            );
            res.on("error", reject);
        });
        req.on("timeout", () => req.destroy(new Error(`timeout: GET ${url}`)));
        req.on("error", reject);
    });
}

/** GET with the registry's auth challenge answered (Basic, or a Bearer token from its realm). */
async function authGet(url: string, accept: string, cred: Credential | undefined, ca?: string): Promise<Answer> {
    const first = await get(url, { Accept: accept }, ca);
    if (first.status !== 401) return first;
    const challenge = String(first.headers["www-authenticate"] ?? "");
    const basic = cred ? `Basic ${Buffer.from(`${cred.username}:${cred.password}`).toString("base64")}` : undefined;
    if (/^Basic/i.test(challenge)) {
        return basic ? get(url, { Accept: accept, Authorization: basic }, ca) : first;
    }
    const m = /^Bearer\s+(.*)$/i.exec(challenge);
    if (!m) return first;
    const params = Object.fromEntries([...m[1].matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1], x[2]]));
    const q = new URLSearchParams({
        ...(params.service ? { service: params.service } : {}),
        ...(params.scope ? { scope: params.scope } : {}),
    });
    const tok = await get(`${params.realm}?${q}`, basic ? { Authorization: basic } : {}, ca);
    if (tok.status !== 200) return tok;
    const t = JSON.parse(tok.body.toString("utf8")) as { token?: string; access_token?: string };
    return get(url, { Accept: accept, Authorization: `Bearer ${t.token ?? t.access_token}` }, ca);
}

const sha256 = (b: Buffer) => `sha256:${crypto.createHash("sha256").update(b).digest("hex")}`;

/** One pull with one credential (or none): the manifest (resolved to linux/amd64) and the config blob; throws why not. */
async function pullWith(image: string, cred: Credential | undefined, ca?: string): Promise<void> {
    const { host, repo, ref } = parseRef(image);
    const base = `https://${host}/v2/${repo}`;
    const fail = (what: string, a: Answer) =>
        new Error(`${what}: HTTP ${a.status} ${a.body.toString("utf8").slice(0, 200).trim()}`);
    let a = await authGet(`${base}/manifests/${ref}`, ACCEPT, cred, ca);
    if (a.status !== 200) throw fail(`manifest ${ref}`, a);
    if (ref.startsWith("sha256:") && sha256(a.body) !== ref) throw new Error(`manifest digest is not ${ref}`);
    let doc = JSON.parse(a.body.toString("utf8")) as {
        manifests?: { digest: string; platform?: { os?: string; architecture?: string } }[];
        config?: { digest: string };
    };
    if (doc.manifests) {
        const pick = doc.manifests.find((x) => x.platform?.os === "linux" && x.platform?.architecture === "amd64");
        if (!pick) throw new Error("the index has no linux/amd64 manifest");
        a = await authGet(`${base}/manifests/${pick.digest}`, ACCEPT, cred, ca);
        if (a.status !== 200) throw fail(`manifest ${pick.digest}`, a);
        if (sha256(a.body) !== pick.digest) throw new Error(`manifest digest is not ${pick.digest}`);
        doc = JSON.parse(a.body.toString("utf8"));
    }
    const config = doc.config?.digest;
    if (!config) throw new Error("the manifest names no config");
    const c = await authGet(`${base}/blobs/${config}`, "*/*", cred, ca);
    if (c.status !== 200) throw fail(`config blob ${config}`, c);
    if (sha256(c.body) !== config) throw new Error(`config blob digest is not ${config}`);
}

/**
 * Pulls `image` with the given pull Secrets as a kubelet would (see the file comment); undefined when it worked,
 * else why each try failed.
 */
export async function pullAsKubelet(image: string, secrets: KubeObject[], ca?: string): Promise<string | undefined> {
    const { host, repo } = parseRef(image);
    const tries: (Credential | undefined)[] = [...matchingCredentials(secrets, host, repo), undefined];
    const errors: string[] = [];
    for (const cred of tries) {
        try {
            await pullWith(image, cred, ca);
            return undefined;
        } catch (e) {
            errors.push(`${cred ? `as ${cred.username} (${cred.key})` : "anonymously"}: ${(e as Error).message}`);
        }
    }
    return errors.join("; ");
}

/**
 * Every image of every pod (containers, init and ephemeral containers), pulled with that pod's own pull Secrets;
 * returns the failures as `namespace/pod image: why`.
 */
export async function podPullFailures(client: ApiClient, ca?: string): Promise<string[]> {
    const failures: string[] = [];
    const secretsOf = new Map<string, KubeObject | undefined>();
    for (const pod of await client.list("/api/v1/pods")) {
        const ns = pod.metadata.namespace!;
        const spec = (pod.spec ?? {}) as {
            imagePullSecrets?: { name: string }[];
            containers?: { image: string }[];
            initContainers?: { image: string }[];
            ephemeralContainers?: { image: string }[];
        };
        const secrets: KubeObject[] = [];
        for (const { name } of spec.imagePullSecrets ?? []) {
            const key = `${ns}/${name}`;
            if (!secretsOf.has(key)) secretsOf.set(key, await client.get(`/api/v1/namespaces/${ns}/secrets/${name}`));
            const s = secretsOf.get(key);
            if (s) secrets.push(s);
        }
        const images = [
            ...(spec.initContainers ?? []),
            ...(spec.containers ?? []),
            ...(spec.ephemeralContainers ?? []),
        ];
        for (const image of new Set(images.map((c) => c.image))) {
            const why = await pullAsKubelet(image, secrets, ca);
            if (why) failures.push(`${ns}/${pod.metadata.name} ${image}: ${why}`);
        }
    }
    return failures;
}
