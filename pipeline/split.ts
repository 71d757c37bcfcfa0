/**
 * Small transfer media: the bundle as one tar stream (pipeline/tar.ts) cut into `bundle.tar.part-NNN` files, listed
 * with `verify.cjs` in `SHA256SUMS` (the `sha256sum -c` format) and, when the bundle is signed, `SHA256SUMS.sig`
 * (the DER ECDSA signature `openssl dgst -sha256 -verify` checks) by the same key; and the way back: the signature
 * first, then the parts hashed while they are unpacked in this process into a new or empty folder.
 */
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { untar, tarDirectory, relativePathProblem } from "./tar";
import { keyFingerprint } from "./signing";
import { diskFullMessage, isDiskFull, spaceProblem } from "./disk-space";

/** The checksum file of a bundle or parts directory. */
export const SUMS_FILE = "SHA256SUMS";
/** Its signature: DER ECDSA P-256 over SHA-256, as `openssl dgst -sha256 -sign` writes and `-verify` reads. */
export const SUMS_SIG_FILE = "SHA256SUMS.sig";
/** The dependency-free verifier (pipeline/offline-verifier.ts), next to `bundle.json` and next to the parts. */
export const VERIFIER_FILE = "verify.cjs";
const PART = /^bundle\.tar\.part-(\d{3,})$/;

/** Parses `650M`, `4G`, `1.5GiB`, `1000000` into bytes (K/M/G/T are powers of 1024). */
export function parseSize(text: string): number {
    const m = /^(\d+(?:\.\d+)?)\s*([kmgt]?)(i?b)?$/i.exec(text.trim());
    if (!m) throw new Error(`"${text}" is not a size (write it like 650M or 4G)`);
    const n = Math.floor(Number(m[1]) * 1024 ** " kmgt".indexOf(m[2].toLowerCase() || " "));
    if (n < 1024 * 1024) throw new Error(`part size ${text} is below 1M`);
    return n;
}

/** The part file name for index `i`. */
export function partName(i: number): string {
    return `bundle.tar.part-${String(i).padStart(3, "0")}`;
}

/** One line of SHA256SUMS. */
export interface SumEntry {
    /** Relative path, `/`-separated. */
    name: string;
    sha256: string;
}

/** The text of SHA256SUMS for `entries`, in the order given. */
export function sumsText(entries: SumEntry[]): string {
    return entries.map((e) => `${e.sha256}  ${e.name}\n`).join("");
}

/**
 * Writes SHA256SUMS into `dir` and, with `key`, SHA256SUMS.sig; removes a signature an earlier run left when
 * unsigned. Returns the text written.
 */
export function writeSums(dir: string, entries: SumEntry[], key?: crypto.KeyObject): string {
    const text = sumsText(entries);
    fs.writeFileSync(path.join(dir, SUMS_FILE), text);
    const sig = path.join(dir, SUMS_SIG_FILE);
    if (key) fs.writeFileSync(sig, crypto.sign("sha256", Buffer.from(text), key));
    else fs.rmSync(sig, { force: true });
    return text;
}

/** Parses SHA256SUMS text; throws naming the first malformed line or unsafe name. */
export function parseSums(text: string): SumEntry[] {
    return text
        .split("\n")
        .filter(Boolean)
        .map((line) => {
            const m = /^([a-f0-9]{64}) [ *](.+)$/.exec(line);
            if (!m) throw new Error(`${SUMS_FILE}: malformed line "${line}"`);
            const bad = relativePathProblem(m[2]);
            if (bad) throw new Error(`${SUMS_FILE}: "${m[2]}" ${bad}`);
            return { sha256: m[1], name: m[2] };
        });
}

/**
 * Why SHA256SUMS in `dir` is not signed by `key` (the fix included), or undefined when it is. `text` is the
 * SHA256SUMS content already read (the bytes checked are the bytes used).
 */
export function sumsSignatureProblem(dir: string, text: string, key: crypto.KeyObject): string | undefined {
    const file = path.join(dir, SUMS_SIG_FILE);
    if (!fs.existsSync(file)) {
        return `${file} is missing: the parts are not signed (sign the bundle with bundle --sign-key <key.pem>)`;
    }
    const sig = fs.readFileSync(file);
    if (sig.length > 1024 || !crypto.verify("sha256", Buffer.from(text), key, sig)) {
        return `${file} does not match ${SUMS_FILE} for key ${keyFingerprint(key)}: signed by another key, or ${SUMS_FILE} was changed; do not use these parts`;
    }
    return undefined;
}

/** True when `dir` holds split parts rather than a bundle. */
export function isSplit(dir: string): boolean {
    return fs.existsSync(path.join(dir, SUMS_FILE)) && !fs.existsSync(path.join(dir, "bundle.json"));
}

/**
 * Tars `bundleDir` into parts of at most `partSize` bytes in `partsDir` (earlier parts removed), copies `verify.cjs`
 * beside them (when the bundle has it) and lists parts and verifier in SHA256SUMS, signed with `key` when given. Returns the part names.
 */
export async function splitBundle(
    bundleDir: string,
    partsDir: string,
    partSize: number,
    key?: crypto.KeyObject,
): Promise<string[]> {
    fs.mkdirSync(partsDir, { recursive: true });
    for (const f of fs.readdirSync(partsDir)) {
        if (PART.test(f) || [SUMS_FILE, SUMS_SIG_FILE, VERIFIER_FILE].includes(f)) fs.rmSync(path.join(partsDir, f));
    }
    const parts: SumEntry[] = [];
    let fd = -1;
    let written = 0;
    let hash = crypto.createHash("sha256");
    const close = () => {
        if (fd < 0) return;
        fs.closeSync(fd);
        parts[parts.length - 1].sha256 = hash.digest("hex");
        fd = -1;
    };
    for await (const chunk of tarDirectory(bundleDir)) {
        let off = 0;
        while (off < chunk.length) {
            if (fd < 0) {
                const name = partName(parts.length);
                parts.push({ name, sha256: "" });
                fd = fs.openSync(path.join(partsDir, name), "w");
                written = 0;
                hash = crypto.createHash("sha256");
            }
            const piece = chunk.subarray(off, off + Math.min(partSize - written, chunk.length - off));
            fs.writeSync(fd, piece);
            hash.update(piece);
            written += piece.length;
            off += piece.length;
            if (written === partSize) close();
        }
    }
    close();
    const extra: SumEntry[] = [];
    if (fs.existsSync(path.join(bundleDir, VERIFIER_FILE))) {
        const verifier = fs.readFileSync(path.join(bundleDir, VERIFIER_FILE));
        fs.writeFileSync(path.join(partsDir, VERIFIER_FILE), verifier);
        extra.push({ name: VERIFIER_FILE, sha256: crypto.createHash("sha256").update(verifier).digest("hex") });
    }
    writeSums(partsDir, [...parts, ...extra], key);
    return parts.map((p) => p.name);
}

/** A problem with the parts, named as verify prints it. */
export interface PartProblem {
    artifact: string;
    text: string;
}

/** The parts SHA256SUMS lists, in order; problems for malformed lines, unknown names or missing files. */
export function listedParts(partsDir: string, sums: SumEntry[]): { parts: SumEntry[]; problems: PartProblem[] } {
    const problems: PartProblem[] = [];
    const parts = sums.filter((e) => PART.test(e.name));
    for (const e of sums) {
        if (!PART.test(e.name) && e.name !== VERIFIER_FILE) {
            problems.push({ artifact: SUMS_FILE, text: `lists "${e.name}", which is not a part` });
        }
    }
    parts.forEach((p, i) => {
        if (p.name !== partName(i)) problems.push({ artifact: SUMS_FILE, text: `part ${i} is named ${p.name}` });
        const st = fs.lstatSync(path.join(partsDir, p.name), { throwIfNoEntry: false });
        if (!st) problems.push({ artifact: `part ${p.name}`, text: "missing" });
        else if (!st.isFile()) problems.push({ artifact: `part ${p.name}`, text: "not a regular file" });
    });
    if (!parts.length) problems.push({ artifact: SUMS_FILE, text: "lists no parts" });
    return { parts, problems };
}

/**
 * Why `into` may not receive the unpacked bundle, or undefined: it must be a new folder, or an empty one, so nothing
 * of the media's choosing lands beside or over files already there.
 */
export function targetProblem(into: string): string | undefined {
    const st = fs.lstatSync(into, { throwIfNoEntry: false });
    if (!st) return undefined;
    if (!st.isDirectory()) return `${into} exists and is not a folder: give --into a new or empty folder`;
    if (fs.readdirSync(into).length) {
        return `${into} is not empty: give --into a new or empty folder (remove an earlier unpack first)`;
    }
    return undefined;
}

/** A part whose bytes did not hash to SHA256SUMS's value. */
export class PartMismatch extends Error {
    constructor(
        readonly part: string,
        text: string,
    ) {
        super(text);
    }
}

/**
 * Unpacks `parts` (checked entries of SHA256SUMS) in order into `into`, hashing each part while it streams: a part
 * that does not match stops the unpack at its end. On any failure the folder is removed again (it was new or empty).
 */
export async function unpackParts(partsDir: string, parts: SumEntry[], into: string): Promise<void> {
    const bad = targetProblem(into);
    if (bad) throw new Error(bad);
    // The tar stream is the parts' bytes; what it unpacks to is never larger (headers and padding are dropped).
    const need = parts.reduce((n, p) => n + fs.statSync(path.join(partsDir, p.name)).size, 0);
    const space = spaceProblem(into, need, "the unpacked bundle");
    if (space) throw new Error(`${space}; nothing was written`);
    fs.mkdirSync(into, { recursive: true, mode: 0o755 });
    let current = "";
    async function* stream(): AsyncGenerator<Buffer> {
        for (const p of parts) {
            current = p.name;
            const h = crypto.createHash("sha256");
            let size = 0;
            for await (const c of fs.createReadStream(path.join(partsDir, p.name), { highWaterMark: 1 << 20 })) {
                h.update(c as Buffer);
                size += (c as Buffer).length;
                yield c as Buffer;
            }
            if (h.digest("hex") !== p.sha256) {
                throw new PartMismatch(p.name, `checksum mismatch (${size} bytes; truncated or altered)`);
            }
        }
    }
    try {
        await untar(stream(), into);
    } catch (e) {
        fs.rmSync(into, { recursive: true, force: true });
        if (e instanceof PartMismatch) throw e;
        const why = isDiskFull(e) ? diskFullMessage(into, "while unpacking") : (e as Error).message;
        throw new Error(`${why} (reading ${current}; nothing was kept in ${into})`);
    }
}
