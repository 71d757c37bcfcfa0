/**
 * The one image-path rule of the project (design §5): an upstream reference `HOST/PATH:TAG` (or `@sha256:…`)
 * becomes `<registry>/PATH:TAG`. Used by the inventory, the bundle, the push and every values generator.
 */
import { isIPv4, isIPv6 } from "node:net";

/** A parsed, normalised image reference. */
export interface ImageRef {
    /** Registry host (with port), e.g. `quay.io`; Docker Hub is `docker.io`. */
    host: string;
    /** Repository path without host, e.g. `ceph/ceph` or `library/busybox`. */
    path: string;
    /** Tag, when given (`latest` is filled in only when neither tag nor digest is given). */
    tag?: string;
    /** Digest `sha256:<64 hex>`, when given. */
    digest?: string;
}

const DIGEST = /^sha256:[a-f0-9]{64}$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;

const DNS_LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

/**
 * The distribution spec's limits on a reference: a repository name (host and path) of at most 255 characters
 * (distribution/reference reference.go `RepositoryNameTotalLengthMax`; the OCI distribution spec notes that clients
 * limit `host[:port]/name` to 255) and a tag of at most 128 (the tag grammar `[\w][\w.-]{0,127}`).
 */
export const REPOSITORY_NAME_MAX = 255;
export const TAG_MAX = 128;

/** A reference shortened for a message: a hostile value may be megabytes long. */
function quoted(ref: string): string {
    return JSON.stringify(ref.length > 80 ? `${ref.slice(0, 60)}…` : ref);
}

/** A reference over one of the distribution spec's length limits; `problem` names the part and the limit. */
export class ImageRefLimitError extends Error {
    constructor(
        ref: string,
        public readonly problem: string,
    ) {
        super(`invalid image reference ${quoted(ref)}: ${problem}`);
    }
}

const nameTooLong = (n: number, normalised: boolean) =>
    `has a repository name (host and path) of ${n} characters${normalised ? " once normalised" : ""}; the distribution spec allows at most ${REPOSITORY_NAME_MAX}`;

/**
 * Why a reference breaks the distribution spec's length limits as written (its tag, its repository name), or
 * undefined. Measured before any pattern is tried, so a megabyte-long value is refused by its length.
 */
export function imageRefLimitProblem(ref: string): string | undefined {
    const input = ref.trim();
    const at = input.indexOf("@");
    const rest = at >= 0 ? input.slice(0, at) : input;
    const colon = rest.lastIndexOf(":");
    const tagged = colon > rest.lastIndexOf("/");
    const tagLength = tagged ? rest.length - colon - 1 : 0;
    if (tagLength > TAG_MAX)
        return `has a tag of ${tagLength} characters; the distribution spec allows at most ${TAG_MAX}`;
    const name = tagged ? colon : rest.length;
    return name > REPOSITORY_NAME_MAX ? nameTooLong(name, false) : undefined;
}

/** A string safe to print in a message: anything outside printable ASCII is shown as `\u{…}`. */
export function printable(s: string): string {
    return [...s].map((c) => (/^[\x20-\x7e]$/.test(c) ? c : `\\u{${c.codePointAt(0)!.toString(16)}}`)).join("");
}

/** Why `host[:port]` is not a registry address (a DNS name or IP, port 1–65535), or undefined when it is. */
export function registryHostProblem(hostPort: string): string | undefined {
    const m = /^(\[[^\]]*\]|[^:]*)(?::(.*))?$/.exec(hostPort);
    if (!m) return "is not host[:port]";
    const [, host, port] = m;
    if (port !== undefined && !/^[1-9]\d{0,4}$/.test(port))
        return `port "${printable(port)}" is not a number from 1 to 65535`;
    if (port !== undefined && Number(port) > 65535) return `port ${port} is above 65535`;
    if (host.startsWith("["))
        return isIPv6(host.slice(1, -1)) ? undefined : `"${printable(host)}" is not an IPv6 address`;
    if (host === "") return "has no host";
    if (host.length > 253) return "host is longer than 253 characters";
    if (host.endsWith(".")) return "host ends with a dot";
    const labels = host.split(".");
    if (labels.some((l) => l === "")) return "host has an empty label (two dots in a row)";
    const bad = labels.find((l) => !DNS_LABEL.test(l));
    if (bad !== undefined) {
        return bad.length > 63
            ? "host has a label longer than 63 characters"
            : `host label "${printable(bad)}" is not lower-case letters, digits and inner '-'`;
    }
    if (labels.every((l) => /^\d+$/.test(l)) && !isIPv4(host)) return `"${host}" is not an IPv4 address`;
    if (labels.length === 1 && port === undefined && host !== "localhost") {
        // `registry/ceph/ceph` would be read as docker.io/registry/ceph/ceph.
        return `host "${host}" has no dot and no port, so image names under it would mean Docker Hub`;
    }
    return undefined;
}

/**
 * Why a registry `host[:port][/project]` is not valid, or undefined when it is. The project path follows the image
 * path rule (lower-case components), so `<server>/<path>` is always a valid reference.
 */
export function registryServerProblem(server: string): string | undefined {
    if (server.length > 255) return "is longer than 255 characters";
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(server)) return "has a scheme";
    const [hostPort, ...project] = server.split("/");
    const hostProblem = registryHostProblem(hostPort);
    if (hostProblem) return hostProblem;
    const bad = project.find((p) => !PATH_COMPONENT.test(p));
    if (bad !== undefined)
        return bad === "" ? "has an empty path component" : `project "${printable(bad)}" is not a repository path`;
    return undefined;
}

/** True when the first path element names a registry host rather than a Docker Hub namespace. */
function looksLikeHost(first: string): boolean {
    return first.includes(".") || first.includes(":") || first === "localhost";
}

/** Parses and normalises a reference; Docker Hub short names gain `docker.io/library/`. Throws on bad input. */
export function parseImageRef(ref: string): ImageRef {
    const limit = imageRefLimitProblem(ref);
    if (limit) throw new ImageRefLimitError(ref, limit);
    const input = ref.trim();
    if (input === "" || /\s/.test(input)) throw new Error(`invalid image reference "${ref}"`);
    let rest = input;
    let digest: string | undefined;
    const at = rest.indexOf("@");
    if (at >= 0) {
        digest = rest.slice(at + 1);
        rest = rest.slice(0, at);
        if (!DIGEST.test(digest)) throw new Error(`invalid digest in image reference "${ref}"`);
    }
    let tag: string | undefined;
    const lastSlash = rest.lastIndexOf("/");
    const colon = rest.lastIndexOf(":");
    if (colon > lastSlash) {
        tag = rest.slice(colon + 1);
        rest = rest.slice(0, colon);
        if (!TAG.test(tag)) throw new Error(`invalid tag in image reference "${ref}"`);
    }
    const parts = rest.split("/");
    let host = "docker.io";
    if (parts.length > 1 && looksLikeHost(parts[0])) host = parts.shift()!;
    if (host === "index.docker.io" || host === "registry-1.docker.io") host = "docker.io";
    if (host === "docker.io" && parts.length === 1) parts.unshift("library");
    if (parts.length === 0 || !parts.every((p) => PATH_COMPONENT.test(p))) {
        throw new Error(`invalid repository path in image reference "${ref}"`);
    }
    const hostProblem = registryHostProblem(host);
    if (hostProblem) throw new Error(`invalid registry in image reference "${ref}": ${hostProblem}`);
    if (!tag && !digest) tag = "latest";
    const path = parts.join("/");
    // A Docker Hub short name gains docker.io/library/, which may take it over the limit.
    const name = `${host}/${path}`.length;
    if (name > REPOSITORY_NAME_MAX) throw new ImageRefLimitError(ref, nameTooLong(name, true));
    return { host, path, tag, digest };
}

/**
 * Why a configured image reference is refused, or undefined: a length limit of the distribution spec (named with the
 * limit), else any other fault as one line.
 */
export function imageRefProblem(ref: string): string | undefined {
    try {
        parseImageRef(ref);
        return undefined;
    } catch (e) {
        return e instanceof ImageRefLimitError
            ? `${e.problem} (use the image's real name, e.g. quay.io/ceph/ceph:v19.2.3)`
            : "is not an image reference (write it like quay.io/ceph/ceph:v19.2.3)";
    }
}

/** Formats a reference as `host/path[:tag][@digest]`. */
export function formatImageRef(r: ImageRef): string {
    return `${r.host}/${r.path}${r.tag ? `:${r.tag}` : ""}${r.digest ? `@${r.digest}` : ""}`;
}

/** Normalises a reference to its full upstream form (`busybox` → `docker.io/library/busybox:latest`). */
export function normaliseImageRef(ref: string): string {
    return formatImageRef(parseImageRef(ref));
}

/** Maps an upstream reference into the private registry: `HOST/PATH:TAG` → `<registry>/PATH:TAG`. */
export function mapImage(ref: string, registry: string): string {
    const r = parseImageRef(ref);
    return formatImageRef({ ...r, host: registry });
}

/** The private-registry repository (no tag) of an upstream reference, for charts that take repo and tag apart. */
export function mapRepository(ref: string, registry: string): string {
    return `${registry}/${parseImageRef(ref).path}`;
}

/**
 * True when a (possibly short) reference already points into the given registry `host[:port][/project]`: same
 * host, and under the project when the registry has one.
 */
export function isInRegistry(ref: string, registry: string): boolean {
    try {
        const r = parseImageRef(ref);
        return `${r.host}/${r.path}`.startsWith(`${registry.replace(/\/+$/, "")}/`);
    } catch {
        return false;
    }
}

/** One upstream image and where it lands in the private registry. */
export interface ImageMapping {
    /** Normalised upstream reference. */
    source: string;
    /** Reference inside the private registry. */
    target: string;
}

/**
 * Maps a set of upstream references, dropping exact duplicates (after normalisation) and throwing when two
 * different upstream images would land on the same target (e.g. `docker.io/x/y:1` and `quay.io/x/y:1`).
 */
export function mapImages(refs: readonly string[], registry: string): ImageMapping[] {
    const byTarget = new Map<string, string>();
    const out: ImageMapping[] = [];
    for (const ref of refs) {
        const source = normaliseImageRef(ref);
        const target = mapImage(source, registry);
        const seen = byTarget.get(target);
        if (seen === source) continue;
        if (seen) {
            throw new Error(
                `image collision: "${seen}" and "${source}" both map to "${target}" (carry only one of them, or rename one upstream)`,
            );
        }
        byTarget.set(target, source);
        out.push({ source, target });
    }
    return out.sort((a, b) => a.source.localeCompare(b.source));
}
