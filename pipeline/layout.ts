/** Reading the bundle's single OCI image layout: which manifest a ref name points at and which blobs it needs. */
import * as fs from "node:fs";
import * as path from "node:path";
import { hashFile, sha256 } from "../lib/digest";
import type { BlobRef } from "./manifest";

const REF_NAME = "org.opencontainers.image.ref.name";

/** The media type of an OCI image index (also what a referrers answer and its fallback tag hold). */
export const OCI_INDEX = "application/vnd.oci.image.index.v1+json";

/** A descriptor as found in index.json and manifests. */
interface Descriptor {
    mediaType: string;
    digest: string;
    size: number;
    annotations?: Record<string, string>;
}

/** The only digest form a blob name may take: anything else could name a path outside the layout. */
export const DIGEST = /^sha256:[a-f0-9]{64}$/;
/**
 * The largest manifest or index read from the layout (distribution's own limit on a manifest PUT is 4 MiB,
 * registry/handlers/manifests.go maxManifestBodySize).
 */
export const MAX_MANIFEST_BYTES = 4 << 20;
/** The largest `index.json` read. */
const MAX_INDEX_BYTES = 64 << 20;

/** Path of a blob inside a layout; throws on a digest that is not `sha256:<64 hex>`. */
export function blobPath(layout: string, digest: string): string {
    if (!DIGEST.test(digest)) throw new Error(`"${digest}" is not a sha256 digest (sha256:<64 hex digits>)`);
    return path.join(layout, "blobs", "sha256", digest.slice(7));
}

/**
 * Reads a small file whole after checking it is a regular file (not a link, device or FIFO) of at most `max` bytes;
 * throws naming it otherwise.
 */
export function readSmallFile(file: string, max: number): Buffer {
    const st = fs.lstatSync(file, { throwIfNoEntry: false });
    if (!st) throw new Error(`${file} is missing`);
    if (!st.isFile()) throw new Error(`${file} is not a regular file`);
    if (st.size > max) throw new Error(`${file} is ${st.size} bytes, more than the ${max} a manifest may have`);
    const b = fs.readFileSync(file);
    if (b.length !== st.size) throw new Error(`${file} changed while it was read`);
    return b;
}

/** A manifest of an image with the exact bytes read and checked. */
export interface ManifestBytes {
    digest: string;
    mediaType: string;
    bytes: Buffer;
}

/** An image as the manifests in the layout describe it. */
export interface WalkedImage {
    /** Its manifests in PUT order (children before the index that lists them), bytes checked against digests. */
    manifests: ManifestBytes[];
    /** Every other blob (configs, layers) with the size its manifest gives. */
    blobs: BlobRef[];
}

/**
 * Walks an image from its top descriptor: reads each manifest once (regular file, size capped, sha256 equal to its
 * digest, descriptors with valid digests) and collects configs and layers. The one walk verify and push both use;
 * throws naming the first bad manifest.
 */
export function walkImage(layout: string, top: Descriptor): WalkedImage {
    const manifests: ManifestBytes[] = [];
    const blobs = new Map<string, BlobRef>();
    const seen = new Set<string>();
    const walk = (d: Descriptor) => {
        if (seen.has(d.digest)) return;
        seen.add(d.digest);
        const bytes = readSmallFile(blobPath(layout, d.digest), MAX_MANIFEST_BYTES);
        if (`sha256:${sha256(bytes)}` !== d.digest) throw new Error(`manifest ${d.digest} does not match its digest`);
        let doc: { manifests?: Descriptor[]; config?: Descriptor; layers?: Descriptor[] };
        try {
            doc = JSON.parse(bytes.toString("utf8")) as typeof doc;
        } catch {
            throw new Error(`manifest ${d.digest} is not JSON`);
        }
        const check = (c: Descriptor) => {
            if (!c || typeof c.digest !== "string" || !DIGEST.test(c.digest)) {
                throw new Error(`manifest ${d.digest} names a blob "${String(c?.digest)}" that is not a sha256 digest`);
            }
            if (!Number.isSafeInteger(c.size) || c.size < 0)
                throw new Error(`manifest ${d.digest}: bad size of ${c.digest}`);
            return c;
        };
        for (const m of doc.manifests ?? []) walk(check(m));
        for (const b of [...(doc.config ? [doc.config] : []), ...(doc.layers ?? [])]) {
            const c = check(b);
            if (!blobs.has(c.digest)) blobs.set(c.digest, { digest: c.digest, size: c.size });
        }
        manifests.push({ digest: d.digest, mediaType: d.mediaType, bytes });
    };
    walk(top);
    return { manifests, blobs: [...blobs.values()].filter((b) => !seen.has(b.digest)) };
}

/** The descriptors of `index.json`, by ref name; empty when the layout does not exist yet. */
export function layoutRefs(layout: string): Map<string, Descriptor> {
    const file = path.join(layout, "index.json");
    const refs = new Map<string, Descriptor>();
    if (!fs.existsSync(file)) return refs;
    const index = JSON.parse(readSmallFile(file, MAX_INDEX_BYTES).toString("utf8")) as { manifests?: Descriptor[] };
    for (const d of index.manifests ?? []) {
        const name = d.annotations?.[REF_NAME];
        if (name) refs.set(name, d);
    }
    return refs;
}

/**
 * Every blob an image needs, starting at its top descriptor: the manifest or index itself, then (recursively)
 * child manifests, configs and layers. Throws naming the blob when one is missing or not JSON where it must be.
 */
export function imageBlobs(layout: string, top: Descriptor): BlobRef[] {
    const seen = new Map<string, BlobRef>();
    const walk = (d: Descriptor) => {
        if (seen.has(d.digest)) return;
        seen.set(d.digest, { digest: d.digest, size: d.size });
        if (!/manifest|index/.test(d.mediaType)) return;
        const file = blobPath(layout, d.digest);
        if (!fs.existsSync(file)) throw new Error(`blob ${d.digest} is missing from the layout`);
        const doc = JSON.parse(fs.readFileSync(file, "utf8")) as {
            manifests?: Descriptor[];
            config?: Descriptor;
            layers?: Descriptor[];
        };
        for (const m of doc.manifests ?? []) walk(m);
        if (doc.config) walk(doc.config);
        for (const l of doc.layers ?? []) walk(l);
    };
    walk(top);
    return [...seen.values()];
}

/** Every blob file of the layout with its size (name = hex digest). */
export function layoutBlobFiles(layout: string): BlobRef[] {
    const dir = path.join(layout, "blobs", "sha256");
    if (!fs.existsSync(dir)) return [];
    return fs
        .readdirSync(dir)
        .filter((f) => !f.includes("."))
        .map((f) => ({ digest: `sha256:${f}`, size: fs.statSync(path.join(dir, f)).size }));
}

/**
 * Lays out one verified image (see {@link walkImage}) as a skopeo `dir:` image in `dest`: `manifest.json` is the top
 * manifest or index and `<hex>.manifest.json` each child manifest, written from the bytes verify checked; every other
 * blob is a symlink to the layout's file (the registry checks its digest on upload). skopeo before 1.19 reads only OCI
 * media types from an `oci:` layout by name, so a Docker v2s2 manifest kept byte for byte in the layout can only be
 * pushed through `dir:`, which takes any manifest as it is.
 */
export function dirView(layout: string, image: WalkedImage, topDigest: string, dest: string): void {
    fs.mkdirSync(dest, { recursive: true });
    fs.writeFileSync(path.join(dest, "version"), "Directory Transport Version: 1.1\n");
    for (const m of image.manifests) {
        const name = m.digest === topDigest ? "manifest.json" : `${m.digest.slice(7)}.manifest.json`;
        fs.writeFileSync(path.join(dest, name), m.bytes);
    }
    for (const b of image.blobs) {
        fs.symlinkSync(path.resolve(blobPath(layout, b.digest)), path.join(dest, b.digest.slice(7)));
    }
}

/**
 * Moves a skopeo `dir:` image into the layout (blobs by digest, each checked) and names its top manifest `refName`
 * in index.json, replacing an older entry of that name. Returns the top descriptor.
 */
export async function importDir(dir: string, layout: string, refName: string): Promise<Descriptor> {
    fs.mkdirSync(path.join(layout, "blobs", "sha256"), { recursive: true });
    const top = fs.readFileSync(path.join(dir, "manifest.json")); // small JSON
    const mediaType = (JSON.parse(top.toString("utf8")) as { mediaType?: string }).mediaType;
    if (!mediaType) throw new Error(`${refName}: the manifest names no mediaType`);
    const desc: Descriptor = { mediaType, digest: `sha256:${sha256(top)}`, size: top.length };
    for (const f of fs.readdirSync(dir)) {
        const m = /^([a-f0-9]{64})(\.manifest\.json)?$/.exec(f);
        const hex = f === "manifest.json" ? desc.digest.slice(7) : m?.[1];
        if (!hex) continue;
        if ((await hashFile(path.join(dir, f))).sha256 !== hex) {
            throw new Error(`${refName}: blob ${f} does not match its digest`);
        }
        // The scratch dir sits inside the bundle, so this is a rename on one file system.
        const dest = blobPath(layout, `sha256:${hex}`);
        if (!fs.existsSync(dest)) fs.renameSync(path.join(dir, f), dest);
    }
    addRef(layout, refName, desc);
    return desc;
}

/** Names `desc` `refName` in the layout's index.json (replacing an older entry of that name), written atomically. */
export function addRef(layout: string, refName: string, desc: Descriptor): void {
    if (!fs.existsSync(path.join(layout, "oci-layout"))) {
        fs.writeFileSync(path.join(layout, "oci-layout"), JSON.stringify({ imageLayoutVersion: "1.0.0" }));
    }
    const file = path.join(layout, "index.json");
    const index = fs.existsSync(file)
        ? (JSON.parse(fs.readFileSync(file, "utf8")) as { schemaVersion: number; manifests: Descriptor[] })
        : { schemaVersion: 2, manifests: [] };
    index.manifests = index.manifests.filter((d) => d.annotations?.[REF_NAME] !== refName);
    index.manifests.push({
        mediaType: desc.mediaType,
        digest: desc.digest,
        size: desc.size,
        annotations: { [REF_NAME]: refName },
    });
    const tmp = `${file}.tmp-${process.pid}`;
    fs.writeFileSync(tmp, JSON.stringify(index));
    fs.renameSync(tmp, file);
}

/** True when the top manifest is an index (multi-platform). */
export function isIndex(mediaType: string): boolean {
    return /index|manifest\.list/.test(mediaType);
}

/**
 * Drops from the layout what the bundle no longer records (images an earlier run carried): index.json entries whose
 * ref name is not in `names`, and blob files not in `keep`. Verify refuses files bundle.json does not list.
 */
export function pruneLayout(layout: string, names: Set<string>, keep: Set<string>): number {
    const file = path.join(layout, "index.json");
    if (fs.existsSync(file)) {
        const index = JSON.parse(fs.readFileSync(file, "utf8")) as { manifests: Descriptor[] };
        const kept = index.manifests.filter((d) => names.has(d.annotations?.[REF_NAME] ?? ""));
        if (kept.length !== index.manifests.length) {
            const tmp = `${file}.tmp-${process.pid}`;
            fs.writeFileSync(tmp, JSON.stringify({ ...index, manifests: kept }));
            fs.renameSync(tmp, file);
        }
    }
    let removed = 0;
    const dir = path.join(layout, "blobs", "sha256");
    for (const f of fs.existsSync(dir) ? fs.readdirSync(dir) : []) {
        if (!keep.has(`sha256:${f}`)) {
            fs.rmSync(path.join(dir, f), { recursive: true, force: true });
            removed++;
        }
    }
    return removed;
}

/** {@link walkImage} for each image of a bundle, by name (what verify hands push; tests and benches call it alone). */
export function walkImages(
    layout: string,
    images: { name: string; digest: string; mediaType: string; blobs: BlobRef[] }[],
): Map<string, WalkedImage> {
    return new Map(
        images.map((a) => [
            a.name,
            walkImage(layout, {
                mediaType: a.mediaType,
                digest: a.digest,
                size: a.blobs.find((b) => b.digest === a.digest)?.size ?? 0,
            }),
        ]),
    );
}
