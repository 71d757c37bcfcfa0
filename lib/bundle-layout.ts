/**
 * Names inside a bundle directory that the config (extra file names), the program (the manifest's hash) and the
 * pipeline agree on.
 */
import * as path from "node:path";

/** The file name of the manifest inside a bundle directory. */
export const MANIFEST_FILE = "bundle.json";

/** The directory of extra files inside a bundle. */
export const FILES_DIR = "files";

/** The name an extra file gets under `files/`: the last path segment (of the URL path for URLs). */
export function extraFileName(source: string): string {
    const p = source.replace(/^https?:\/\/[^/]*/, "").replace(/[?#].*$/, "");
    return path.basename(p.replace(/\/+$/, ""));
}
