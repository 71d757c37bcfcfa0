/**
 * `bundle.extraFiles`: local files or http(s) URLs carried under `files/` as `file` artifacts (sha256 and size in
 * bundle.json, so verify and verify.cjs check them like charts). URLs go through the proxy-aware download.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { extraFileName, FILES_DIR } from "../lib/bundle-layout";
import { hashFile } from "../lib/digest";
import { recordedSource, type FileArtifact } from "./manifest";
import { download } from "./plugins";

/** Copies or downloads each extra file into `<out>/files/` and returns its record; relative paths are from `baseDir`. */
export async function carryExtraFiles(
    out: string,
    sources: readonly string[],
    baseDir: string,
): Promise<FileArtifact[]> {
    const records: FileArtifact[] = [];
    for (const source of sources) {
        const name = extraFileName(source);
        const rel = path.join(FILES_DIR, name);
        const dest = path.join(out, rel);
        fs.mkdirSync(path.dirname(dest), { recursive: true });
        let sum: { sha256: string; size: number };
        if (/^https?:\/\//.test(source)) sum = await download(source, dest);
        else {
            const file = path.resolve(baseDir, source);
            if (!fs.existsSync(file))
                throw new Error(`bundle.extraFiles: ${file} is missing; fix the path or remove it`);
            fs.copyFileSync(file, dest);
            sum = await hashFile(dest);
        }
        const recorded = /^https?:\/\//.test(source) ? source : recordedSource(source, baseDir);
        records.push({ kind: "file", name, source: recorded, path: rel, ...sum });
    }
    return records;
}
