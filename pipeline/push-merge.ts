/**
 * Attached tags the private registry already holds (issue 25 §10): a site that signs or attests an image inside the
 * gap writes to the same `sha256-<hex>.sig`/`.att` tags and the same referrers fallback tag `sha256-<hex>` that push
 * fills from the bundle, so push must not replace them. It merges by digest, as the OCI distribution spec asks of a
 * client keeping the fallback tag ("pull, append, push"): whatever the registry holds stays, what the bundle adds is
 * appended. Pure functions; push-direct.ts reads and writes the registry.
 */

/** A descriptor in a manifest or index. */
interface Descriptor {
    mediaType: string;
    digest: string;
    size: number;
    annotations?: Record<string, string>;
    [k: string]: unknown;
}

/** An image manifest (cosign's `.sig`/`.att`/`.sbom` tags) or an index (the referrers fallback tag). */
interface Doc {
    config?: Descriptor;
    layers?: Descriptor[];
    manifests?: Descriptor[];
    [k: string]: unknown;
}

/** What to put under an attached tag the registry already holds. */
export type Merged =
    { kind: "kept" } | { kind: "index"; bytes: Buffer } | { kind: "manifest"; bytes: Buffer; config: Buffer };

function parse(bytes: Buffer, what: string): Doc {
    try {
        return JSON.parse(bytes.toString("utf8")) as Doc;
    } catch {
        throw new Error(`${what} is not JSON`);
    }
}

/**
 * What makes two entries the same. For an index entry (a referrer) its digest; for a cosign layer its digest and
 * annotations: every signer of one image signs the same payload (same layer digest) and differs only in the
 * signature annotation, so two signatures of one digest are two entries.
 */
function identity(d: Descriptor, layers: boolean): string {
    if (!layers) return d.digest;
    const a = d.annotations ?? {};
    return JSON.stringify([
        d.digest,
        Object.keys(a)
            .sort()
            .map((k) => [k, a[k]]),
    ]);
}

/** The entries of `theirs` that `ours` lacks. */
function extra(ours: readonly Descriptor[], theirs: readonly Descriptor[], layers: boolean): Descriptor[] {
    const have = new Set(ours.map((d) => identity(d, layers)));
    return theirs.filter((d) => typeof d?.digest === "string" && !have.has(identity(d, layers)));
}

/**
 * Merges the bundle's attached manifest or index (`ours`) with what the registry holds under the same tag
 * (`theirs`), entries compared as {@link identity} says: `kept` when theirs already lists every entry of ours (nothing to write: the site's additions stay as
 * they are), else ours followed by the entries only theirs has. For a cosign image manifest the layers are the
 * entries and the config's `rootfs.diff_ids` is extended alike (cosign's signature layers are not compressed, so a
 * layer's diff ID is its digest); `oursConfig` is the bytes of our config blob.
 */
export function mergeAttached(ours: Buffer, theirs: Buffer, oursConfig?: Buffer): Merged {
    const o = parse(ours, "the bundle's attached manifest");
    const t = parse(theirs, "the registry's attached manifest");
    const key = Array.isArray(o.manifests) ? "manifests" : "layers";
    const mine = (o[key] ?? []) as Descriptor[];
    const layers = key === "layers";
    const more = extra(mine, (t[key] ?? []) as Descriptor[], layers);
    if (!extra((t[key] ?? []) as Descriptor[], mine, layers).length) return { kind: "kept" };
    if (key === "manifests")
        return { kind: "index", bytes: Buffer.from(JSON.stringify({ ...o, manifests: [...mine, ...more] })) };
    if (!oursConfig) throw new Error("merging an attached image manifest needs its config");
    const config = parse(oursConfig, "the bundle's attached config") as {
        rootfs?: { type?: string; diff_ids?: string[] };
        [k: string]: unknown;
    };
    const rootfs = {
        type: "layers",
        ...config.rootfs,
        diff_ids: [...(config.rootfs?.diff_ids ?? []), ...more.map((d) => d.digest)],
    };
    const configBytes = Buffer.from(JSON.stringify({ ...config, rootfs }));
    return {
        kind: "manifest",
        bytes: Buffer.from(JSON.stringify({ ...o, layers: [...mine, ...more] })),
        config: configBytes,
    };
}

/** True when a manifest names a `subject` (a referrer the registry may index itself, answering `OCI-Subject`). */
export function hasSubject(bytes: Buffer): boolean {
    try {
        return (
            typeof (JSON.parse(bytes.toString("utf8")) as { subject?: { digest?: unknown } }).subject?.digest ===
            "string"
        );
    } catch {
        return false;
    }
}
