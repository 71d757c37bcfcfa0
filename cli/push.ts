/**
 * `npm run push -- <dir> --stack <name> [--password-stdin] [--parallel N] [--skip-verify] [--insecure-tls]`:
 * verifies the bundle, then pushes its images into the stack's registry (server, user and CA from the stack
 * file; the password from stdin or AIHUB_REGISTRY_PASSWORD, since the stack file holds it encrypted).
 * `--retagged <file>` (one per `bundle --images-from` list, same order) writes that list's private references.
 * `--key <pub.pem>` checks bundle.json's signature first; `--require-signature` refuses an unsigned bundle.
 * Exits 1 when anything failed (re-run to complete), 2 on bad usage.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { retaggedTexts } from "../pipeline/image-list";
import { attachmentSummary } from "../pipeline/attached";
import { imageArtifacts, readManifest } from "../pipeline/manifest";
import { pushBundle } from "../pipeline/push";
import { isSplit } from "../pipeline/split";
import { stackRegistry } from "../pipeline/stack";
import { signatureCheckOf } from "../pipeline/signing";
import { verifyBundle } from "../pipeline/verify";
import { checkoutRoot } from "../lib/checkout";
import { parseCli, runCli } from "./run";

const USAGE =
    "usage: npm run push -- <bundle dir> --stack <name> [--password-stdin] [--parallel 4] [--skip-verify] [--key <pub.pem> [--require-signature]] [--insecure-tls] [--retagged <file>]... [--dir <project dir>]";

async function main(): Promise<number> {
    const parsed = parseCli(USAGE, {
        allowPositionals: true,
        options: {
            stack: { type: "string", short: "s" },
            dir: { type: "string" },
            "password-stdin": { type: "boolean" },
            parallel: { type: "string" },
            "skip-verify": { type: "boolean" },
            "insecure-tls": { type: "boolean" },
            retagged: { type: "string", multiple: true },
            key: { type: "string" },
            "require-signature": { type: "boolean" },
            help: { type: "boolean", short: "h" },
        },
    });
    if (!parsed) return 2;
    const { values: args, positionals } = parsed;
    if (args.help) return (console.log(USAGE), 0);
    if (positionals.length !== 1 || !args.stack) {
        console.error(`a bundle dir and --stack are required\n${USAGE}`);
        return 2;
    }
    const dir = path.resolve(positionals[0]);
    if (isSplit(dir)) {
        console.error(
            `${dir} holds split parts: run npm run verify -- ${positionals[0]} first, then push the unpacked bundle`,
        );
        return 2;
    }
    const sig = signatureCheckOf(args);
    if ("error" in sig) return (console.error(`${sig.error}\n${USAGE}`), 2);
    if (args["skip-verify"] && sig.key) {
        console.error(`--skip-verify skips the signature check --key asks for: drop one of them\n${USAGE}`);
        return 2;
    }
    const projectDir = path.resolve(args.dir ?? checkoutRoot());
    const registry = stackRegistry(projectDir, args.stack);
    const password = args["password-stdin"]
        ? fs.readFileSync(0, "utf8").replace(/\r?\n$/, "")
        : process.env.AIHUB_REGISTRY_PASSWORD;
    if (!password) {
        console.error("no registry password: set AIHUB_REGISTRY_PASSWORD or pipe it with --password-stdin");
        return 2;
    }
    if (!args["skip-verify"]) {
        const v = await verifyBundle(dir, 4, sig);
        for (const p of v.problems) console.log(`BAD ${p.artifact}: ${p.text}`);
        if (v.problems.length) {
            console.log(
                `push refused: the bundle failed verification (${v.problems.length} problem(s)); nothing pushed`,
            );
            return 1;
        }
        console.log(`bundle verified: ${v.checked} files and blobs`);
    }
    const manifest = readManifest(dir)!;
    const retagged = args.retagged ?? [];
    const texts = retagged.length ? retaggedTexts(manifest.imageLists ?? [], registry.server, retagged.length) : [];
    const parallel = Number(args.parallel ?? 4);
    if (!Number.isInteger(parallel) || parallel < 1) {
        console.error(`--parallel must be a whole number >= 1\n${USAGE}`);
        return 2;
    }
    const r = await pushBundle({
        dir,
        manifest,
        parallel,
        registry: { ...registry, password, tlsVerify: !args["insecure-tls"] },
    });
    for (const f of r.failed) console.log(`FAILED ${f.target}: ${f.error}`);
    console.log(
        `push ${r.failed.length ? "incomplete" : "done"}: ${r.copied.length} copied, ${r.skipped.length} already present, ${r.failed.length} failed (registry ${registry.server})`,
    );
    const attached = imageArtifacts(manifest).filter((a) => a.attached);
    if (attached.length) {
        console.log(`upstream ${attachmentSummary(attached.map((a) => a.attached?.kind))} pushed beside their images`);
    }
    if (r.failed.length) return 1;
    // Written only after a complete push: a deploy script reading them must find every image.
    retagged.forEach((f, i) => fs.writeFileSync(f, texts[i]));
    for (const f of retagged) console.log(`private references written to ${f}`);
    return 0;
}

runCli("push", main);
