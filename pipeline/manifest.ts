/**
 * `bundle.json` (design §6): what the bundle holds, with a digest or sha256 and a size for every artifact, so the
 * inside can check everything before anything is pushed.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { z } from "zod";
import { MANIFEST_FILE } from "../lib/bundle-layout";
import { ATTACHMENT_KINDS } from "./attached";
import { relativePathProblem } from "./tar";

/** The format version this code writes and reads. */
export const FORMAT_VERSION = 1;
/** The OCI layout holding every image. */
export const IMAGES_DIR = "images";

const sha256Hex = z.string().regex(/^[a-f0-9]{64}$/);
const digest = z.string().regex(/^sha256:[a-f0-9]{64}$/);
const size = z.number().int().min(0);
/** A path inside the bundle: relative, `/`-separated, normalised, never climbing out (tar.ts). */
const relPath = z.string().superRefine((v, ctx) => {
    const bad = relativePathProblem(v);
    if (bad) ctx.addIssue({ code: "custom", message: `"${v}" ${bad}: paths must stay inside the bundle` });
});

/** One content-addressed blob of an image. */
const blobSchema = z.strictObject({ digest, size });

/** An image stored in the bundle's OCI layout under ref name `name` (the normalised upstream reference). */
const imageSchema = z.strictObject({
    kind: z.literal("image"),
    name: z.string().min(1),
    source: z.string().min(1),
    /** Where the image lands in the bundling stack's registry (push recomputes it for its own stack). */
    target: z.string().min(1),
    /** Digest of the top manifest (or index), kept on push. */
    digest,
    mediaType: z.string().min(1),
    /** Sum of all blob sizes of this image (shared blobs counted in every image). */
    size,
    path: z.literal(IMAGES_DIR),
    /** Every blob the image needs: the manifest(s), config(s) and layers. */
    blobs: z.array(blobSchema).min(1),
    /** Set on an upstream signature, attestation, SBOM or referrers index: the image (`name`) it belongs to. */
    attached: z.strictObject({ to: z.string().min(1), kind: z.enum(ATTACHMENT_KINDS) }).optional(),
});

/** One file of a multi-file artifact (the npm cache). */
const fileSchema = z.strictObject({ path: relPath, sha256: sha256Hex, size });

/**
 * A single file: chart, plugin tarball, Pulumi CLI archive (`cli`), the SBOM or a per-image SBOM (`sbom`), the
 * offline verifier (`verifier`, verify.cjs) or any other file.
 */
const fileArtifactSchema = z.strictObject({
    kind: z.enum(["chart", "plugin", "cli", "file", "sbom", "verifier"]),
    name: z.string().min(1),
    source: z.string().min(1),
    sha256: sha256Hex,
    size,
    path: relPath,
    /** Set on a per-image SBOM (`sbom`): the image (`name`) and the platform manifest it lists the contents of. */
    contents: z.strictObject({ of: z.string().min(1), platform: z.string().min(1), digest }).optional(),
});

/** A directory of files (the npm cache); `sha256` is that of the lockfile it was filled from. */
const dirArtifactSchema = z.strictObject({
    kind: z.literal("npm"),
    name: z.string().min(1),
    source: z.string().min(1),
    sha256: sha256Hex,
    size,
    path: relPath,
    files: z.array(fileSchema),
});

export const artifactSchema = z.discriminatedUnion("kind", [imageSchema, fileArtifactSchema, dirArtifactSchema]);

/**
 * The project checkout the bundle was made from: its commit and every tracked file (stack files `Pulumi.<stack>.yaml`
 * aside, which the admin edits) with its sha256, so the inside runs exactly the code that was bundled.
 */
export const checkoutSchema = z.strictObject({
    commit: z.string().regex(/^[a-f0-9]{40,64}$/),
    /** True when tracked files differed from the commit at bundle time (their contents are what `files` records). */
    dirty: z.boolean(),
    /** sha256 of the `sha256sum`-format list of `files`, the one value to compare by eye. */
    sha256: sha256Hex,
    files: z.array(z.strictObject({ path: relPath, sha256: sha256Hex })),
});

export const manifestSchema = z.strictObject({
    format: z.literal(FORMAT_VERSION),
    tool: z.string(),
    stack: z.string(),
    registry: z.string(),
    platforms: z.array(z.string()).min(1),
    created: z.string(),
    artifacts: z.array(artifactSchema),
    checkout: checkoutSchema.optional(),
    /** The `--images-from` lists in command-line order, each with its normalised references in file order. */
    imageLists: z.array(z.strictObject({ file: z.string(), images: z.array(z.string()) })).optional(),
});

export type BlobRef = z.output<typeof blobSchema>;
export type ImageArtifact = z.output<typeof imageSchema>;
export type FileArtifact = z.output<typeof fileArtifactSchema>;
export type NpmArtifact = z.output<typeof dirArtifactSchema>;
export type Artifact = z.output<typeof artifactSchema>;
export type BundleManifest = z.output<typeof manifestSchema>;
export type Checkout = z.output<typeof checkoutSchema>;

/**
 * How a local file's origin is recorded in bundle.json and the SBOM (signed metadata must not carry the bastion's
 * folders): relative to `base` (the project checkout) with `/` separators when it lies inside it, else its file name.
 */
export function recordedSource(file: string, base: string): string {
    const rel = path.relative(path.resolve(base), path.resolve(base, file));
    if (!rel || rel.startsWith("..") || path.isAbsolute(rel)) return path.basename(file);
    return rel.split(path.sep).join("/");
}

/** Parses manifest text; throws naming the first bad field. */
export function parseManifest(text: string, file = MANIFEST_FILE): BundleManifest {
    let doc: unknown;
    try {
        doc = JSON.parse(text);
    } catch (e) {
        throw new Error(`${file}: not valid JSON (${(e as Error).message}); the bundle is damaged, copy it again`);
    }
    const r = manifestSchema.safeParse(doc);
    if (!r.success) {
        const i = r.error.issues[0];
        throw new Error(`${file}: ${i.path.join(".") || "(top)"}: ${i.message}`);
    }
    return r.data;
}

/** Reads `bundle.json` of a bundle directory; undefined when there is none. */
export function readManifest(dir: string): BundleManifest | undefined {
    const file = path.join(dir, MANIFEST_FILE);
    if (!fs.existsSync(file)) return undefined;
    return parseManifest(fs.readFileSync(file, "utf8"), file);
}

/** Writes `bundle.json` atomically (a half-written manifest must never look valid). */
export function writeManifest(dir: string, m: BundleManifest): void {
    const file = path.join(dir, MANIFEST_FILE);
    const tmp = `${file}.tmp-${process.pid}`;
    fs.writeFileSync(tmp, `${JSON.stringify(m, null, 2)}\n`);
    fs.renameSync(tmp, file);
}

/** The images of a manifest. */
export function imageArtifacts(m: BundleManifest): ImageArtifact[] {
    return m.artifacts.filter((a): a is ImageArtifact => a.kind === "image");
}
