/**
 * The one image-path rule of the project (design §5): an upstream reference `HOST/PATH:TAG` (or `@sha256:…`)
 * becomes `<registry>/PATH:TAG`. Used by the inventory, the bundle, the push and every values generator.
 */

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

/** True when the first path element names a registry host rather than a Docker Hub namespace. */
function looksLikeHost(first: string): boolean {
    return first.includes(".") || first.includes(":") || first === "localhost";
}

/** Parses and normalises a reference; Docker Hub short names gain `docker.io/library/`. Throws on bad input. */
export function parseImageRef(ref: string): ImageRef {
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
    if (!tag && !digest) tag = "latest";
    return { host, path: parts.join("/"), tag, digest };
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

/** True when a (possibly short) reference already points into the given registry. */
export function isInRegistry(ref: string, registry: string): boolean {
    try {
        return parseImageRef(ref).host === registry;
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
