/**
 * `npm run bundle -- --stack <name> --out <dir> [--split <size>] [--no-npm] [--no-plugins] [--no-cli]
 * [--no-signatures] [--sign-key <key.pem>]`: on the bastion, builds the bundle of design §6 from the stack's
 * inventory (catalog images, config images, images found by rendering the releases with helm and the stack's
 * values, images of `--images-from` lists, charts, plugins, the Pulumi CLI, npm cache), writes its SBOM and signs
 * bundle.json with `--sign-key` (pipeline/seal.ts). The only command that uses the network. `--no-plugins` leaves out the provider
 * plugins, `--no-cli` the Pulumi CLI, `--no-signatures` the upstream signatures and attestations.
 * Exits 1 on failure, 2 on bad usage.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { attachmentSummary } from "../pipeline/attached";
import { buildBundle } from "../pipeline/bundle";
import { FILES_DIR } from "../lib/bundle-layout";
import { carryExtraFiles } from "../pipeline/extra-files";
import { readImageLists } from "../pipeline/image-list";
import { imageArtifacts, readManifest, writeManifest } from "../pipeline/manifest";
import { releaseImages } from "../pipeline/rendered";
import { readSigningKey, sealBundle, sealSummary } from "../pipeline/seal";
import { stackInventory } from "../pipeline/inventory";
import { bundlePathOf, placementWarnings } from "../pipeline/placement";
import { DEFAULT_PLUGIN_BASE_URL } from "../pipeline/plugins";
import { DEFAULT_PULUMI_CLI_BASE_URL } from "../pipeline/pulumi-cli";
import { parseSize, splitBundle } from "../pipeline/split";
import { stackConfig } from "../pipeline/stack";
import { checkoutRoot } from "../lib/checkout";
import { parseCli, runCli } from "./run";

const USAGE =
    "usage: npm run bundle -- --stack <name> --out <dir> [--split <size, e.g. 4G>] [--no-npm] [--no-plugins] [--no-cli] [--no-signatures] [--images-from <file>]... [--sign-key <key.pem> [--sign-key-password-stdin]] [--dir <project dir>]";

async function main(): Promise<number> {
    const parsed = parseCli(USAGE, {
        options: {
            stack: { type: "string", short: "s" },
            out: { type: "string", short: "o" },
            split: { type: "string" },
            dir: { type: "string" },
            "no-npm": { type: "boolean" },
            "no-plugins": { type: "boolean" },
            "no-signatures": { type: "boolean" },
            "no-cli": { type: "boolean" },
            "images-from": { type: "string", multiple: true },
            "sign-key": { type: "string" },
            "sign-key-password-stdin": { type: "boolean" },
            help: { type: "boolean", short: "h" },
        },
    });
    if (!parsed) return 2;
    const args = parsed.values;
    if (args.help) return (console.log(USAGE), 0);
    if (!args.stack || !args.out) {
        console.error(`--stack and --out are required\n${USAGE}`);
        return 2;
    }
    const partSize = args.split ? parseSize(args.split) : undefined;
    const signKey = args["sign-key"] ? readSigningKey(args["sign-key"], !!args["sign-key-password-stdin"]) : undefined;
    const projectDir = path.resolve(args.dir ?? checkoutRoot());
    const cfg = stackConfig(projectDir, args.stack);
    const charts = [cfg.rook.chart, ...(cfg.rook.csiDriversChart ? [cfg.rook.csiDriversChart] : []), cfg.aihub.chart];
    const chartFiles = charts.map((c) => path.resolve(projectDir, c));
    for (const c of chartFiles) {
        if (!fs.existsSync(c))
            throw new Error(
                `chart ${c} is missing: fetch it first (helm pull <repo>/<chart> --version <v> -d ${path.dirname(c)})`,
            );
    }
    // The releases rendered with the stack's own values (valuesFile, computed, inline aihub.values).
    const rendered = await releaseImages(projectDir, args.stack);
    const pkg = JSON.parse(fs.readFileSync(path.join(projectDir, "package.json"), "utf8"));
    const listFiles = args["images-from"] ?? [];
    const lists = readImageLists(listFiles);
    const inv = stackInventory(cfg, pkg, rendered, lists.flat());
    const cli = inv.pulumiCli ? `, Pulumi CLI ${inv.pulumiCli.version}` : "";
    console.log(
        `inventory: ${inv.images.length} images, ${inv.charts.length} charts, ${inv.plugins.length} plugins${cli}`,
    );
    const out = path.resolve(args.out);
    for (const w of placementWarnings(cfg, projectDir, out)) console.warn(`warning: ${w}`);
    const { manifest } = await buildBundle({
        out,
        stack: args.stack,
        registry: cfg.registry.server,
        platforms: cfg.bundle?.platforms ?? ["linux/amd64"],
        images: inv.images.map((i) => i.source),
        charts: chartFiles,
        sourceBase: projectDir,
        plugins: args["no-plugins"] ? [] : inv.plugins,
        pluginBaseUrl: process.env.AIHUB_PLUGIN_BASE_URL ?? DEFAULT_PLUGIN_BASE_URL,
        pulumiCli: args["no-cli"] ? undefined : inv.pulumiCli,
        pulumiCliBaseUrl: process.env.AIHUB_PULUMI_CLI_BASE_URL ?? DEFAULT_PULUMI_CLI_BASE_URL,
        npmProject: args["no-npm"] ? undefined : projectDir,
        upstreamMirrors: cfg.bundle?.upstreamMirrors,
        upstreamTlsVerify: cfg.bundle?.upstreamTlsVerify,
        signatures: !args["no-signatures"],
        verifyUpstream: cfg.bundle?.verifyUpstream,
        trustedRoot: cfg.bundle?.trustedRoot ? path.resolve(projectDir, cfg.bundle.trustedRoot) : undefined,
        // A bare name is looked up on PATH; anything with a slash is a path from the project.
        syft: cfg.bundle?.syft?.includes("/") ? path.resolve(projectDir, cfg.bundle.syft) : cfg.bundle?.syft,
        imageLists: lists.map((images, i) => ({ file: path.basename(listFiles[i]), images })),
    });
    const extra = await carryExtraFiles(out, cfg.bundle?.extraFiles ?? [], projectDir);
    if (extra.length) {
        const m = readManifest(out)!;
        writeManifest(out, { ...m, artifacts: [...m.artifacts, ...extra] });
        console.log(`extra files: ${extra.length} under ${FILES_DIR}/`);
    }
    // Last of all: the checkout, verify.cjs, the SBOM, the signature and SHA256SUMS cover everything recorded above.
    const sealed = await sealBundle(out, projectDir, signKey);
    if (partSize) {
        const partsDir = `${out.replace(/\/+$/, "")}.parts`;
        const parts = await splitBundle(out, partsDir, partSize, signKey);
        const into = bundlePathOf(cfg, projectDir, out);
        console.log(
            `split into ${parts.length} part(s) in ${partsDir} (SHA256SUMS${signKey ? ", SHA256SUMS.sig" : ""}); inside, from the checkout: node ${path.basename(partsDir)}/verify.cjs ${path.basename(partsDir)} --into ${into}${signKey ? " --key <pub.pem>" : ""}`,
        );
    }
    // Attachments are all recorded by buildBundle; what follows adds only files, the SBOM and the signature.
    const attached = imageArtifacts(manifest).map((a) => a.attached?.kind);
    console.log(`bundle written to ${out}: ${sealSummary(sealed)}; ${attachmentSummary(attached)}`);
    return 0;
}

runCli("bundle", main);
