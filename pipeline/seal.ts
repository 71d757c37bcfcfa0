/**
 * The last step of `bundle`, once every artifact is recorded: records the checkout and the offline verifier
 * (verify.cjs), writes the SBOM and records it in bundle.json, signs bundle.json (or removes a signature an earlier
 * run left, which would no longer match), and lists every file in SHA256SUMS, signed too.
 */
import { randomUUID, type KeyObject } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { chartMeta, type ChartMeta } from "./chart-meta";
import { hashFile } from "../lib/digest";
import { IMAGES_DIR, readManifest, writeManifest, type Checkout, type FileArtifact } from "./manifest";
import { recordCheckout } from "./checkout";
import { writeOfflineVerifier } from "./offline-verifier";
import { SUMS_FILE, SUMS_SIG_FILE, VERIFIER_FILE, writeSums, type SumEntry } from "./split";
import { buildSbom, KIND_PROPERTY, SBOM_FILE, type LockPackage, type Sbom } from "./sbom";
import {
    KEY_PASSWORD_ENV,
    keyFingerprint,
    loadSigningKey,
    SIGNATURE_FILE,
    signBlob,
    SIGSTORE_BUNDLE_FILE,
    sigstoreBundle,
} from "./signing";

/**
 * Reads the signing key before any work starts, so a wrong passphrase fails at once. The passphrase comes from
 * stdin (`fromStdin`) or `AIHUB_SIGN_KEY_PASSWORD`, which is then removed from this process's environment so the
 * helm, skopeo and npm children never inherit it.
 */
export function readSigningKey(file: string, fromStdin: boolean): KeyObject {
    if (!fs.existsSync(file)) throw new Error(`--sign-key ${file}: no such file`);
    const passphrase = fromStdin ? fs.readFileSync(0, "utf8").replace(/\r?\n$/, "") : process.env[KEY_PASSWORD_ENV];
    delete process.env[KEY_PASSWORD_ENV];
    return loadSigningKey(fs.readFileSync(file, "utf8"), file, passphrase || undefined);
}

/**
 * Writes `bundle.json.sig` and the same signature as a Sigstore bundle (`bundle.json.sigstore.json`) for the
 * bundle.json on disk, each via a temp file: a half-written signature never lands.
 */
export function signBundle(dir: string, key: KeyObject): void {
    const data = fs.readFileSync(path.join(dir, "bundle.json"));
    for (const [name, text] of [
        [SIGNATURE_FILE, `${signBlob(data, key)}\n`],
        [SIGSTORE_BUNDLE_FILE, `${sigstoreBundle(data, key)}\n`],
    ]) {
        const file = path.join(dir, name);
        fs.writeFileSync(`${file}.tmp`, text);
        fs.renameSync(`${file}.tmp`, file);
    }
}

/** What {@link sealBundle} did, for the summary line. */
export interface SealResult {
    sbom: Sbom;
    /** The signing key's fingerprint; undefined when unsigned. */
    signedBy?: string;
    /** sha256 of verify.cjs, to pass on beside the key's fingerprint. */
    verifier: string;
    /** The checkout recorded. */
    checkout: Checkout;
}

/**
 * Lists every file of the bundle in SHA256SUMS (signed into SHA256SUMS.sig with `key`), so `openssl dgst -verify`
 * and `sha256sum -c` check all of it, verify.cjs included, before anything from the media runs. Hashes bundle.json
 * already records are reused; the rest are computed.
 */
export async function writeBundleSums(out: string, key?: KeyObject): Promise<void> {
    const m = readManifest(out)!;
    const known = new Map<string, string>();
    for (const a of m.artifacts) {
        if (a.kind === "image")
            for (const b of a.blobs) known.set(`${IMAGES_DIR}/blobs/sha256/${b.digest.slice(7)}`, b.digest.slice(7));
        else if (a.kind === "npm") for (const f of a.files) known.set(`${a.path}/${f.path}`, f.sha256);
        else known.set(a.path, a.sha256);
    }
    const entries: SumEntry[] = [];
    const walk = async (rel: string) => {
        for (const e of fs
            .readdirSync(path.join(out, rel), { withFileTypes: true })
            .sort((a, b) => (a.name < b.name ? -1 : 1))) {
            const r = rel ? `${rel}/${e.name}` : e.name;
            if (e.isDirectory()) await walk(r);
            else if (!rel && (e.name === SUMS_FILE || e.name === SUMS_SIG_FILE)) continue;
            else entries.push({ name: r, sha256: known.get(r) ?? (await hashFile(path.join(out, r))).sha256 });
        }
    };
    await walk("");
    writeSums(out, entries, key);
}

/** The record of a file the bundle command wrote at the top of `out` (its name is its path), hashed as it is now. */
async function writtenFile(
    out: string,
    kind: FileArtifact["kind"],
    file: string,
    source: string,
): Promise<FileArtifact> {
    return { kind, name: file, source, path: file, ...(await hashFile(path.join(out, file))) };
}

/** Writes the SBOM for the project `projectDir` (package.json and package-lock.json) and signs when `key` is set. */
export async function sealBundle(out: string, projectDir: string, key?: KeyObject): Promise<SealResult> {
    const checkout = recordCheckout(projectDir);
    writeOfflineVerifier(out);
    const verifier = await writtenFile(out, "verifier", VERIFIER_FILE, "built from cli/verify.ts by npm run bundle");
    const m = { ...readManifest(out)!, checkout };
    const stale = (a: { kind: string; path: string }) =>
        (a.kind === "sbom" && a.path === SBOM_FILE) || a.kind === "verifier";
    const artifacts = [...m.artifacts.filter((a) => !stale(a)), verifier];
    const charts: Record<string, ChartMeta> = {};
    for (const a of artifacts) {
        if (a.kind === "chart") charts[a.path] = chartMeta(fs.readFileSync(path.join(out, a.path)), a.path);
    }
    const read = (f: string) => {
        const file = path.join(projectDir, f);
        if (!fs.existsSync(file))
            throw new Error(`${file} is missing: the SBOM is made from it (run npm install once)`);
        return JSON.parse(fs.readFileSync(file, "utf8"));
    };
    const sbom = buildSbom({
        manifest: { ...m, artifacts },
        lockPackages: (read("package-lock.json") as { packages: Record<string, LockPackage> }).packages,
        tool: read("package.json"),
        charts,
        serialNumber: `urn:uuid:${randomUUID()}`,
    });
    fs.writeFileSync(path.join(out, SBOM_FILE), `${JSON.stringify(sbom, null, 2)}\n`);
    const record = await writtenFile(out, "sbom", SBOM_FILE, "generated by npm run bundle");
    writeManifest(out, { ...m, artifacts: [...artifacts, record] });
    if (key) signBundle(out, key);
    else for (const f of [SIGNATURE_FILE, SIGSTORE_BUNDLE_FILE]) fs.rmSync(path.join(out, f), { force: true });
    await writeBundleSums(out, key);
    return { sbom, verifier: verifier.sha256, checkout, ...(key ? { signedBy: keyFingerprint(key) } : {}) };
}

/** The summary of a sealed bundle: signed or not, and what the SBOM lists. */
export function sealSummary(r: SealResult): string {
    const n = (kind: string) =>
        r.sbom.components.filter((c) => c.properties?.some((p) => p.name === KIND_PROPERTY && p.value === kind)).length;
    const npm = r.sbom.components.filter((c) => c.purl?.startsWith("pkg:npm/")).length;
    const signed = r.signedBy
        ? `signed (key ${r.signedBy}, ${SIGNATURE_FILE}, ${SIGSTORE_BUNDLE_FILE}, ${SUMS_SIG_FILE}; ${VERIFIER_FILE} sha256:${r.verifier})`
        : `unsigned (no --sign-key; ${VERIFIER_FILE} sha256:${r.verifier})`;
    const commit = `checkout ${r.checkout.commit.slice(0, 12)}${r.checkout.dirty ? " with uncommitted changes" : ""} (${r.checkout.files.length} files, sha256:${r.checkout.sha256})`;
    return `${signed}; ${commit}; ${SBOM_FILE}: ${r.sbom.components.length} components (${n("image")} images, ${n("chart")} charts, ${n("plugin")} plugins, ${n("cli")} Pulumi CLI archives, ${n("file")} files, ${npm} npm packages)`;
}
