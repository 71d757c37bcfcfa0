/**
 * Inside the gap: checks the signature of `bundle.json` first (when a key is given; signing.ts), then recomputes every blob digest of the OCI layout and every file's sha256 against `bundle.json`,
 * and reports each missing, truncated or altered artifact by name before anything is pushed.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { mapLimit } from "../lib/async";
import { hashFile } from "../lib/digest";
import { blobPath, layoutBlobFiles, layoutRefs } from "./layout";
import { MANIFEST_FILE } from "../lib/bundle-layout";
import { IMAGES_DIR, parseManifest, type BundleManifest } from "./manifest";
import { checkBundleSignature, SIGNATURE_FILE, type SignatureCheck, type SignatureResult } from "./signing";

/** One thing wrong with a bundle. */
export interface BundleProblem {
    /** The artifact, e.g. `image quay.io/ceph/ceph:v19.2.3` or `chart charts/rook-ceph-v1.20.6.tgz`. */
    artifact: string;
    text: string;
}

/** Result of {@link verifyBundle}. */
export interface VerifyResult {
    manifest?: BundleManifest;
    problems: BundleProblem[];
    /** Files and blobs whose content was hashed. */
    checked: number;
    /** Bytes hashed. */
    bytes: number;
    /** The signature's state (a signature problem stops verify before anything is hashed). */
    signature?: SignatureResult;
}

/** Compares a file with its recorded sha256 and size; returns the problem text or undefined. */
async function checkFile(file: string, sha256: string, size: number): Promise<string | undefined> {
    if (!fs.existsSync(file)) return `missing (${file})`;
    const got = await hashFile(file);
    if (got.size !== size) return `truncated or altered: ${got.size} bytes, expected ${size} (${file})`;
    if (got.sha256 !== sha256) return `checksum mismatch: sha256 ${got.sha256}, expected ${sha256} (${file})`;
    return undefined;
}

/** The result of a verify that stopped at bundle.json or its signature. */
function stopped(artifact: string, text: string, signature?: SignatureResult): VerifyResult {
    return { problems: [{ artifact, text }], checked: 0, bytes: 0, signature };
}

/**
 * Verifies a bundle directory; `parallel` files are hashed at once. bundle.json is read once: the bytes whose
 * signature is checked are the bytes whose digests are then compared.
 */
export async function verifyBundle(dir: string, parallel = 4, sig: SignatureCheck = {}): Promise<VerifyResult> {
    const problems: BundleProblem[] = [];
    const file = path.join(dir, MANIFEST_FILE);
    if (!fs.existsSync(file)) return stopped(MANIFEST_FILE, `missing in ${dir}`);
    const data = fs.readFileSync(file);
    const sigFile = path.join(dir, SIGNATURE_FILE);
    const signature = checkBundleSignature(
        data,
        fs.existsSync(sigFile) ? fs.readFileSync(sigFile, "utf8") : undefined,
        sig,
    );
    if (signature.problem) return stopped(SIGNATURE_FILE, `${signature.problem} (${sigFile})`, signature);
    let manifest: BundleManifest;
    try {
        manifest = parseManifest(data.toString("utf8"), file);
    } catch (e) {
        return stopped(MANIFEST_FILE, (e as Error).message, signature);
    }

    const jobs: { artifact: string; file: string; sha256: string; size: number }[] = [];
    const usedBy = new Map<string, { size: number; images: string[] }>();
    const layout = path.join(dir, IMAGES_DIR);
    const refs = layoutRefs(layout);
    for (const a of manifest.artifacts) {
        if (a.kind === "image") {
            const name = `image ${a.source}`;
            const ref = refs.get(a.name);
            if (!ref) problems.push({ artifact: name, text: `not in ${IMAGES_DIR}/index.json` });
            else if (ref.digest !== a.digest) {
                problems.push({ artifact: name, text: `index.json points at ${ref.digest}, expected ${a.digest}` });
            }
            for (const b of a.blobs) {
                const u = usedBy.get(b.digest) ?? { size: b.size, images: [] };
                u.images.push(name);
                usedBy.set(b.digest, u);
            }
        } else if (a.kind === "npm") {
            for (const f of a.files) {
                jobs.push({ artifact: `npm ${path.join(a.path, f.path)}`, file: path.join(dir, a.path, f.path), ...f });
            }
        } else {
            jobs.push({
                artifact: `${a.kind} ${a.path}`,
                file: path.join(dir, a.path),
                sha256: a.sha256,
                size: a.size,
            });
        }
    }
    const onDisk = new Set(layoutBlobFiles(layout).map((b) => b.digest));
    for (const [digest, u] of usedBy) {
        const artifact = `blob ${digest} (of ${u.images.join(", ")})`;
        if (!onDisk.has(digest)) problems.push({ artifact, text: `missing (${blobPath(layout, digest)})` });
        else jobs.push({ artifact, file: blobPath(layout, digest), sha256: digest.slice(7), size: u.size });
    }
    for (const digest of onDisk) {
        // A blob nobody records still must not be corrupt: its name is its digest.
        if (!usedBy.has(digest)) {
            const file = blobPath(layout, digest);
            jobs.push({ artifact: `blob ${digest} (unreferenced)`, file, sha256: digest.slice(7), size: -1 });
        }
    }
    let bytes = 0;
    const results = await mapLimit(jobs, parallel, async (j) => {
        if (j.size === -1) {
            const got = await hashFile(j.file);
            bytes += got.size;
            return got.sha256 === j.sha256 ? undefined : `checksum mismatch: sha256 ${got.sha256} (${j.file})`;
        }
        bytes += j.size;
        return checkFile(j.file, j.sha256, j.size);
    });
    results.forEach((text, i) => {
        if (text) problems.push({ artifact: jobs[i].artifact, text });
    });
    return { manifest, problems, checked: jobs.length, bytes, signature };
}
