/**
 * The Pulumi CLI for the inside: the release archive of the version package.json pins for `@pulumi/pulumi`, so the
 * CLI and the SDK match and the inside needs only Node.js. The archive is checked against the checksums file Pulumi
 * publishes next to it before it is recorded in bundle.json.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { hashFile } from "../lib/digest";
import type { FileArtifact } from "./manifest";
import { download, downloadChecked } from "./plugins";

/** Pulumi's release download address; `AIHUB_PULUMI_CLI_BASE_URL` points it at a mirror of the release files. */
export const DEFAULT_PULUMI_CLI_BASE_URL = "https://get.pulumi.com/releases/sdk";

/** The bundle directory the CLI archives go to. */
export const PULUMI_CLI_DIR = "pulumi";

/** The CLI to carry. */
export interface PulumiCliNeed {
    version: string;
}

/** Pulumi's architecture names in archive names, by Go/OCI architecture. */
const ARCHES: Record<string, string> = { amd64: "x64", arm64: "arm64" };
const OSES = new Set(["linux", "darwin", "windows"]);

/**
 * The CLI at the version pinned for `@pulumi/pulumi` in package.json; undefined when the package is not a dependency.
 * Throws when the pin is a range: the CLI must match the SDK exactly.
 */
export function pulumiCliNeed(packageJson: { dependencies?: Record<string, string> }): PulumiCliNeed | undefined {
    const version = packageJson.dependencies?.["@pulumi/pulumi"];
    if (version === undefined) return undefined;
    if (!/^\d+\.\d+\.\d+$/.test(version)) {
        throw new Error(
            `package.json pins @pulumi/pulumi as "${version}": pin an exact version so the Pulumi CLI matches`,
        );
    }
    return { version };
}

/** The archive's file name for a platform `os/arch`, as Pulumi names it; throws for a platform Pulumi does not build. */
export function pulumiCliFile(version: string, platform: string): string {
    const [os, arch] = platform.split("/");
    if (!OSES.has(os) || !ARCHES[arch]) throw new Error(`no Pulumi CLI release for platform ${platform}`);
    return `pulumi-v${version}-${os}-${ARCHES[arch]}.${os === "windows" ? "zip" : "tar.gz"}`;
}

/** Download address of the CLI archive under a base URL. */
export function pulumiCliUrl(version: string, platform: string, base = DEFAULT_PULUMI_CLI_BASE_URL): string {
    return `${base.replace(/\/+$/, "")}/${pulumiCliFile(version, platform)}`;
}

/** Download address of the release's checksums file (its name has no "v" before the version). */
export function pulumiChecksumsUrl(version: string, base = DEFAULT_PULUMI_CLI_BASE_URL): string {
    return `${base.replace(/\/+$/, "")}/pulumi-${version}-checksums.txt`;
}

/** A sha256sum-format file (`<hex>  <file>`, `*` before the name in binary mode) as file name → lower-case hex. */
export function parseChecksums(text: string): Map<string, string> {
    const sums = new Map<string, string>();
    for (const line of text.split(/\r?\n/)) {
        const m = /^([a-fA-F0-9]{64}) [ *](.+)$/.exec(line.trim());
        if (m) sums.set(m[2].trim(), m[1].toLowerCase());
    }
    return sums;
}

/** What {@link carryPulumiCli} needs. */
export interface CarryCliOptions {
    /** The bundle directory. */
    out: string;
    version: string;
    platforms: string[];
    /** @default DEFAULT_PULUMI_CLI_BASE_URL */
    baseUrl?: string;
    /** The earlier bundle.json record of an archive, by file name. */
    previous?: (name: string) => FileArtifact | undefined;
    /** Progress lines. */
    note?: (line: string) => void;
}

/**
 * Downloads the CLI archive of each platform into `<out>/pulumi/` and yields its record once its sha256 matches the
 * published checksums line (a mismatch or a missing line throws naming the URL, and the download is removed). An
 * archive already there whose sha256 and size match the earlier record is reused without any download.
 */
export async function* carryPulumiCli(o: CarryCliOptions): AsyncGenerator<{ artifact: FileArtifact; reused: boolean }> {
    let sums: Map<string, string> | undefined;
    const sumsUrl = pulumiChecksumsUrl(o.version, o.baseUrl);
    for (const platform of o.platforms) {
        const name = pulumiCliFile(o.version, platform);
        const rel = path.join(PULUMI_CLI_DIR, name);
        const dest = path.join(o.out, rel);
        const old = o.previous?.(name);
        if (old && fs.existsSync(dest)) {
            const got = await hashFile(dest);
            if (got.sha256 === old.sha256 && got.size === old.size) {
                yield { artifact: old, reused: true };
                continue;
            }
        }
        if (!sums) {
            // Fetched once per run, and only when something is downloaded; not kept in the bundle.
            const file = path.join(o.out, PULUMI_CLI_DIR, path.basename(new URL(sumsUrl).pathname));
            o.note?.(`downloading ${sumsUrl}`);
            try {
                await download(sumsUrl, file);
                sums = parseChecksums(fs.readFileSync(file, "utf8"));
            } finally {
                fs.rmSync(file, { force: true });
            }
        }
        const url = pulumiCliUrl(o.version, platform, o.baseUrl);
        o.note?.(`downloading ${url}`);
        const got = await downloadChecked(url, dest, { url: sumsUrl, name, want: sums.get(name) });
        yield { artifact: { kind: "cli", name, source: url, path: rel, ...got }, reused: false };
    }
}
