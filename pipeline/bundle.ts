/**
 * The bastion side (design §6): pulls every image into ONE OCI layout with skopeo (a blob shared by many images
 * is stored once), copies the charts, downloads the provider plugins and the Pulumi CLI, fills the npm cache, and
 * records every artifact with its digest or sha256 and size in `bundle.json`. A second run reuses whatever is already
 * there.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { mapLimit } from "../lib/async";
import { hashFile, unchanged } from "../lib/digest";
import { ATTACHMENT_KINDS } from "./attached";
import { AttachmentLookup, carryAttachments, signedIndex } from "./carry-attached";
import { mapImages } from "../lib/imageref";
import {
    FORMAT_VERSION,
    IMAGES_DIR,
    imageArtifacts,
    readManifest,
    recordedSource,
    writeManifest,
    type Artifact,
    type BundleManifest,
} from "./manifest";
import { pruneLayout } from "./layout";
import { fillNpmCache, listFiles } from "./npm-cache";
import {
    download,
    downloadChecked,
    pluginChecksumsFile,
    pluginChecksumsUrl,
    pluginFile,
    pluginUrl,
    type PluginNeed,
} from "./plugins";
import { formatBytes, Progress } from "./progress";
import { intact, pullInto, pullReference, type PullOptions } from "./pull";
import { carryPulumiCli, parseChecksums, type PulumiCliNeed } from "./pulumi-cli";
import { checkSkopeo } from "./skopeo";
import { carryContents, CONTENTS_DIR } from "./image-contents";
import { diskFullMessage, isDiskFull } from "./disk-space";
import { verifyUpstream, type UpstreamRule } from "./upstream-verify";

/**
 * The tool name recorded in bundle.json. Image records are reused only from the same tool: bundle 1 converted
 * Docker v2s2 manifests to OCI, so its digests are not the upstream ones.
 */
export const TOOL = "aihub-airgap bundle 2";

/** Where the bundle carries Sigstore's trusted root (`bundle.trustedRoot`). */
export const TRUSTED_ROOT_FILE = "sigstore/trusted_root.json";

/** Options of {@link buildBundle}. */
export interface BundleOptions extends PullOptions {
    stack: string;
    /** The stack's private registry (targets are recorded for it). */
    registry: string;
    /** Upstream image references; a target collision throws before anything is pulled. */
    images: string[];
    /** Chart files to carry. */
    charts: string[];
    /**
     * The folder local sources (charts) are recorded relative to, so no bastion path lands in signed metadata (see
     * recordedSource). @default the current directory
     */
    sourceBase?: string;
    /** Provider plugins to download. @default none */
    plugins?: PluginNeed[];
    /** Base URL of the plugin releases. @default DEFAULT_PLUGIN_BASE_URL */
    pluginBaseUrl?: string;
    /** The Pulumi CLI to download, one archive per platform. @default none */
    pulumiCli?: PulumiCliNeed;
    /** Base URL of the CLI releases. @default DEFAULT_PULUMI_CLI_BASE_URL */
    pulumiCliBaseUrl?: string;
    /** Project directory whose package-lock.json fills `npm/`; unset skips the npm cache. */
    npmProject?: string;
    /** Carry the upstream signatures, attestations and SBOMs attached to each image (attached.ts). @default true */
    signatures?: boolean;
    /** Upstream signatures each matching image must have, checked with cosign (upstream-verify.ts). @default none */
    verifyUpstream?: UpstreamRule[];
    /**
     * Sigstore's trusted_root.json: handed to cosign for `verifyUpstream` and carried as `sigstore/trusted_root.json`,
     * so `cosign verify --trusted-root` works inside. @default not carried
     */
    trustedRoot?: string;
    /**
     * syft, to list what each image contains (pipeline/image-contents.ts): a path or a command on PATH.
     * @default not scanned
     */
    syft?: string;
    /** Images pulled at once. @default 4 */
    parallel?: number;
    /**
     * The `--images-from` lists (their images are in `images` too), recorded in bundle.json so push can write
     * `--retagged` files in list order. @default none
     */
    imageLists?: { file: string; images: string[] }[];
    write?: (line: string) => void;
}

/** What a bundle run did. */
export interface BundleResult {
    manifest: BundleManifest;
    /** Artifacts fetched or copied by this run. */
    fetched: string[];
    /** Artifacts reused from an earlier run. */
    reused: string[];
}

/** Builds or completes a bundle. */
export async function buildBundle(o: BundleOptions): Promise<BundleResult> {
    try {
        return await build(o);
    } catch (e) {
        if (!isDiskFull(e)) throw e;
        // bundle.json is written (by rename) only after an artifact is whole, so it names nothing half-written.
        throw new Error(
            `${diskFullMessage(o.out, "while writing the bundle")}; what bundle.json records is complete and is ` +
                `reused by the next run (${(e as Error).message.split("\n")[0]})`,
        );
    }
}

async function build(o: BundleOptions): Promise<BundleResult> {
    const mappings = mapImages(o.images, o.registry);
    fs.mkdirSync(o.out, { recursive: true });
    let previous: BundleManifest | undefined;
    try {
        previous = readManifest(o.out);
    } catch {
        previous = undefined; // a damaged manifest is rebuilt; the blobs on disk are still reused by skopeo
    }
    const before = new Map(
        (previous?.artifacts ?? [])
            .filter((a) => a.kind !== "image" || previous?.tool === TOOL)
            .map((a) => [`${a.kind} ${a.name}`, a]),
    );
    const manifest: BundleManifest = {
        format: FORMAT_VERSION,
        tool: TOOL,
        stack: o.stack,
        registry: o.registry,
        platforms: o.platforms,
        created: new Date().toISOString(),
        artifacts: [],
        ...(o.imageLists?.length ? { imageLists: o.imageLists } : {}),
    };
    const result: BundleResult = { manifest, fetched: [], reused: [] };
    const perPlatform = (o.plugins?.length ?? 0) + (o.pulumiCli ? 1 : 0);
    const total =
        mappings.length +
        o.charts.length +
        (o.trustedRoot ? 1 : 0) +
        (o.plugins?.length ?? 0) +
        perPlatform * o.platforms.length +
        (o.npmProject ? 1 : 0);
    const progress = new Progress(total, 0, o.write);
    const record = (a: Artifact, reused: boolean) => {
        manifest.artifacts.push(a);
        (reused ? result.reused : result.fetched).push(`${a.kind} ${a.name}`);
        // Written after each artifact: an interrupted run resumes from here.
        writeManifest(o.out, manifest);
        progress.finished(reused ? "reused" : "fetched", `${a.kind} ${a.name}`, a.size);
    };

    const layout = path.join(o.out, IMAGES_DIR);
    if (mappings.length) await checkSkopeo();
    // Scratch layouts of pulls an earlier run did not finish (their blobs are in the shared dir already).
    for (const f of fs.readdirSync(o.out))
        if (f.startsWith(".pull-")) fs.rmSync(path.join(o.out, f), { recursive: true });
    // One lookup of upstream attachments for the pulls (a signed index is carried whole) and for carrying them.
    const lookup = o.signatures !== false ? new AttachmentLookup(o, (l) => progress.note(l)) : undefined;
    try {
        await mapLimit(mappings, o.parallel ?? 4, async (m, i) => {
            const old = before.get(`image ${m.source}`);
            if (old?.kind === "image" && old.source === m.source && intact(layout, old)) {
                record({ ...old, target: m.target }, true);
                return;
            }
            progress.note(`pulling ${pullReference(m.source, o.upstreamMirrors)}`);
            const index = lookup && (await signedIndex(o, lookup, m.source));
            if (index) progress.note(`${m.source}: upstream signed its index ${index}; carrying every platform of it`);
            const pulled = await pullInto(o, layout, m.source, String(i), false, !!index);
            record(
                { kind: "image", name: m.source, source: m.source, target: m.target, path: IMAGES_DIR, ...pulled },
                false,
            );
        });
        if (lookup) await carryAttachments(o, layout, manifest, before, new Set(result.reused), progress, lookup);
        if (o.verifyUpstream?.length) {
            const n = await verifyUpstream(
                { ...o, rules: o.verifyUpstream, note: (l) => progress.note(l) },
                imageArtifacts(manifest),
            );
            progress.note(`upstream signatures verified for ${n} image(s) (bundle.verifyUpstream)`);
        }
    } finally {
        lookup?.close();
    }
    // Pulls finish in any order; bundle.json lists the images in inventory order, each followed by its attachments.
    const order = new Map(mappings.map((m, i) => [m.source, i]));
    const rank = (a: Artifact) => {
        const to = a.kind === "image" ? a.attached?.to : undefined;
        const kind = a.kind === "image" && a.attached ? ATTACHMENT_KINDS.indexOf(a.attached.kind) + 1 : 0;
        return (order.get(to ?? a.name) ?? 0) * 10 + kind;
    };
    manifest.artifacts.sort((a, b) => rank(a) - rank(b));
    writeManifest(o.out, manifest);
    const contents = await carryContents(
        { out: o.out, syft: o.syft, platforms: o.platforms, note: (l) => progress.note(l) },
        manifest,
        before,
    );
    if (o.syft) {
        progress.note(
            `image contents: ${contents.scanned} scanned, ${contents.reused} reused, ${contents.packages} packages listed under ${CONTENTS_DIR}/`,
        );
    }

    for (const chart of o.charts) {
        const rel = path.join("charts", path.basename(chart));
        const dest = path.join(o.out, rel);
        if (!fs.existsSync(chart)) {
            throw new Error(
                `chart ${chart} is missing: fetch it first (helm pull <repo>/<chart> --version <v> -d <dir>)`,
            );
        }
        fs.mkdirSync(path.dirname(dest), { recursive: true });
        if (path.resolve(chart) !== path.resolve(dest)) fs.copyFileSync(chart, dest);
        record(
            {
                kind: "chart",
                name: path.basename(chart),
                source: recordedSource(chart, o.sourceBase ?? process.cwd()),
                path: rel,
                ...(await hashFile(dest)),
            },
            false,
        );
    }

    // Each provider release's published checksums file is carried beside its tarballs (verify checks it like any
    // file, and `sha256sum -c --ignore-missing` reads it inside); every tarball, downloaded or reused, must match it.
    if (o.trustedRoot) {
        if (!fs.existsSync(o.trustedRoot))
            throw new Error(`bundle.trustedRoot: ${o.trustedRoot} is missing; fix the path or remove it`);
        const dest = path.join(o.out, TRUSTED_ROOT_FILE);
        fs.mkdirSync(path.dirname(dest), { recursive: true });
        fs.copyFileSync(o.trustedRoot, dest);
        const source = recordedSource(o.trustedRoot, o.sourceBase ?? process.cwd());
        record(
            { kind: "file", name: "trusted_root.json", source, path: TRUSTED_ROOT_FILE, ...(await hashFile(dest)) },
            false,
        );
    }

    for (const p of o.plugins ?? []) {
        const sumsName = pluginChecksumsFile(p);
        const sumsRel = path.join("plugins", sumsName);
        const sumsUrl = pluginChecksumsUrl(p, o.pluginBaseUrl);
        const oldSums = before.get(`file ${sumsName}`);
        const sumsReused = oldSums?.kind === "file" && (await unchanged(path.join(o.out, sumsRel), oldSums));
        if (!sumsReused) progress.note(`downloading ${sumsUrl}`);
        const sumsRecord: Artifact = sumsReused
            ? oldSums
            : {
                  kind: "file",
                  name: sumsName,
                  source: sumsUrl,
                  path: sumsRel,
                  ...(await download(sumsUrl, path.join(o.out, sumsRel))),
              };
        const sums = parseChecksums(fs.readFileSync(path.join(o.out, sumsRel), "utf8"));
        record(sumsRecord, sumsReused);
        for (const platform of o.platforms) {
            const name = pluginFile(p, platform);
            const rel = path.join("plugins", name);
            const dest = path.join(o.out, rel);
            const url = pluginUrl(p, platform, o.pluginBaseUrl);
            const want = sums.get(name);
            const old = before.get(`plugin ${name}`);
            if (old?.kind === "plugin" && old.sha256 === want && (await unchanged(dest, old))) {
                record(old, true);
                continue;
            }
            progress.note(`downloading ${url}`);
            const got = await downloadChecked(url, dest, { url: sumsUrl, name, want });
            record({ kind: "plugin", name, source: url, path: rel, ...got }, false);
        }
    }

    if (o.pulumiCli) {
        const carried = carryPulumiCli({
            out: o.out,
            version: o.pulumiCli.version,
            platforms: o.platforms,
            baseUrl: o.pulumiCliBaseUrl,
            previous: (name) => {
                const a = before.get(`cli ${name}`);
                return a?.kind === "cli" ? a : undefined;
            },
            note: (line) => progress.note(line),
        });
        for await (const { artifact, reused } of carried) record(artifact, reused);
    }

    if (o.npmProject) {
        const lock = await hashFile(path.join(o.npmProject, "package-lock.json"));
        const old = before.get("npm package-lock.json");
        const reuse = old?.kind === "npm" && old.sha256 === lock.sha256 && fs.existsSync(path.join(o.out, "npm"));
        if (!reuse) {
            progress.note("filling npm/ from package-lock.json (npm ci --cache)");
            fillNpmCache(o.npmProject, path.join(o.out, "npm"));
        }
        const files = await listFiles(path.join(o.out, "npm"));
        const size = files.reduce((n, f) => n + f.size, 0);
        record(
            {
                kind: "npm",
                name: "package-lock.json",
                source: "package-lock.json",
                sha256: lock.sha256,
                size,
                path: "npm",
                files,
            },
            reuse,
        );
    }
    // What an earlier run carried and this one does not is dropped, so the bundle holds only what bundle.json lists.
    const images = manifest.artifacts.filter((a) => a.kind === "image");
    const pruned = pruneLayout(
        layout,
        new Set(images.map((a) => a.name)),
        new Set(images.flatMap((a) => a.blobs.map((b) => b.digest))),
    );
    if (pruned) progress.note(`removed ${pruned} blob(s) no image of this bundle uses`);
    progress.note(
        `bundle ${o.out}: ${manifest.artifacts.length} artifacts, ${formatBytes(await bundleSize(o.out))} on disk`,
    );
    return result;
}

/** Bytes of all files under a directory. */
export async function bundleSize(dir: string): Promise<number> {
    let n = 0;
    for (const e of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
        if (e.isFile()) n += fs.statSync(path.join(e.parentPath, e.name)).size;
    }
    return n;
}
