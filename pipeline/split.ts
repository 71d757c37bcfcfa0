/**
 * Small transfer media: the bundle as one tar stream cut into `bundle.tar.part-NNN` files, each with its sha256 in
 * `SHA256SUMS` (the `sha256sum -c` format), and the way back: check every part, then unpack them in order.
 */
import { spawn } from "node:child_process";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { hashFile } from "../lib/digest";

/** The checksum file of a split bundle. */
export const SUMS_FILE = "SHA256SUMS";
/** The dependency-free verifier (pipeline/offline-verifier.ts), next to `bundle.json` and next to the parts. */
export const VERIFIER_FILE = "verify.cjs";
/** Beside the parts: where they unpack, relative to the project directory (the stack's `bundle.path`). */
export const UNPACK_FILE = "unpack.json";
/** Files besides the parts that SHA256SUMS may list. */
const EXTRA_FILES = [VERIFIER_FILE, UNPACK_FILE];
const PART = /^bundle\.tar\.part-(\d{3,})$/;

/** Where split parts unpack, as written at bundle time. */
export interface UnpackHint {
    /** The stack that was bundled. */
    stack: string;
    /** The stack's `bundle.path`, relative to the project directory. */
    into: string;
}

/** Writes `unpack.json` into a parts directory. */
export function writeUnpackHint(partsDir: string, hint: UnpackHint): void {
    fs.writeFileSync(path.join(partsDir, UNPACK_FILE), `${JSON.stringify(hint, null, 2)}\n`);
}

/** Reads `unpack.json` from a parts directory; undefined when absent or not of the expected shape. */
export function readUnpackHint(partsDir: string): UnpackHint | undefined {
    const file = path.join(partsDir, UNPACK_FILE);
    if (!fs.existsSync(file)) return undefined;
    const hint = JSON.parse(fs.readFileSync(file, "utf8")) as Partial<UnpackHint>;
    if (typeof hint.into !== "string" || typeof hint.stack !== "string") return undefined;
    return { stack: hint.stack, into: hint.into };
}

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

/**
 * Tars `bundleDir` into parts of at most `partSize` bytes in `partsDir`; returns the part names. `extras` (files of
 * {@link EXTRA_FILES} already written into `partsDir`) are listed in SHA256SUMS too, so `sha256sum -c` covers them.
 */
export async function splitBundle(
    bundleDir: string,
    partsDir: string,
    partSize: number,
    extras: string[] = [],
): Promise<string[]> {
    fs.mkdirSync(partsDir, { recursive: true });
    for (const f of fs.readdirSync(partsDir)) {
        if (PART.test(f) || f === SUMS_FILE || (EXTRA_FILES.includes(f) && !extras.includes(f))) {
            fs.rmSync(path.join(partsDir, f));
        }
    }
    const tar = spawn("tar", ["-C", bundleDir, "-cf", "-", "."], { stdio: ["ignore", "pipe", "pipe"] });
    let err = "";
    tar.stderr.on("data", (c) => (err += c));
    const parts: { name: string; sha256: string }[] = [];
    let fd = -1;
    let written = 0;
    let hash = crypto.createHash("sha256");
    const close = () => {
        if (fd < 0) return;
        fs.closeSync(fd);
        parts[parts.length - 1].sha256 = hash.digest("hex");
        fd = -1;
    };
    for await (const chunk of tar.stdout as AsyncIterable<Buffer>) {
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
    const code = await new Promise<number | null>((r) => tar.on("close", r));
    if (code !== 0) throw new Error(`tar of ${bundleDir} failed: ${err.trim()}`);
    for (const name of extras) parts.push({ name, sha256: (await hashFile(path.join(partsDir, name))).sha256 });
    fs.writeFileSync(path.join(partsDir, SUMS_FILE), parts.map((p) => `${p.sha256}  ${p.name}\n`).join(""));
    return parts.filter((p) => PART.test(p.name)).map((p) => p.name);
}

/** True when `dir` holds a split bundle rather than a bundle. */
export function isSplit(dir: string): boolean {
    return fs.existsSync(path.join(dir, SUMS_FILE));
}

/** Checks every part (and extra file) named in SHA256SUMS; returns problems as `[part, text]`. */
export async function checkParts(partsDir: string): Promise<{ artifact: string; text: string }[]> {
    const lines = fs.readFileSync(path.join(partsDir, SUMS_FILE), "utf8").split("\n").filter(Boolean);
    const problems: { artifact: string; text: string }[] = [];
    for (const line of lines) {
        const m = /^([a-f0-9]{64}) [ *](\S+)$/.exec(line);
        if (!m || !(PART.test(m[2]) || EXTRA_FILES.includes(m[2]))) {
            problems.push({ artifact: SUMS_FILE, text: `malformed line "${line}"` });
            continue;
        }
        const file = path.join(partsDir, m[2]);
        const artifact = `${PART.test(m[2]) ? "part" : "file"} ${m[2]}`;
        if (!fs.existsSync(file)) problems.push({ artifact, text: "missing" });
        else {
            const got = await hashFile(file);
            if (got.sha256 !== m[1]) {
                problems.push({ artifact, text: `checksum mismatch (${got.size} bytes; truncated or altered)` });
            }
        }
    }
    if (!lines.some((l) => PART.test(l.split(/\s+[ *]?/)[1] ?? ""))) {
        problems.push({ artifact: SUMS_FILE, text: "lists no parts" });
    }
    return problems;
}

/** Unpacks checked parts, in order, into `into`. */
export async function joinParts(partsDir: string, into: string): Promise<void> {
    const names = fs
        .readFileSync(path.join(partsDir, SUMS_FILE), "utf8")
        .split("\n")
        .filter(Boolean)
        .map((l) => l.split(/\s+[ *]?/)[1])
        .filter((n) => PART.test(n));
    fs.mkdirSync(into, { recursive: true });
    const tar = spawn("tar", ["-C", into, "-xf", "-"], { stdio: ["pipe", "ignore", "pipe"] });
    let err = "";
    tar.stderr.on("data", (c) => (err += c));
    const done = new Promise<number | null>((r) => tar.on("close", r));
    for (const n of names) {
        for await (const chunk of fs.createReadStream(path.join(partsDir, n))) {
            if (!tar.stdin.write(chunk)) await new Promise<void>((r) => tar.stdin.once("drain", () => r()));
        }
    }
    tar.stdin.end();
    if ((await done) !== 0) throw new Error(`unpacking the parts into ${into} failed: ${err.trim()}`);
}
