/**
 * What each carried image contains: syft scans every image (each platform of it) from the bundle's own OCI layout,
 * offline, and writes one CycloneDX JSON per image and platform under `sbom/images/`. bundle.json records each file
 * as an `sbom` artifact that names the image and platform it describes (`contents`), so the signature covers it and
 * verify checks it; the bundle's SBOM links every image to its contents (pipeline/sbom.ts).
 *
 * syft reads an OCI directory only when its index.json lists exactly one image manifest
 * (anchore/stereoscope pkg/image/oci/directory_provider.go), so each scan gets a scratch layout of its own: an
 * index.json naming the platform manifest and a link to the bundle's blobs.
 */
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { promisify } from "node:util";
import { hashFile, unchanged } from "../lib/digest";
import { blobPath, isIndex, MAX_MANIFEST_BYTES, readSmallFile } from "./layout";
import {
    IMAGES_DIR,
    imageArtifacts,
    writeManifest,
    type Artifact,
    type BundleManifest,
    type FileArtifact,
    type ImageArtifact,
} from "./manifest";

const run = promisify(execFile);

/** The folder of the per-image SBOMs inside a bundle. */
export const CONTENTS_DIR = "sbom/images";

/** One scan: an image's platform manifest. */
export interface ScanTarget {
    image: ImageArtifact;
    /** `os/arch[/variant]`. */
    platform: string;
    /** The platform manifest's digest, media type and size. */
    digest: string;
    mediaType: string;
    size: number;
}

type Descriptor = {
    digest: string;
    mediaType: string;
    size: number;
    platform?: { os?: string; architecture?: string; variant?: string };
};

/**
 * The platform manifests to scan: the image itself when it is one manifest (the bundle's only platform), else each
 * manifest of its index whose platform the bundle carries (attestation manifests of `unknown/unknown` are not images).
 */
export function scanTargets(layout: string, images: ImageArtifact[], platforms: string[]): ScanTarget[] {
    return images
        .filter((a) => !a.attached)
        .flatMap((image): ScanTarget[] => {
            if (!isIndex(image.mediaType)) {
                const size = image.blobs.find((b) => b.digest === image.digest)?.size ?? 0;
                const platform = platforms.length === 1 ? platforms[0] : "unknown";
                return [{ image, platform, digest: image.digest, mediaType: image.mediaType, size }];
            }
            const index = JSON.parse(
                readSmallFile(blobPath(layout, image.digest), MAX_MANIFEST_BYTES).toString("utf8"),
            ) as { manifests?: Descriptor[] };
            return (index.manifests ?? []).flatMap((d) => {
                const p = d.platform;
                if (!p?.os || !p.architecture) return [];
                const platform = [p.os, p.architecture, ...(p.variant ? [p.variant] : [])].join("/");
                const carried = platforms.some((want) => platform === want || platform.startsWith(`${want}/`));
                return carried && !isIndex(d.mediaType)
                    ? [{ image, platform, digest: d.digest, mediaType: d.mediaType, size: d.size }]
                    : [];
            });
        });
}

/** The bundle-relative path of a target's SBOM: the image's repository path and tag, then the platform. */
export function contentsPath(t: ScanTarget): string {
    const safe = (s: string) => s.replace(/[^A-Za-z0-9._-]+/g, "_");
    return `${CONTENTS_DIR}/${safe(t.image.name)}_${safe(t.platform)}.cdx.json`;
}

/**
 * The environment of a syft run: no update check and no remote license or package lookups (syft's defaults already
 * leave most off; these make it explicit), and nothing from the caller's SYFT_* settings.
 */
export function offlineEnv(base: NodeJS.ProcessEnv, tmp: string): NodeJS.ProcessEnv {
    const env = Object.fromEntries(Object.entries(base).filter(([k]) => !k.startsWith("SYFT_")));
    return {
        ...env,
        TMPDIR: tmp,
        SYFT_CHECK_FOR_APP_UPDATE: "false",
        SYFT_GOLANG_SEARCH_REMOTE_LICENSES: "false",
        SYFT_GOLANG_SEARCH_LOCAL_MOD_CACHE_LICENSES: "false",
        SYFT_JAVA_USE_NETWORK: "false",
        SYFT_JAVASCRIPT_SEARCH_REMOTE_LICENSES: "false",
        SYFT_PYTHON_SEARCH_REMOTE_LICENSES: "false",
    };
}

/** The syft version a binary reports (`syft version -o json`); throws a message naming the key when it is no syft. */
export async function syftVersion(syft: string): Promise<string> {
    try {
        const { stdout } = await run(syft, ["version", "-o", "json"], { env: offlineEnv(process.env, "/tmp") });
        const v = (JSON.parse(stdout) as { version?: string }).version;
        if (!v) throw new Error("no version in its output");
        return v;
    } catch (e) {
        throw new Error(
            `bundle.syft: ${syft} does not run as syft (${(e as Error).message.split("\n")[0]}); give the path of a syft binary (github.com/anchore/syft) or remove the key to bundle without per-image contents`,
        );
    }
}

/** Writes a one-image OCI layout in `dir` whose blobs are the bundle's (a symbolic link). */
function scratchLayout(dir: string, layout: string, t: ScanTarget): void {
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, "oci-layout"), JSON.stringify({ imageLayoutVersion: "1.0.0" }));
    const manifest = { mediaType: t.mediaType, digest: t.digest, size: t.size };
    fs.writeFileSync(path.join(dir, "index.json"), JSON.stringify({ schemaVersion: 2, manifests: [manifest] }));
    fs.symlinkSync(path.resolve(layout, "blobs"), path.join(dir, "blobs"));
}

/**
 * Scans one target with syft into `<out>/<contentsPath>` and returns its record. The document names the image by its
 * upstream reference and platform manifest digest, not by the scratch folder it was read from.
 */
export async function scanImage(
    syft: string,
    version: string,
    out: string,
    layout: string,
    t: ScanTarget,
    scratch: string,
): Promise<FileArtifact> {
    const dir = path.join(scratch, "layout");
    fs.rmSync(dir, { recursive: true, force: true });
    scratchLayout(dir, layout, t);
    const rel = contentsPath(t);
    const dest = path.join(out, rel);
    fs.mkdirSync(path.dirname(dest), { recursive: true });
    const tmp = path.join(scratch, "tmp");
    fs.mkdirSync(tmp, { recursive: true });
    const args = ["scan", `oci-dir:${dir}`, "-q", "-o", `cyclonedx-json=${dest}.partial`];
    args.push("--source-name", t.image.name, "--source-version", t.digest);
    try {
        await run(syft, args, { env: offlineEnv(process.env, tmp), maxBuffer: 64 << 20 });
    } catch (e) {
        const err = e as Error & { stderr?: string };
        throw new Error(
            `syft could not scan ${t.image.name} (${t.platform}, ${t.digest}): ${(err.stderr || err.message).trim().split("\n").slice(-3).join(" ")}`,
        );
    }
    const text = fs.readFileSync(`${dest}.partial`, "utf8");
    // Signed metadata names no bastion path (the scratch folder).
    if (text.includes(scratch)) throw new Error(`syft's SBOM of ${t.image.name} names the scratch folder ${scratch}`);
    fs.renameSync(`${dest}.partial`, dest);
    fs.rmSync(dir, { recursive: true, force: true });
    return {
        kind: "sbom",
        name: rel,
        source: `syft ${version}`,
        path: rel,
        contents: { of: t.image.name, platform: t.platform, digest: t.digest },
        ...(await hashFile(dest)),
    };
}

/** The number of packages a per-image SBOM lists (its components). */
export function packageCount(file: string): number {
    const doc = JSON.parse(fs.readFileSync(file, "utf8")) as { components?: unknown[] };
    return doc.components?.length ?? 0;
}

/** What {@link carryContents} did. */
export interface ContentsResult {
    scanned: number;
    reused: number;
    /** Packages listed over all per-image SBOMs. */
    packages: number;
}

/**
 * Scans every image of `manifest` (each carried platform) with `syft`, records each per-image SBOM in bundle.json
 * after it is whole, and reuses an earlier run's file when the platform manifest and the file are unchanged. Without
 * `syft`, nothing is scanned. Either way, files under sbom/images/ that bundle.json does not list are removed.
 */
export async function carryContents(
    o: { out: string; syft?: string; platforms: string[]; note: (line: string) => void },
    manifest: BundleManifest,
    before: Map<string, Artifact>,
): Promise<ContentsResult> {
    const result: ContentsResult = { scanned: 0, reused: 0, packages: 0 };
    const layout = path.join(o.out, IMAGES_DIR);
    if (o.syft) {
        const version = await syftVersion(o.syft);
        const targets = scanTargets(layout, imageArtifacts(manifest), o.platforms);
        const scratch = fs.mkdtempSync(path.join(o.out, ".scan-"));
        try {
            for (const [i, t] of targets.entries()) {
                const rel = contentsPath(t);
                const old = before.get(`sbom ${rel}`);
                const file = path.join(o.out, rel);
                let record: FileArtifact;
                if (old?.kind === "sbom" && old.contents?.digest === t.digest && (await unchanged(file, old))) {
                    record = old;
                    result.reused++;
                } else {
                    o.note(
                        `scanning ${t.image.name} (${t.platform}) with syft ${version} [${i + 1}/${targets.length}]`,
                    );
                    record = await scanImage(o.syft, version, o.out, layout, t, scratch);
                    result.scanned++;
                }
                result.packages += packageCount(file);
                manifest.artifacts.push(record);
                writeManifest(o.out, manifest);
            }
        } finally {
            fs.rmSync(scratch, { recursive: true, force: true });
        }
    }
    const listed = new Set(manifest.artifacts.map((a) => a.path));
    const dir = path.join(o.out, CONTENTS_DIR);
    if (fs.existsSync(dir))
        for (const f of fs.readdirSync(dir))
            if (!listed.has(`${CONTENTS_DIR}/${f}`)) fs.rmSync(path.join(dir, f), { force: true });
    return result;
}
