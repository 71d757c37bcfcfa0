/**
 * Checking upstream signatures on the bastion before anything crosses (issue 25 §11, as Hauler's `--key` and
 * `--certificate-identity`/`--certificate-oidc-issuer` do): each image whose reference matches a rule of
 * `bundle.verifyUpstream` must carry a signature cosign accepts, with the rule's public key or keyless identity and
 * issuer, for exactly the digest the bundle carries. cosign itself checks (COSIGN, else `cosign` on the PATH), against
 * the image's registry through its mirror; `trustedRoot` (Sigstore's trusted_root.json) is passed when set, which
 * is also what the bundle carries so `cosign verify --trusted-root` works inside.
 */
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { mapLimit } from "../lib/async";
import { parseImageRef } from "../lib/imageref";
import type { ImageArtifact } from "./manifest";
import { pullReference } from "./pull";

/** One rule of `bundle.verifyUpstream`: which images, and what must have signed them. */
export interface UpstreamRule {
    /** Image references this rule covers: `*` matches any run of characters (e.g. `quay.io/ceph/*`). */
    images: string;
    /** PEM public key the signature must verify with. */
    key?: string;
    /** Keyless: the signing certificate's identity (cosign `--certificate-identity`). */
    identity?: string;
    /** Keyless: the OIDC issuer of that identity (cosign `--certificate-oidc-issuer`). */
    issuer?: string;
    /**
     * Accept signatures without a transparency-log entry (cosign `--insecure-ignore-tlog`), for vendors that sign
     * privately. @default false
     */
    insecureIgnoreTlog?: boolean;
}

/** What {@link verifyUpstream} needs. */
export interface UpstreamVerifyOptions {
    rules: UpstreamRule[];
    /** Sigstore trusted root (trusted_root.json) handed to cosign; unset: cosign's own (TUF, online). */
    trustedRoot?: string;
    upstreamMirrors?: Record<string, string>;
    upstreamTlsVerify?: boolean;
    /** Checks at once. @default 4 */
    parallel?: number;
    note?: (line: string) => void;
}

/** The rule (and its index, for the error) covering `source`, the first that matches; undefined when none does. */
export function ruleFor(rules: UpstreamRule[], source: string): { rule: UpstreamRule; at: number } | undefined {
    const at = rules.findIndex((r) => globRegExp(r.images).test(source));
    return at < 0 ? undefined : { rule: rules[at], at };
}

/** `*` as any run of characters, everything else literal, anchored. */
function globRegExp(glob: string): RegExp {
    return new RegExp(
        `^${glob
            .split("*")
            .map((p) => p.replace(/[.+?^${}()|[\]\\/]/g, "\\$&"))
            .join(".*")}$`,
    );
}

/** cosign's arguments for one image by digest under `rule`; `keyFile` holds the rule's key. */
export function cosignVerifyArgs(
    rule: UpstreamRule,
    ref: string,
    o: Pick<UpstreamVerifyOptions, "trustedRoot" | "upstreamTlsVerify">,
    keyFile?: string,
): string[] {
    const args = ["verify", "--output", "json"];
    if (keyFile) args.push("--key", keyFile);
    else args.push("--certificate-identity", rule.identity!, "--certificate-oidc-issuer", rule.issuer!);
    if (o.trustedRoot) args.push("--trusted-root", o.trustedRoot);
    if (rule.insecureIgnoreTlog) args.push("--insecure-ignore-tlog=true");
    if (o.upstreamTlsVerify === false) args.push("--allow-insecure-registry", "--allow-http-registry");
    return [...args, ref];
}

/** Runs cosign; resolves with its exit code and output. */
function cosign(args: string[], env: NodeJS.ProcessEnv) {
    const bin = process.env.COSIGN ?? "cosign";
    return new Promise<{ code: number; out: string }>((resolve, reject) => {
        execFile(bin, args, { env, maxBuffer: 16 << 20 }, (e, stdout, stderr) => {
            if (e && (e as NodeJS.ErrnoException).code === "ENOENT") {
                reject(
                    new Error(
                        `bundle.verifyUpstream needs cosign on the bastion: install it (or point COSIGN at it), or remove the rules`,
                    ),
                );
                return;
            }
            resolve({ code: e ? Number(e.code ?? 1) : 0, out: `${stdout}${stderr}` });
        });
    });
}

/**
 * Verifies every image a rule covers (attachments themselves are not images to verify) at the digest the bundle
 * carries; throws naming each image that failed, its rule and cosign's reason. Returns how many were verified.
 */
export async function verifyUpstream(o: UpstreamVerifyOptions, images: ImageArtifact[]): Promise<number> {
    const covered = images.flatMap((a) => {
        const r = a.attached ? undefined : ruleFor(o.rules, a.source);
        return r ? [{ a, ...r }] : [];
    });
    if (!covered.length) return 0;
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "aihub-upstream-verify-"));
    // cosign keeps its TUF cache under TUF_ROOT; a private one leaves the admin's untouched.
    const env = { ...process.env, TUF_ROOT: process.env.TUF_ROOT ?? path.join(tmp, "tuf") };
    try {
        const failed = await mapLimit(covered, o.parallel ?? 4, async ({ a, rule, at }) => {
            let keyFile: string | undefined;
            if (rule.key) {
                keyFile = path.join(tmp, `rule-${at}.pub`);
                fs.writeFileSync(keyFile, rule.key);
            }
            const from = parseImageRef(pullReference(a.source, o.upstreamMirrors));
            const ref = `${from.host}/${from.path}@${a.digest}`;
            const r = await cosign(cosignVerifyArgs(rule, ref, o, keyFile), env);
            if (r.code === 0) {
                o.note?.(`verified the upstream signature of ${a.source} (${a.digest}), bundle.verifyUpstream[${at}]`);
                return undefined;
            }
            const why = r.out.trim().split("\n").filter(Boolean).pop() ?? `exit code ${r.code}`;
            return `${a.source} (${a.digest}): no signature that bundle.verifyUpstream[${at}] (${rule.images}) accepts: ${why}`;
        });
        const bad = failed.filter((f): f is string => f !== undefined);
        if (bad.length) {
            throw new Error(
                `upstream signatures not verified, nothing is carried unchecked:\n  ${bad.join("\n  ")}\nfix the rule's key or identity, or remove the image from the rule's pattern`,
            );
        }
        return covered.length;
    } finally {
        fs.rmSync(tmp, { recursive: true, force: true });
    }
}
