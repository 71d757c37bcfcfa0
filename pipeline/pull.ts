/**
 * Pulling one image into the bundle's OCI layout with skopeo, keeping the upstream manifest bytes, and checking
 * whether an earlier pull is still whole. Used for the stack's images and for their upstream signatures.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { formatImageRef, parseImageRef } from "../lib/imageref";
import { sha256 } from "../lib/digest";
import { addRef, blobPath, imageBlobs, importDir, layoutRefs, OCI_INDEX } from "./layout";
import type { BlobRef, ImageArtifact } from "./manifest";
import { skopeo } from "./skopeo";
import { sleep } from "../lib/async";

/** Where pulls go and how they reach upstream. */
export interface PullOptions {
    /** The bundle directory (scratch layouts go here, on the layout's file system). */
    out: string;
    /** `os/arch` list; one platform copies only that instance of multi-platform images. */
    platforms: string[];
    /** Upstream host → mirror (`host[:port][/prefix]`) to pull from instead. @default {} */
    upstreamMirrors?: Record<string, string>;
    /** Verify upstream TLS. @default true */
    upstreamTlsVerify?: boolean;
}

/** Where to pull an image from: its upstream reference with the host rewritten by `upstreamMirrors`. */
export function pullReference(source: string, mirrors: Record<string, string> = {}): string {
    const r = parseImageRef(source);
    const mirror = mirrors[r.host];
    if (!mirror) return formatImageRef(r);
    const [host, ...prefix] = mirror.replace(/\/+$/, "").split("/");
    return formatImageRef({ ...r, host, path: [...prefix, r.path].join("/") });
}

/** skopeo flags selecting the platform(s) to copy. Digest references keep the whole index so the digest holds. */
export function platformFlags(source: string, platforms: string[]): string[] {
    if (platforms.length > 1 || parseImageRef(source).digest) return ["--all"];
    const [os, arch, variant] = platforms[0].split("/");
    return [`--override-os=${os}`, `--override-arch=${arch}`, ...(variant ? [`--override-variant=${variant}`] : [])];
}

/** True when every blob of an earlier image record is present with its size and the layout still names it. */
export function intact(layout: string, a: ImageArtifact): boolean {
    if (layoutRefs(layout).get(a.name)?.digest !== a.digest) return false;
    return a.blobs.every((b) => {
        const f = path.join(layout, "blobs", "sha256", b.digest.slice(7));
        return fs.existsSync(f) && fs.statSync(f).size === b.size;
    });
}

/**
 * Copies one image into the layout keeping the upstream manifest bytes (`--preserve-digests`: Docker v2s2 stays
 * v2s2, so the recorded and later pushed digest is upstream's and digest-pinned references keep working). Each pull
 * writes its own small layout whose blobs live in the bundle's shared blob dir (a blob already there is not
 * fetched again), and its index entry is then added to the bundle's index.json, so several pulls can run at once
 * without two skopeo processes rewriting one index.json. skopeo's `oci:` destination refuses a Docker manifest list
 * unchanged, so a whole Docker list goes through `dir:` and is moved into the layout by {@link importDir}.
 * `all` copies every manifest of an index whatever the platforms (a referrers index lists artifacts, not platforms);
 * `whole` copies a multi-platform image with every platform, so its index keeps its upstream digest.
 */
async function pullImage(
    from: string,
    source: string,
    layout: string,
    o: PullOptions,
    slot: string,
    all: boolean,
    whole: boolean,
) {
    const flags = all || whole ? ["--all"] : platformFlags(source, o.platforms);
    const args = [...copyArgs(o), ...flags, `docker://${from}`];
    const scratch = scratchOf(o, slot);
    try {
        if (flags.includes("--all")) {
            const raw = await skopeo([
                "inspect",
                "--raw",
                "--retry-times=3",
                `--tls-verify=${o.upstreamTlsVerify !== false}`,
                `docker://${from}`,
            ]);
            const mediaType = (JSON.parse(raw) as { mediaType?: string }).mediaType ?? "";
            if (all && /index/.test(mediaType)) return await pullByParts(from, source, raw, layout, o, scratch);
            if (/manifest\.list/.test(mediaType)) {
                await skopeo([...args, `dir:${scratch}`]);
                return await importDir(scratch, layout, source);
            }
        }
        fs.mkdirSync(path.join(layout, "blobs", "sha256"), { recursive: true });
        await skopeo([...args, `--dest-shared-blob-dir=${path.join(layout, "blobs")}`, `oci:${scratch}:${source}`]);
        const top = layoutRefs(scratch).get(source);
        if (!top) throw new Error(`skopeo did not record ${source} in ${scratch}/index.json`);
        addRef(layout, source, top);
        return top;
    } finally {
        fs.rmSync(scratch, { recursive: true, force: true });
    }
}

/**
 * An OCI index of artifacts (a referrers index) piece by piece: skopeo copies neither it whole with its digest
 * kept ("must be converted") nor into `dir:`, so each entry is copied on its own by digest into the shared blob
 * dir and the index's exact bytes are stored as a blob and named `source`.
 */
async function pullByParts(
    from: string,
    source: string,
    raw: string | Buffer,
    layout: string,
    o: PullOptions,
    scratch: string,
) {
    const repo = from.replace(/[:@][^/]*$/, "");
    const entries = (JSON.parse(raw.toString()) as { manifests?: { digest: string }[] }).manifests ?? [];
    const blobs = path.join(layout, "blobs");
    fs.mkdirSync(path.join(blobs, "sha256"), { recursive: true });
    for (const e of entries) {
        await skopeo([
            ...copyArgs(o),
            `docker://${repo}@${e.digest}`,
            `--dest-shared-blob-dir=${blobs}`,
            `oci:${scratch}:x`,
        ]);
        fs.rmSync(scratch, { recursive: true, force: true });
    }
    const bytes = Buffer.from(raw);
    const top = {
        mediaType: OCI_INDEX,
        digest: `sha256:${sha256(bytes)}`,
        size: bytes.length,
    };
    fs.writeFileSync(blobPath(layout, top.digest), bytes);
    addRef(layout, source, top);
    return top;
}

/** skopeo copy arguments every pull shares. */
function copyArgs(o: PullOptions): string[] {
    return ["copy", "--preserve-digests", "--retry-times=3", `--src-tls-verify=${o.upstreamTlsVerify !== false}`];
}

/** A pull's own scratch layout, emptied. */
function scratchOf(o: PullOptions, slot: string): string {
    const scratch = path.join(o.out, `.pull-${process.pid}-${slot}`);
    fs.rmSync(scratch, { recursive: true, force: true });
    return scratch;
}

/**
 * {@link imageBlobs} once the image's manifests are whole. skopeo writes a manifest into the shared blob dir in
 * place (not by rename), so while another pull of an image with the same manifest rewrites it, a read can see it
 * half written; the bytes it ends with are the same, so reading again shortly after is enough.
 */
async function settledBlobs(layout: string, top: Parameters<typeof imageBlobs>[1]) {
    for (let n = 1; ; n++) {
        try {
            return imageBlobs(layout, top);
        } catch (e) {
            if (!(e instanceof SyntaxError) || n >= 50) throw e;
            await sleep(100);
        }
    }
}

/**
 * Pulls `source` (through its mirror) into the layout under its own name and returns the top descriptor's digest
 * and media type with every blob; throws when a digest-pinned reference comes back with another digest. `all` is
 * for an attached index (see pullImage); `whole` carries every platform of a multi-platform image.
 */
export async function pullInto(
    o: PullOptions,
    layout: string,
    source: string,
    slot: string,
    all = false,
    whole = false,
) {
    const top = await pullImage(pullReference(source, o.upstreamMirrors), source, layout, o, slot, all, whole);
    const pinned = parseImageRef(source).digest;
    if (pinned && top.digest !== pinned) {
        throw new Error(`${source} was stored as ${top.digest}: the bundle must keep the pinned digest`);
    }
    return recorded(layout, top);
}

/**
 * Stores the index `bytes` (made here, e.g. from a referrers API answer) under the name `source` with every
 * manifest it lists, each pulled by digest from the repository of `source` (through its mirror).
 */
export async function pullIndexInto(o: PullOptions, layout: string, source: string, bytes: Buffer, slot: string) {
    const scratch = scratchOf(o, slot);
    try {
        const from = pullReference(source, o.upstreamMirrors);
        return recorded(layout, await pullByParts(from, source, bytes, layout, o, scratch));
    } finally {
        fs.rmSync(scratch, { recursive: true, force: true });
    }
}

/** The record of a pulled top descriptor: digest, media type, every blob and their total size. */
async function recorded(layout: string, top: Parameters<typeof imageBlobs>[1]) {
    const blobs: BlobRef[] = await settledBlobs(layout, top);
    return { digest: top.digest, mediaType: top.mediaType, size: blobs.reduce((n, b) => n + b.size, 0), blobs };
}
