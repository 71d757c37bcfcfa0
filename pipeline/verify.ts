/**
 * Inside the gap: checks the signature of `bundle.json` first, then the checkout it runs from (bundle.json records
 * its files), then that the bundle folder holds nothing bundle.json does not list, then walks each image's manifests
 * exactly as push does and recomputes every blob digest and file sha256, reporting each missing, truncated, altered
 * or unlisted file by name before anything is pushed. Every path stays inside the bundle: regular files only (no
 * links, devices or FIFOs), sizes compared before anything is hashed.
 */
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { mapLimit } from "../lib/async";
import { hashFile } from "../lib/digest";
import { checkoutChanges } from "./checkout";
import { blobPath, layoutRefs, readSmallFile, walkImage, type WalkedImage } from "./layout";
import { MANIFEST_FILE } from "../lib/bundle-layout";
import { IMAGES_DIR, parseManifest, type BundleManifest } from "./manifest";
import {
    checkBundleSignature,
    SIGNATURE_FILE,
    SIGSTORE_BUNDLE_FILE,
    sigstoreSignature,
    type SignatureCheck,
    type SignatureResult,
} from "./signing";
import { SUMS_FILE, SUMS_SIG_FILE } from "./split";

/** The largest bundle.json read. */
const MAX_BUNDLE_JSON = 64 << 20;

/** One thing wrong with a bundle. */
export interface BundleProblem {
    /** The artifact, e.g. `image quay.io/ceph/ceph:v19.2.3` or `chart charts/rook-ceph-v1.20.6.tgz`. */
    artifact: string;
    text: string;
}

/** Result of {@link verifyBundle}. */
export interface VerifyResult {
    manifest?: BundleManifest;
    /** sha256 of the bundle.json bytes that were checked and parsed. */
    manifestSha256?: string;
    /** Each image (by name) as its manifests were walked and checked: what push sends, without reading them again. */
    images: Map<string, WalkedImage>;
    problems: BundleProblem[];
    /** Files and blobs whose content was hashed. */
    checked: number;
    /** Bytes hashed. */
    bytes: number;
    /** The signature's state (a signature problem stops verify before anything is hashed). */
    signature?: SignatureResult;
}

/** The result of a verify that stopped at bundle.json, its signature or the checkout. */
function stopped(artifact: string, text: string, signature?: SignatureResult): VerifyResult {
    return { problems: [{ artifact, text }], checked: 0, bytes: 0, signature, images: new Map() };
}

/** Checks a file inside `root` against its sha256 and size; returns the problem text or undefined. */
async function checkFile(root: string, file: string, sha256: string, size: number): Promise<string | undefined> {
    const st = fs.lstatSync(file, { throwIfNoEntry: false });
    if (!st) return `missing (${file})`;
    if (!st.isFile()) return `not a regular file (${file})`;
    if (!fs.realpathSync(file).startsWith(`${root}${path.sep}`)) return `outside the bundle through a link (${file})`;
    if (st.size !== size) return `truncated or altered: ${st.size} bytes, expected ${size} (${file})`;
    const got = await hashFile(file);
    if (got.size !== size) return `truncated or altered: ${got.size} bytes, expected ${size} (${file})`;
    if (got.sha256 !== sha256) return `checksum mismatch: sha256 ${got.sha256}, expected ${sha256} (${file})`;
    return undefined;
}

/** Every entry under `dir` that is not a folder, as relative `/` paths, with whether it is a regular file. */
function walkTree(dir: string, rel = ""): { rel: string; file: boolean }[] {
    const out: { rel: string; file: boolean }[] = [];
    for (const e of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
        const r = rel ? `${rel}/${e.name}` : e.name;
        if (e.isDirectory()) out.push(...walkTree(dir, r));
        else out.push({ rel: r, file: e.isFile() });
    }
    return out;
}

/**
 * Verifies a bundle directory; `parallel` files are hashed at once. bundle.json is read once: the bytes whose
 * signature is checked are the bytes whose digests are then compared. `checkout`: the project checkout to compare
 * with the one bundle.json records (required when it records one).
 */
export async function verifyBundle(
    dir: string,
    parallel = 4,
    sig: SignatureCheck = {},
    checkout?: string,
): Promise<VerifyResult> {
    const problems: BundleProblem[] = [];
    const root = fs.realpathSync(dir);
    const file = path.join(dir, MANIFEST_FILE);
    let data: Buffer;
    try {
        data = readSmallFile(file, MAX_BUNDLE_JSON);
    } catch (e) {
        return stopped(MANIFEST_FILE, `${(e as Error).message} (in ${dir})`);
    }
    // bundle.json.sig and the Sigstore bundle hold the same signature; each one present must verify (.sig first).
    let signature: SignatureResult = checkBundleSignature(data, undefined, sig);
    let present = 0;
    for (const name of [SIGNATURE_FILE, SIGSTORE_BUNDLE_FILE]) {
        const f = path.join(dir, name);
        if (!fs.existsSync(f)) continue;
        present++;
        let text = readSmallFile(f, 16384).toString("utf8");
        if (name === SIGSTORE_BUNDLE_FILE) {
            const held = sigstoreSignature(text, data);
            if ("problem" in held) return stopped(name, `${held.problem} (${f})`, { state: "not checked" });
            text = held.signature;
        }
        signature = checkBundleSignature(data, text, sig);
        if (signature.problem) return stopped(name, `${signature.problem} (${f})`, signature);
    }
    if (!present && signature.problem) {
        return stopped(SIGNATURE_FILE, `${signature.problem} (${path.join(dir, SIGNATURE_FILE)})`, signature);
    }
    let manifest: BundleManifest;
    try {
        manifest = parseManifest(data.toString("utf8"), file);
    } catch (e) {
        return stopped(MANIFEST_FILE, (e as Error).message, signature);
    }
    const manifestSha256 = crypto.createHash("sha256").update(data).digest("hex");
    if (manifest.checkout) {
        const at = checkout ?? process.cwd();
        if (!fs.existsSync(path.join(at, "package.json"))) {
            return stopped(
                "checkout",
                `no project checkout at ${at}: run verify from the checkout carried with the bundle, or pass --checkout <dir>`,
                signature,
            );
        }
        const changes = checkoutChanges(at, manifest.checkout);
        const npm = manifest.artifacts.find((a) => a.kind === "npm");
        const lock = path.join(at, "package-lock.json");
        if (npm && fs.existsSync(lock)) {
            const got = crypto.createHash("sha256").update(fs.readFileSync(lock)).digest("hex");
            if (got !== npm.sha256) changes.unshift(`package-lock.json: not the lockfile npm/ was filled from`);
        }
        if (changes.length) {
            const r = stopped("checkout", "", signature);
            r.problems = changes.map((c) => ({
                artifact: "checkout",
                text: `${c} (${at}; the bundle was made from commit ${manifest.checkout!.commit}: use that checkout unchanged)`,
            }));
            return r;
        }
    }

    const jobs: { artifact: string; file: string; sha256: string; size: number }[] = [];
    const listed = new Set([MANIFEST_FILE, SIGNATURE_FILE, SIGSTORE_BUNDLE_FILE, SUMS_FILE, SUMS_SIG_FILE]);
    const usedBy = new Map<string, { size: number; images: string[] }>();
    const images = new Map<string, WalkedImage>();
    const layout = path.join(dir, IMAGES_DIR);
    let refs = new Map<string, { digest: string }>();
    if (manifest.artifacts.some((a) => a.kind === "image")) {
        listed.add(`${IMAGES_DIR}/oci-layout`).add(`${IMAGES_DIR}/index.json`);
        try {
            refs = layoutRefs(layout);
        } catch (e) {
            problems.push({ artifact: `${IMAGES_DIR}/index.json`, text: (e as Error).message });
        }
    }
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
                listed.add(`${IMAGES_DIR}/blobs/sha256/${b.digest.slice(7)}`);
            }
            const top = a.blobs.find((b) => b.digest === a.digest);
            if (!top) {
                problems.push({ artifact: name, text: `its blobs do not include its manifest ${a.digest}` });
                continue;
            }
            try {
                const walked = walkImage(layout, { mediaType: a.mediaType, ...top });
                const found = new Map([
                    ...walked.manifests.map((m) => [m.digest, m.bytes.length] as const),
                    ...walked.blobs.map((b) => [b.digest, b.size] as const),
                ]);
                const recorded = new Map(a.blobs.map((b) => [b.digest, b.size]));
                const differ = [...found].filter(([d, n]) => recorded.get(d) !== n).map(([d]) => d);
                differ.push(...[...recorded.keys()].filter((d) => !found.has(d)));
                if (differ.length) {
                    problems.push({
                        artifact: name,
                        text: `its manifests and bundle.json disagree about blob(s) ${differ.join(", ")}`,
                    });
                } else images.set(a.name, walked);
            } catch (e) {
                problems.push({ artifact: name, text: (e as Error).message });
            }
        } else if (a.kind === "npm") {
            for (const f of a.files) {
                const rel = `${a.path}/${f.path}`;
                listed.add(rel);
                jobs.push({ artifact: `npm ${rel}`, file: path.join(dir, rel), ...f });
            }
        } else {
            listed.add(a.path);
            jobs.push({
                artifact: `${a.kind} ${a.path}`,
                file: path.join(dir, a.path),
                sha256: a.sha256,
                size: a.size,
            });
        }
    }
    for (const [digest, u] of usedBy) {
        const artifact = `blob ${digest} (of ${u.images.join(", ")})`;
        jobs.push({ artifact, file: blobPath(layout, digest), sha256: digest.slice(7), size: u.size });
    }
    for (const e of walkTree(dir)) {
        if (!e.file) problems.push({ artifact: `file ${e.rel}`, text: "not a regular file (a link, device or FIFO)" });
        else if (!listed.has(e.rel)) {
            problems.push({
                artifact: `file ${e.rel}`,
                text: "not listed in bundle.json: the bundle holds only what it lists (remove the file, or bundle again)",
            });
        }
    }
    let bytes = 0;
    const results = await mapLimit(jobs, parallel, async (j) => {
        bytes += j.size;
        return checkFile(root, j.file, j.sha256, j.size);
    });
    results.forEach((text, i) => {
        if (text) problems.push({ artifact: jobs[i].artifact, text });
    });
    return { manifest, manifestSha256, images, problems, checked: jobs.length, bytes, signature };
}
