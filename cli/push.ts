/**
 * `npm run push -- <dir> --stack <name> [--password-stdin] [--parallel N] [--insecure-tls]`: verifies the bundle
 * (signature, checkout, every file), then pushes exactly what was verified into the stack's registry (server, user
 * and CA from the stack file; the password from stdin or AIHUB_REGISTRY_PASSWORD, since the stack file holds it
 * encrypted). The signature is checked with `--key <pub.pem>` or the stack's `bundle.publicKey`; a signed bundle
 * without either is refused unless `--insecure`. A bundle created before the last one pushed to the registry is
 * refused unless `--allow-older`. `--retagged <file>` (one per `bundle --images-from` list, same order) writes that
 * list's private references. Exits 1 when anything failed (re-run to complete), 2 on bad usage.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { retaggedTexts } from "../pipeline/image-list";
import { attachmentSummary } from "../pipeline/attached";
import { imageArtifacts } from "../pipeline/manifest";
import { lastPush, recordPush, rollbackProblem } from "../pipeline/push-record";
import { pushBundle } from "../pipeline/push";
import { isSplit } from "../pipeline/split";
import { stackBundleKey, stackRegistry } from "../pipeline/stack";
import { signatureCheckOf } from "../pipeline/signing";
import { verifyBundle } from "../pipeline/verify";
import { checkoutRoot } from "../lib/checkout";
import { parseCli, runCli } from "./run";

const USAGE =
    "usage: npm run push -- <bundle dir> --stack <name> [--password-stdin] [--parallel 4] [--key <pub.pem> [--require-signature] | --insecure] [--allow-older] [--insecure-tls] [--retagged <file>]... [--dir <project dir>]";

async function main(): Promise<number> {
    const parsed = parseCli(USAGE, {
        allowPositionals: true,
        options: {
            stack: { type: "string", short: "s" },
            dir: { type: "string" },
            "password-stdin": { type: "boolean" },
            parallel: { type: "string" },
            insecure: { type: "boolean" },
            "allow-older": { type: "boolean" },
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
    const projectDir = path.resolve(args.dir ?? checkoutRoot());
    const registry = stackRegistry(projectDir, args.stack);
    const sig = signatureCheckOf(args, stackBundleKey(projectDir, args.stack));
    if ("error" in sig) return (console.error(`${sig.error}\n${USAGE}`), 2);
    const password = args["password-stdin"]
        ? fs.readFileSync(0, "utf8").replace(/\r?\n$/, "")
        : process.env.AIHUB_REGISTRY_PASSWORD;
    if (!password) {
        console.error("no registry password: set AIHUB_REGISTRY_PASSWORD or pipe it with --password-stdin");
        return 2;
    }
    const v = await verifyBundle(dir, 4, sig, projectDir);
    for (const p of v.problems) console.log(`BAD ${p.artifact}: ${p.text}`);
    if (v.problems.length) {
        console.log(`push refused: the bundle failed verification (${v.problems.length} problem(s)); nothing pushed`);
        return 1;
    }
    // From here on only what was verified is used: this manifest, and the manifest bytes verify walked.
    const manifest = v.manifest!;
    const key = v.signature?.state === "verified" ? `signed by ${v.signature.key}` : v.signature?.state;
    console.log(`bundle verified: ${v.checked} files and blobs; created ${manifest.created}; ${key}`);
    const rollback = rollbackProblem(manifest.created, lastPush(projectDir, registry.server));
    if (rollback && !args["allow-older"]) {
        console.log(`push refused: ${rollback}`);
        return 1;
    }
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
        images: v.images,
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
    recordPush(projectDir, registry.server, {
        created: manifest.created,
        bundleSha256: v.manifestSha256!,
        stack: manifest.stack,
    });
    // Written only after a complete push: a deploy script reading them must find every image.
    retagged.forEach((f, i) => fs.writeFileSync(f, texts[i]));
    for (const f of retagged) console.log(`private references written to ${f}`);
    return 0;
}

runCli("push", main);
