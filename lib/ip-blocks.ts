/**
 * MetalLB address blocks as config gives them (`a.b.c.d-a.b.c.e` ranges and CIDRs, IPv4 and IPv6), parsed into
 * numeric bounds so that order, overlap and size can be checked before MetalLB's webhook sees them.
 */
import { isIPv4, isIPv6 } from "node:net";

/** One parsed block: its family and its first and last address as numbers. */
export interface AddressBlock {
    family: 4 | 6;
    first: bigint;
    last: bigint;
}

const FIX = "write a range like 192.168.10.240-192.168.10.250 or a CIDR like 192.168.10.240/28 (IPv6 alike)";

/** An IP address as a number, or undefined when it is not one (IPv4 dotted, IPv6 in any RFC 4291 form). */
export function ipNumber(ip: string): { family: 4 | 6; value: bigint } | undefined {
    if (isIPv4(ip)) return { family: 4, value: ip.split(".").reduce((n, o) => (n << 8n) | BigInt(o), 0n) };
    if (!isIPv6(ip) || ip.includes("%")) return undefined;
    let text = ip;
    const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(ip);
    if (v4) {
        const n = ipNumber(v4[1])!.value;
        text = `${ip.slice(0, -v4[1].length)}${(n >> 16n).toString(16)}:${(n & 0xffffn).toString(16)}`;
    }
    const [head, tail] = text.split("::");
    const groups = (s: string | undefined) => (s ? s.split(":") : []);
    const missing = 8 - groups(head).length - groups(tail).length;
    const all = tail === undefined ? groups(head) : [...groups(head), ...Array(missing).fill("0"), ...groups(tail)];
    return { family: 6, value: all.reduce((n, g) => (n << 16n) | BigInt(`0x${g}`), 0n) };
}

/** The formatted address of a number (IPv6 uncompressed, lower case). */
export function ipText(family: 4 | 6, value: bigint): string {
    if (family === 4) return [24n, 16n, 8n, 0n].map((s) => String((value >> s) & 0xffn)).join(".");
    return [112n, 96n, 80n, 64n, 48n, 32n, 16n, 0n].map((s) => ((value >> s) & 0xffffn).toString(16)).join(":");
}

/** Parses one block, or says what is wrong with it and how to write it. */
export function parseAddressBlock(text: string): AddressBlock | { error: string } {
    const dash = text.indexOf("-");
    if (dash >= 0) {
        const a = ipNumber(text.slice(0, dash).trim());
        const b = ipNumber(text.slice(dash + 1).trim());
        if (!a || !b) return { error: `"${text}" is not a range of two IP addresses (${FIX})` };
        if (a.family !== b.family) return { error: `"${text}" mixes IPv4 and IPv6 (${FIX})` };
        if (a.value > b.value) return { error: `"${text}" starts after it ends (write the lower address first)` };
        return { family: a.family, first: a.value, last: b.value };
    }
    const slash = text.indexOf("/");
    const ip = ipNumber(slash >= 0 ? text.slice(0, slash) : "");
    const bitsText = text.slice(slash + 1);
    if (!ip || !/^\d{1,3}$/.test(bitsText)) return { error: `"${text}" is neither a range nor a CIDR (${FIX})` };
    const width = ip.family === 4 ? 32n : 128n;
    const bits = BigInt(bitsText);
    if (bits > width) return { error: `"${text}" has a prefix longer than ${width} bits (${FIX})` };
    const size = 1n << (width - bits);
    if (ip.value % size !== 0n) {
        const base = ipText(ip.family, ip.value - (ip.value % size));
        return { error: `"${text}" has host bits set (write the network address: ${base}/${bitsText})` };
    }
    return { family: ip.family, first: ip.value, last: ip.value + size - 1n };
}

/** Why a block is not accepted, or undefined (for the config schema). */
export function addressBlockProblem(text: string): string | undefined {
    const b = parseAddressBlock(text);
    return "error" in b ? b.error : undefined;
}

/** Pairs of blocks (by index, later one first) that share an address; blocks that do not parse are skipped. */
export function overlaps(texts: readonly string[]): { index: number; other: number }[] {
    const blocks = texts.map(parseAddressBlock);
    const out: { index: number; other: number }[] = [];
    blocks.forEach((b, i) => {
        if ("error" in b) return;
        for (let j = 0; j < i; j++) {
            const o = blocks[j];
            if ("error" in o || o.family !== b.family) continue;
            if (b.first <= o.last && o.first <= b.last) out.push({ index: i, other: j });
        }
    });
    return out;
}

/** How many addresses the blocks hold together (valid, non-overlapping blocks), capped at the largest safe number. */
export function addressCount(texts: readonly string[]): number {
    let n = 0n;
    for (const t of texts) {
        const b = parseAddressBlock(t);
        if (!("error" in b)) n += b.last - b.first + 1n;
    }
    return n > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(n);
}
