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

/** Path of a blob inside a layout. */
export function blobPath(layout: string, digest: string): string {
    const [alg, hex] = digest.split(":");
    return path.join(layout, "blobs", alg, hex);
}

/** The descriptors of `index.json`, by ref name; empty when the layout does not exist yet. */
export function layoutRefs(layout: string): Map<string, Descriptor> {
    const file = path.join(layout, "index.json");
    const refs = new Map<string, Descriptor>();
    if (!fs.existsSync(file)) return refs;
    const index = JSON.parse(fs.readFileSync(file, "utf8")) as { manifests?: Descriptor[] };
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
 * Lays out one image of the layout as a skopeo `dir:` image in `dest` (symlinks to the layout's blobs, nothing
 * copied): `manifest.json` is the top manifest or index, `<hex>.manifest.json` each child manifest, `<hex>` every
 * other blob. skopeo before 1.19 reads only OCI media types from an `oci:` layout by name, so a Docker v2s2
 * manifest kept byte for byte in the layout can only be pushed through `dir:`, which takes any manifest as it is.
 */
export function dirView(layout: string, top: Descriptor, dest: string): void {
    fs.mkdirSync(dest, { recursive: true });
    fs.writeFileSync(path.join(dest, "version"), "Directory Transport Version: 1.1\n");
    const link = (digest: string, name: string) =>
        fs.symlinkSync(path.resolve(blobPath(layout, digest)), path.join(dest, name));
    const walk = (d: Descriptor, name: string) => {
        link(d.digest, name);
        if (!/manifest|index/.test(d.mediaType)) return;
        const doc = JSON.parse(fs.readFileSync(blobPath(layout, d.digest), "utf8")) as {
            manifests?: Descriptor[];
            config?: Descriptor;
            layers?: Descriptor[];
        };
        for (const m of doc.manifests ?? []) walk(m, `${m.digest.slice(7)}.manifest.json`);
        for (const b of [...(doc.config ? [doc.config] : []), ...(doc.layers ?? [])]) {
            if (!fs.existsSync(path.join(dest, b.digest.slice(7)))) link(b.digest, b.digest.slice(7));
        }
    };
    walk(top, "manifest.json");
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
