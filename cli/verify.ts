/**
 * `npm run verify -- <dir> [--into <dir>] [--key <pub.pem>] [--require-signature] [--insecure] [--checkout <dir>]`:
 * inside the gap, checks a bundle before anything is pushed: the signature of bundle.json first (a signed bundle
 * without `--key` is refused unless `--insecure`), the checkout it runs from (default: the current directory), then
 * every file. A directory of split parts (`SHA256SUMS` + `bundle.tar.part-NNN`) has its signed SHA256SUMS checked
 * first, then the parts are hashed while they are unpacked in this process into `--into` (default `./bundle`), a
 * new or empty folder; then the bundle is verified. Exits 1 naming every bad artifact, 2 on bad usage. Bundled into
 * `verify.cjs` (pipeline/offline-verifier.ts), it runs on a fresh checkout before `npm ci --offline`: keep its
 * imports free of anything but Node.js and zod.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { formatBytes } from "../pipeline/progress";
import {
    isSplit,
    listedParts,
    parseSums,
    PartMismatch,
    SUMS_FILE,
    SUMS_SIG_FILE,
    sumsSignatureProblem,
    unpackParts,
} from "../pipeline/split";
import { signatureCheckOf, type SignatureCheck, type SignatureResult } from "../pipeline/signing";
import { verifyBundle } from "../pipeline/verify";
import { parseCli, runCli } from "./run";

const USAGE =
    "usage: npm run verify -- <bundle dir | parts dir> [--into <new or empty dir>] [--key <pub.pem>] [--require-signature] [--insecure] [--checkout <project dir>]   (before npm ci: node <dir>/verify.cjs <dir>)";

/** How the summary line states the signature. */
function signatureNote(s: SignatureResult): string {
    if (s.state === "verified") return `signature ok (key ${s.key})`;
    return s.state === "unsigned" ? "unsigned" : `signed, signature NOT checked (--insecure)`;
}

/** Checks the parts' SHA256SUMS and its signature; unpacks them into `into`. Returns the problems. */
async function unpack(dir: string, into: string, sig: SignatureCheck): Promise<string[]> {
    const sumsFile = path.join(dir, SUMS_FILE);
    const st = fs.lstatSync(sumsFile);
    if (!st.isFile() || st.size > 1 << 20) return [`${SUMS_FILE}: not a regular file of at most 1 MiB`];
    const text = fs.readFileSync(sumsFile, "utf8");
    const signed = fs.existsSync(path.join(dir, SUMS_SIG_FILE));
    if (sig.key) {
        const bad = sumsSignatureProblem(dir, text, sig.key);
        if (bad) return [`${SUMS_SIG_FILE}: ${bad}`];
    } else if (sig.require) return [`${SUMS_SIG_FILE}: no public key to check it with: pass --key <pub.pem>`];
    else if (signed && !sig.insecure) {
        return [
            `${SUMS_SIG_FILE}: the parts are signed but no public key was given to check them: pass --key <pub.pem>, or --insecure to use them unchecked`,
        ];
    }
    let sums;
    try {
        sums = parseSums(text);
    } catch (e) {
        return [(e as Error).message];
    }
    const { parts, problems } = listedParts(dir, sums);
    if (problems.length) return problems.map((p) => `${p.artifact}: ${p.text}`);
    console.log(
        `${SUMS_FILE} ${sig.key ? "signature ok" : "not signed"}; unpacking ${parts.length} part(s) into ${into}`,
    );
    try {
        await unpackParts(dir, parts, into);
    } catch (e) {
        const text = (e as Error).message;
        return [e instanceof PartMismatch ? `part ${e.part}: ${text}` : text];
    }
    return [];
}

async function main(): Promise<number> {
    const parsed = parseCli(USAGE, {
        allowPositionals: true,
        options: {
            into: { type: "string" },
            key: { type: "string" },
            "require-signature": { type: "boolean" },
            insecure: { type: "boolean" },
            checkout: { type: "string" },
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
        const into = path.resolve(values.into ?? "bundle");
        const bad = await unpack(dir, into, sig);
        for (const p of bad) console.log(`BAD ${p}`);
        if (bad.length) {
            console.log(`verify failed: the parts were not unpacked (${bad.length} problem(s)); copy them again`);
            return 1;
        }
        dir = into;
    } else if (values.into) {
        console.error(`--into is for a directory of split parts; ${dir} holds a bundle\n${USAGE}`);
        return 2;
    }
    const r = await verifyBundle(dir, 4, sig, values.checkout ? path.resolve(values.checkout) : undefined);
    for (const p of r.problems) console.log(`BAD ${p.artifact}: ${p.text}`);
    if (r.problems.length) {
        console.log(`verify failed: ${r.problems.length} problem(s) in ${dir}`);
        return 1;
    }
    const m = r.manifest!;
    const co = m.checkout ? `; checkout ${m.checkout.commit.slice(0, 12)} unchanged` : "; no checkout recorded";
    console.log(
        `bundle ok: ${dir}: ${m.artifacts.length} artifacts, ${r.checked} files and blobs (${formatBytes(r.bytes)}) checked; created ${m.created}${co}; ${signatureNote(r.signature!)}`,
    );
    return 0;
}

runCli("verify", main);
