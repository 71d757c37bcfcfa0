/** Reading the bundle's single OCI image layout: which manifest a ref name points at and which blobs it needs. */
import * as fs from "node:fs";
import * as path from "node:path";
import type { BlobRef } from "./manifest";

const REF_NAME = "org.opencontainers.image.ref.name";

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

/** True when the top manifest is an index (multi-platform). */
export function isIndex(mediaType: string): boolean {
    return /index|manifest\.list/.test(mediaType);
}
