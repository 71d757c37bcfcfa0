/**
 * Pulumi provider plugins for the inside (facts pulumi §3.3): the exact versions pinned in package.json, downloaded
 * as release tarballs on the bastion and installed inside with `pulumi plugin install resource <name> <ver> --file`.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as crypto from "node:crypto";
import { get } from "./proxy";

/**
 * The provider plugins this program uses, by npm package. Generated secrets and the registry push are dynamic
 * resources (components/dynamic/), served by the `pulumi-resource-pulumi-nodejs` script that ships in @pulumi/pulumi.
 */
const PROVIDER_PACKAGES: Record<string, string> = {
    "@pulumi/kubernetes": "kubernetes",
};

/** GitHub's release download address; `AIHUB_PLUGIN_BASE_URL` points it at a mirror of the release files. */
export const DEFAULT_PLUGIN_BASE_URL = "https://github.com/pulumi";

/** One plugin to carry. */
export interface PluginNeed {
    name: string;
    version: string;
}

/** The plugins at the versions pinned in package.json; throws when a pin is a range (it must be exact). */
export function pluginNeeds(packageJson: { dependencies?: Record<string, string> }): PluginNeed[] {
    return Object.entries(PROVIDER_PACKAGES)
        .filter(([pkg]) => packageJson.dependencies?.[pkg])
        .map(([pkg, name]) => {
            const version = packageJson.dependencies![pkg];
            if (!/^\d+\.\d+\.\d+$/.test(version)) {
                throw new Error(`package.json pins ${pkg} as "${version}": pin an exact version so the plugin matches`);
            }
            return { name, version };
        });
}

/** The tarball's file name for a platform `os/arch`, as Pulumi names it. */
export function pluginFile(p: PluginNeed, platform: string): string {
    const [os, arch] = platform.split("/");
    return `pulumi-resource-${p.name}-v${p.version}-${os}-${arch}.tar.gz`;
}

/** Download address of a plugin tarball under a base URL. */
export function pluginUrl(p: PluginNeed, platform: string, base = DEFAULT_PLUGIN_BASE_URL): string {
    return `${base.replace(/\/+$/, "")}/pulumi-${p.name}/releases/download/v${p.version}/${pluginFile(p, platform)}`;
}

/**
 * The name of the checksums file a provider release publishes beside its tarballs. The providers build with
 * goreleaser, and pulumi-kubernetes' `.goreleaser.yml` sets no `checksum` block, so goreleaser's default name applies:
 * `{{ .ProjectName }}_{{ .Version }}_checksums.txt`, the project named after the repository and the version without
 * its `v` (sha256sum format, one line per archive).
 */
export function pluginChecksumsFile(p: PluginNeed): string {
    return `pulumi-${p.name}_${p.version}_checksums.txt`;
}

/** Download address of that checksums file under a base URL (the release's own folder). */
export function pluginChecksumsUrl(p: PluginNeed, base = DEFAULT_PLUGIN_BASE_URL): string {
    return `${base.replace(/\/+$/, "")}/pulumi-${p.name}/releases/download/v${p.version}/${pluginChecksumsFile(p)}`;
}

/**
 * Downloads `url` to `file` (via a temp file), returning sha256 and size; throws naming the URL on HTTP errors.
 * Honours HTTPS_PROXY / HTTP_PROXY / NO_PROXY (see proxy.ts).
 */
export async function download(url: string, file: string): Promise<{ sha256: string; size: number }> {
    const res = await get(url);
    const status = res.statusCode ?? 0;
    if (status < 200 || status > 299) {
        res.resume();
        throw new Error(`download of ${url} failed: HTTP ${status} ${res.statusMessage ?? ""}`.trim());
    }
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const tmp = `${file}.part`;
    const out = fs.createWriteStream(tmp);
    const h = crypto.createHash("sha256");
    let size = 0;
    for await (const chunk of res as AsyncIterable<Buffer>) {
        h.update(chunk);
        size += chunk.length;
        if (!out.write(chunk)) await new Promise<void>((r) => out.once("drain", () => r()));
    }
    await new Promise<void>((resolve, reject) => out.end((e?: Error | null) => (e ? reject(e) : resolve())));
    const expected = Number(res.headers["content-length"] ?? size);
    if (expected !== size) throw new Error(`download of ${url} truncated: ${size} of ${expected} bytes`);
    fs.renameSync(tmp, file);
    return { sha256: h.digest("hex"), size };
}

/**
 * `download`, then the file's sha256 checked against `want`, the line for `name` in the release's checksums file
 * (`sumsUrl`); on a mismatch or a missing line the download is removed and the error names both addresses.
 */
export async function downloadChecked(
    url: string,
    file: string,
    sums: { url: string; name: string; want: string | undefined },
): Promise<{ sha256: string; size: number }> {
    const got = await download(url, file);
    if (got.sha256 !== sums.want) {
        fs.rmSync(file, { force: true });
        throw new Error(
            sums.want
                ? `${url}: sha256 ${got.sha256}, but ${sums.url} lists ${sums.want}; the download was removed`
                : `${url}: sha256 ${got.sha256}, but ${sums.url} has no line for ${sums.name}; the download was removed`,
        );
    }
    return got;
}
