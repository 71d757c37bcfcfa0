/** A chart archive's own name and version, read from the `Chart.yaml` inside the `.tgz` (for the SBOM). */
import * as zlib from "node:zlib";
import { parse } from "yaml";

/** What the SBOM records of a chart. */
export interface ChartMeta {
    name: string;
    version: string;
    appVersion?: string;
}

/** The text of the first tar entry whose path matches `want`, or undefined. Reads ustar headers only. */
function tarEntry(tar: Buffer, want: RegExp): string | undefined {
    for (let at = 0; at + 512 <= tar.length;) {
        const header = tar.subarray(at, at + 512);
        if (header.every((b) => b === 0)) return undefined;
        const field = (from: number, len: number) => header.toString("utf8", from, from + len).replace(/\0.*$/s, "");
        const prefix = field(345, 155);
        const name = prefix ? `${prefix}/${field(0, 100)}` : field(0, 100);
        const size = parseInt(field(124, 12).trim() || "0", 8);
        if (want.test(name)) return tar.toString("utf8", at + 512, at + 512 + size);
        at += 512 + Math.ceil(size / 512) * 512;
    }
    return undefined;
}

/** Name, version and appVersion of a packaged chart (`helm package` output); throws naming `file` otherwise. */
export function chartMeta(tgz: Buffer, file: string): ChartMeta {
    let text: string | undefined;
    try {
        text = tarEntry(zlib.gunzipSync(tgz), /^[^/]+\/Chart\.yaml$/);
    } catch (e) {
        throw new Error(`${file} is not a gzipped chart archive (${(e as Error).message})`);
    }
    const doc = text === undefined ? undefined : (parse(text) as Partial<Record<string, unknown>> | null);
    if (typeof doc?.name !== "string" || doc.version === undefined) {
        throw new Error(`${file} has no <chart>/Chart.yaml with name and version: is it a chart made by helm package?`);
    }
    const appVersion = doc.appVersion === undefined ? undefined : String(doc.appVersion);
    return { name: doc.name, version: String(doc.version), ...(appVersion ? { appVersion } : {}) };
}
