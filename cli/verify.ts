/**
 * `npm run verify -- <dir> [--into <dir>] [--key <pub.pem>] [--require-signature]`: inside the gap, checks a bundle
 * before anything is pushed; with `--key`, the signature of bundle.json first. A directory
 * of split parts (`SHA256SUMS` + `bundle.tar.part-NNN`) is checked part by part, unpacked (into the stack's
 * `bundle.path` relative to the current directory, as `unpack.json` records it, unless `--into`), then verified.
 * Exits 1 naming every bad artifact, 2 on bad usage. Bundled into `verify.cjs` (pipeline/offline-verifier.ts), it
 * runs on a fresh checkout before `npm ci --offline`: keep its imports free of anything but Node.js and zod.
 */
import * as path from "node:path";
import { formatBytes } from "../pipeline/progress";
import { checkParts, isSplit, joinParts, readUnpackHint } from "../pipeline/split";
import { signatureCheckOf, type SignatureResult } from "../pipeline/signing";
import { verifyBundle } from "../pipeline/verify";
import { parseCli, runCli } from "./run";

const USAGE =
    "usage: npm run verify -- <bundle dir | parts dir> [--into <dir>] [--key <pub.pem>] [--require-signature]   (before npm ci: node <dir>/verify.cjs <dir>)";

/** How the summary line states the signature. */
function signatureNote(s: SignatureResult): string {
    if (s.state === "verified") return `signature ok (key ${s.key})`;
    return s.state === "unsigned" ? "unsigned" : `signed, signature not checked (pass --key <pub.pem>)`;
}

async function main(): Promise<number> {
    const parsed = parseCli(USAGE, {
        allowPositionals: true,
        options: {
            into: { type: "string" },
            key: { type: "string" },
            "require-signature": { type: "boolean" },
            help: { type: "boolean", short: "h" },
        },
    });
    if (!parsed) return 2;
    const { values, positionals } = parsed;
    if (values.help || positionals.length !== 1) {
        console.error(USAGE);
        return values.help ? 0 : 2;
    }
    const sig = signatureCheckOf(values);
    if ("error" in sig) return (console.error(`${sig.error}\n${USAGE}`), 2);
    let dir = path.resolve(positionals[0]);
    if (isSplit(dir)) {
        const bad = await checkParts(dir);
        for (const p of bad) console.log(`BAD ${p.artifact}: ${p.text}`);
        if (bad.length) {
            console.log(`verify failed: ${bad.length} bad part(s); copy them again`);
            return 1;
        }
        const hint = values.into ? undefined : readUnpackHint(dir);
        const into = path.resolve(values.into ?? hint?.into ?? path.join(dir, "bundle"));
        const why = hint ? ` (bundle.path of stack ${hint.stack}, from ${process.cwd()})` : "";
        console.log(`parts ok; unpacking into ${into}${why}`);
        await joinParts(dir, into);
        dir = into;
    }
    const r = await verifyBundle(dir, 4, sig);
    for (const p of r.problems) console.log(`BAD ${p.artifact}: ${p.text}`);
    if (r.problems.length) {
        console.log(`verify failed: ${r.problems.length} problem(s) in ${dir}`);
        return 1;
    }
    const n = r.manifest!.artifacts.length;
    console.log(
        `bundle ok: ${dir}: ${n} artifacts, ${r.checked} files and blobs (${formatBytes(r.bytes)}) checked; ${signatureNote(r.signature!)}`,
    );
    return 0;
}

runCli("verify", main);
