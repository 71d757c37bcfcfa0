/** Streaming sha256 of files, and a small bounded-parallel map used by bundle, verify and push. */
import * as crypto from "node:crypto";
import * as fs from "node:fs";

/** sha256 (hex) and size of a file, read as a stream so large layers do not fill memory. */
export async function hashFile(file: string): Promise<{ sha256: string; size: number }> {
    const h = crypto.createHash("sha256");
    let size = 0;
    for await (const chunk of fs.createReadStream(file)) {
        h.update(chunk as Buffer);
        size += (chunk as Buffer).length;
    }
    return { sha256: h.digest("hex"), size };
}

/** sha256 (hex) of a buffer or string. */
export function sha256(data: Buffer | string): string {
    return crypto.createHash("sha256").update(data).digest("hex");
}

/** True when `file` exists and still has the sha256 and size of its earlier record. */
export async function unchanged(file: string, old: { sha256: string; size: number }): Promise<boolean> {
    if (!fs.existsSync(file)) return false;
    const got = await hashFile(file);
    return got.sha256 === old.sha256 && got.size === old.size;
}
