/**
 * The tar stream of split parts, written and read in this process (Node.js only: verify.cjs bundles it). The writer
 * emits POSIX ustar entries (a pax `x` header for a long name or a size past ustar's 8 GiB) for folders and regular
 * files only. The reader unpacks into a folder of its own and trusts nothing in the stream: only regular files and
 * folders, names relative and without `..`, no links, devices or FIFOs, no owners, fixed modes (0644 files, 0755
 * folders), a file never written twice. Format: POSIX.1-2001 pax / ustar (IEEE Std 1003.1, `pax` utility,
 * "ustar Interchange Format" and "pax Header Block"); GNU tar's `L` long-name entry is read too.
 */
import * as fs from "node:fs";
import * as path from "node:path";

const BLOCK = 512;
/** The largest size ustar's 11 octal digits hold. */
const USTAR_MAX_SIZE = 8 ** 11 - 1;
/** A pax header or GNU long name larger than this is refused (names are at most PATH_MAX). */
const MAX_META = 64 * 1024;
/** The modes every unpacked file and folder gets, whatever the stream says. */
export const FILE_MODE = 0o644;
export const DIR_MODE = 0o755;

/** Why `name` (from a tar entry or bundle.json) is not a plain relative path that stays inside its folder. */
export function relativePathProblem(name: string): string | undefined {
    if (name === "" || name.includes("\0")) return "is empty or holds a NUL byte";
    if (name.startsWith("/") || /^[a-zA-Z]:/.test(name) || name.includes("\\")) return "is not a relative path";
    const parts = name.split("/");
    if (parts.some((p) => p === "..")) return "climbs out of its folder (..)";
    if (parts.some((p) => p === "" || p === ".")) return "is not normalised (empty or . segments)";
    return undefined;
}

function octal(n: number, width: number): string {
    return `${n.toString(8).padStart(width - 1, "0")}\0`;
}

function header(name: string, size: number, type: "0" | "5" | "x"): Buffer {
    const b = Buffer.alloc(BLOCK);
    b.write(name, 0, 100, "utf8");
    b.write(octal(type === "5" ? DIR_MODE : FILE_MODE, 8), 100, "ascii");
    b.write(octal(0, 8), 108, "ascii");
    b.write(octal(0, 8), 116, "ascii");
    b.write(octal(Math.min(size, USTAR_MAX_SIZE), 12), 124, "ascii");
    b.write(octal(0, 12), 136, "ascii");
    b.write("        ", 148, "ascii");
    b.write(type, 156, "ascii");
    b.write("ustar\u000000", 257, "latin1");
    let sum = 0;
    for (const c of b) sum += c;
    b.write(`${sum.toString(8).padStart(6, "0")}\0 `, 148, "ascii");
    return b;
}

/** A pax record `"<len> <key>=<value>\n"`, where len counts the whole record, its own digits included. */
function paxRecord(key: string, value: string): string {
    const body = ` ${key}=${value}\n`;
    let len = Buffer.byteLength(body);
    while (String(len).length + Buffer.byteLength(body) !== len) len = String(len).length + Buffer.byteLength(body);
    return `${len}${body}`;
}

function pad(size: number): Buffer {
    return Buffer.alloc((BLOCK - (size % BLOCK)) % BLOCK);
}

/** The header blocks of one entry: a pax header first when the name or size does not fit ustar. */
function entryHeader(name: string, size: number, type: "0" | "5"): Buffer[] {
    const records = [
        ...(Buffer.byteLength(name) > 100 ? [paxRecord("path", name)] : []),
        ...(size > USTAR_MAX_SIZE ? [paxRecord("size", String(size))] : []),
    ].join("");
    const out: Buffer[] = [];
    if (records) {
        const data = Buffer.from(records);
        out.push(header("PaxHeader", data.length, "x"), data, pad(data.length));
    }
    out.push(header(Buffer.byteLength(name) > 100 ? name.slice(0, 99) : name, size, type));
    return out;
}

/**
 * The tar stream of `dir`: its folders and regular files in sorted order, names relative to `dir`. Anything else (a
 * symlink, a device) is an error naming it: the bundle holds none.
 */
export async function* tarDirectory(dir: string): AsyncGenerator<Buffer> {
    const walk = async function* (rel: string): AsyncGenerator<Buffer> {
        for (const name of fs.readdirSync(path.join(dir, rel)).sort()) {
            const r = rel ? `${rel}/${name}` : name;
            const st = fs.lstatSync(path.join(dir, r));
            if (st.isDirectory()) {
                yield* entryHeader(`${r}/`, 0, "5");
                yield* walk(r);
            } else if (st.isFile()) {
                yield* entryHeader(r, st.size, "0");
                let n = 0;
                for await (const c of fs.createReadStream(path.join(dir, r), { highWaterMark: 1 << 20 })) {
                    n += (c as Buffer).length;
                    yield c as Buffer;
                }
                if (n !== st.size) throw new Error(`${path.join(dir, r)} changed while it was packed`);
                yield pad(st.size);
            } else throw new Error(`${path.join(dir, r)} is not a regular file or folder: the bundle holds none`);
        }
    };
    yield* walk("");
    yield Buffer.alloc(2 * BLOCK);
}

/** Reads exact byte counts from a stream of chunks. */
class Reader {
    private buf: Buffer = Buffer.alloc(0);
    private done = false;
    private readonly it: AsyncIterator<Buffer>;
    constructor(chunks: AsyncIterable<Buffer>) {
        this.it = chunks[Symbol.asyncIterator]();
    }
    /** Exactly `n` bytes, fewer only at the end of the stream. */
    async read(n: number): Promise<Buffer> {
        while (this.buf.length < n && !this.done) {
            const r = await this.it.next();
            if (r.done) this.done = true;
            else this.buf = this.buf.length ? Buffer.concat([this.buf, r.value]) : r.value;
        }
        const out = this.buf.subarray(0, n);
        this.buf = this.buf.subarray(out.length);
        return out;
    }
    /** The next piece of at most `n` bytes, without gathering: for streaming a file's body. */
    async some(n: number): Promise<Buffer> {
        if (!this.buf.length && !this.done) {
            const r = await this.it.next();
            if (r.done) this.done = true;
            else this.buf = r.value;
        }
        const out = this.buf.subarray(0, n);
        this.buf = this.buf.subarray(out.length);
        return out;
    }
}

function field(b: Buffer, at: number, len: number): string {
    const s = b.subarray(at, at + len);
    const end = s.indexOf(0);
    return s.subarray(0, end < 0 ? len : end).toString("utf8");
}

function parseOctal(b: Buffer, at: number, len: number, what: string): number {
    const s = field(b, at, len).trim();
    if (!/^[0-7]*$/.test(s)) throw new Error(`tar header: ${what} "${s}" is not an octal number`);
    return s ? parseInt(s, 8) : 0;
}

/** Parses pax records into key → value. */
function parsePax(data: Buffer): Map<string, string> {
    const out = new Map<string, string>();
    let at = 0;
    while (at < data.length) {
        const sp = data.indexOf(0x20, at);
        const len = Number(data.subarray(at, sp).toString("ascii"));
        if (sp < 0 || !Number.isInteger(len) || len <= 0 || at + len > data.length) {
            throw new Error("tar: malformed pax header");
        }
        const rec = data.subarray(sp + 1, at + len - 1).toString("utf8");
        const eq = rec.indexOf("=");
        if (eq < 0) throw new Error("tar: malformed pax record");
        out.set(rec.slice(0, eq), rec.slice(eq + 1));
        at += len;
    }
    return out;
}

/** What {@link untar} wrote. */
export interface UntarResult {
    files: number;
    folders: number;
    bytes: number;
}

/**
 * Unpacks the tar stream `chunks` into the folder `into`, which must exist and be empty (the caller made it). Every
 * entry is checked before anything of it is written; the first unsafe one stops the unpack with an error naming it.
 */
export async function untar(chunks: AsyncIterable<Buffer>, into: string): Promise<UntarResult> {
    const r = new Reader(chunks);
    const result: UntarResult = { files: 0, folders: 0, bytes: 0 };
    let longName: string | undefined;
    let pax = new Map<string, string>();
    for (;;) {
        const h = await r.read(BLOCK);
        if (h.length < BLOCK) throw new Error("tar: the stream ends inside a header (a part is missing or cut)");
        if (h.every((c) => c === 0)) {
            const second = await r.read(BLOCK);
            if (second.length !== BLOCK || !second.every((c) => c === 0)) {
                throw new Error("tar: a zero block that is not the end of the archive");
            }
            // Read to the end of the stream (its producer checks what it read) and accept only zero padding.
            for (let c = await r.some(1 << 20); c.length; c = await r.some(1 << 20)) {
                if (!c.every((x) => x === 0)) throw new Error("tar: data after the end of the archive");
            }
            return result;
        }
        let sum = 0;
        for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : h[i];
        if (parseOctal(h, 148, 8, "checksum") !== sum) throw new Error("tar: header checksum mismatch (damaged)");
        const type = String.fromCharCode(h[156] || 0x30);
        let size = parseOctal(h, 124, 12, "size");
        if (type === "x" || type === "L") {
            if (size > MAX_META) throw new Error(`tar: a ${type} header of ${size} bytes is too large`);
            const data = await r.read(size);
            await r.read((BLOCK - (size % BLOCK)) % BLOCK);
            if (data.length < size) throw new Error("tar: the stream ends inside a header");
            if (type === "x") pax = parsePax(data);
            else longName = data.toString("utf8").replace(/\0+$/, "");
            continue;
        }
        const prefix = field(h, 345, 155);
        const raw = pax.get("path") ?? longName ?? (prefix ? `${prefix}/${field(h, 0, 100)}` : field(h, 0, 100));
        if (pax.has("size")) size = Number(pax.get("size"));
        pax = new Map();
        longName = undefined;
        const name = raw.replace(/^(\.\/)+/, "").replace(/\/+$/, "");
        if (name === "" || name === ".") {
            if (type !== "5") throw new Error(`tar: entry "${raw}" is the top folder but not a folder`);
            continue;
        }
        const bad = relativePathProblem(name);
        if (bad) throw new Error(`tar: entry "${raw}" ${bad}; refusing to unpack`);
        const dest = path.join(into, ...name.split("/"));
        if (type === "5") {
            fs.mkdirSync(dest, { recursive: true, mode: DIR_MODE });
            if (!fs.lstatSync(dest).isDirectory()) throw new Error(`tar: entry "${raw}" is not a folder on disk`);
            result.folders++;
            continue;
        }
        if (type !== "0") {
            const what = {
                "1": "a hard link",
                "2": "a symbolic link",
                "3": "a device",
                "4": "a device",
                "6": "a FIFO",
            };
            const kind = what[type as keyof typeof what] ?? `of type "${type}"`;
            throw new Error(`tar: entry "${raw}" is ${kind}; only regular files and folders are unpacked`);
        }
        if (!Number.isSafeInteger(size) || size < 0) throw new Error(`tar: entry "${raw}" has a bad size`);
        fs.mkdirSync(path.dirname(dest), { recursive: true, mode: DIR_MODE });
        // "wx": never over a file already there (a name twice in the stream), never through a link.
        const fd = fs.openSync(dest, "wx", FILE_MODE);
        try {
            for (let left = size; left > 0;) {
                const c = await r.some(Math.min(left, 1 << 20));
                if (!c.length) throw new Error(`tar: the stream ends inside "${raw}" (a part is missing or cut)`);
                fs.writeSync(fd, c);
                left -= c.length;
            }
        } finally {
            fs.closeSync(fd);
        }
        const padding = await r.read((BLOCK - (size % BLOCK)) % BLOCK);
        if (padding.length < (BLOCK - (size % BLOCK)) % BLOCK) throw new Error("tar: the stream ends early");
        result.files++;
        result.bytes += size;
    }
}
