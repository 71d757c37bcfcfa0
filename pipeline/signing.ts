/**
 * The bundle's signature: `bundle.json.sig` next to `bundle.json`, in cosign's `sign-blob` format (base64 of the
 * ASN.1 DER ECDSA signature over the SHA-256 of the file), so `cosign verify-blob --key` checks it too. bundle.json
 * names every artifact's digest, so signing it covers them all. Node.js only: verify.cjs bundles this file.
 */
import * as crypto from "node:crypto";
import * as fs from "node:fs";

/** The signature file inside a bundle directory. */
export const SIGNATURE_FILE = "bundle.json.sig";
/**
 * The same signature as a Sigstore bundle (protobuf-specs `Bundle` v0.3 in JSON: the key's hint, the SHA-256 of
 * bundle.json and the signature), the format cosign v3 writes and reads by default and v2.6 with
 * `--new-bundle-format`: `cosign verify-blob --key pub.pem --bundle bundle.json.sigstore.json --new-bundle-format
 * --trusted-root trusted_root.json --insecure-ignore-tlog bundle.json` (no transparency log: nothing leaves the
 * site where the bundle is made).
 */
export const SIGSTORE_BUNDLE_FILE = "bundle.json.sigstore.json";
/** The Sigstore bundle media type written. */
export const SIGSTORE_BUNDLE_MEDIA_TYPE = "application/vnd.dev.sigstore.bundle.v0.3+json";

/** The environment variable holding the passphrase of an encrypted signing key. */
export const KEY_PASSWORD_ENV = "AIHUB_SIGN_KEY_PASSWORD";

/** True for a PEM private key that needs a passphrase (PKCS#8 `ENCRYPTED PRIVATE KEY` or legacy `Proc-Type`). */
export function isEncryptedPem(pem: string): boolean {
    return /-----BEGIN ENCRYPTED PRIVATE KEY-----|Proc-Type:\s*4,ENCRYPTED/.test(pem);
}

/** Why a key is not ECDSA P-256 (the curve cosign's keys use), or undefined. */
function curveProblem(key: crypto.KeyObject): string | undefined {
    if (key.asymmetricKeyType !== "ec") return `is a ${key.asymmetricKeyType} key, not ECDSA P-256`;
    const curve = key.asymmetricKeyDetails?.namedCurve;
    return curve === "prime256v1" ? undefined : `is an ECDSA key on ${curve}, not P-256`;
}

/**
 * Reads a PEM ECDSA P-256 private key (PKCS#8 or SEC1, encrypted or not); `file` only names it in errors.
 * Throws without ever printing the passphrase.
 */
export function loadSigningKey(pem: string, file: string, passphrase?: string): crypto.KeyObject {
    if (isEncryptedPem(pem) && !passphrase) {
        throw new Error(
            `${file} is encrypted: set ${KEY_PASSWORD_ENV} or pipe the passphrase with --sign-key-password-stdin`,
        );
    }
    let key: crypto.KeyObject;
    try {
        key = crypto.createPrivateKey({ key: pem, format: "pem", passphrase });
    } catch (e) {
        const why = isEncryptedPem(pem) ? "wrong passphrase, or not a PEM private key" : "not a PEM private key";
        throw new Error(`${file}: ${why} (${(e as { code?: string }).code ?? (e as Error).message})`);
    }
    const bad = curveProblem(key);
    if (bad) throw new Error(`${file} ${bad}: make one with openssl ecparam -name prime256v1 -genkey`);
    return key;
}

/** Reads a PEM public key (PKIX, as `cosign generate-key-pair` and `openssl ec -pubout` write it). */
export function loadPublicKey(pem: string, file: string): crypto.KeyObject {
    let key: crypto.KeyObject;
    try {
        key = crypto.createPublicKey({ key: pem, format: "pem" });
    } catch (e) {
        throw new Error(`${file}: not a PEM public key (${(e as { code?: string }).code ?? (e as Error).message})`);
    }
    const bad = curveProblem(key);
    if (bad) throw new Error(`${file} ${bad}`);
    return key;
}

/** `sha256:<hex>` of a key's public part (SPKI DER): what bundle and verify print so people can compare keys. */
export function keyFingerprint(key: crypto.KeyObject): string {
    const pub = key.type === "private" ? crypto.createPublicKey(key) : key;
    return `sha256:${crypto
        .createHash("sha256")
        .update(pub.export({ type: "spki", format: "der" }))
        .digest("hex")}`;
}

/** The signature file's text for `data`: base64 of the DER ECDSA signature over SHA-256, as `cosign sign-blob`. */
export function signBlob(data: Buffer, key: crypto.KeyObject): string {
    return crypto.sign("sha256", data, key).toString("base64");
}

/** The Sigstore bundle text for `data` signed with `key` ({@link SIGSTORE_BUNDLE_FILE}). */
export function sigstoreBundle(data: Buffer, key: crypto.KeyObject): string {
    const pub = crypto.createPublicKey(key).export({ type: "spki", format: "der" });
    return JSON.stringify({
        mediaType: SIGSTORE_BUNDLE_MEDIA_TYPE,
        // cosign's hint for a key: base64 of the SHA-256 of its DER public key.
        verificationMaterial: { publicKey: { hint: crypto.createHash("sha256").update(pub).digest("base64") } },
        messageSignature: {
            messageDigest: { algorithm: "SHA2_256", digest: crypto.createHash("sha256").update(data).digest("base64") },
            signature: signBlob(data, key),
        },
    });
}

/**
 * The signature (base64, as in bundle.json.sig) a Sigstore bundle holds for `data`, or the problem: not a message
 * signature bundle, or signed over other bytes than bundle.json's.
 */
export function sigstoreSignature(text: string, data: Buffer): { signature: string } | { problem: string } {
    let doc: {
        mediaType?: unknown;
        messageSignature?: { messageDigest?: { algorithm?: unknown; digest?: unknown }; signature?: unknown };
    };
    try {
        doc = JSON.parse(text) as typeof doc;
    } catch {
        return { problem: "not JSON: copy the bundle again" };
    }
    if (typeof doc.mediaType !== "string" || !doc.mediaType.startsWith("application/vnd.dev.sigstore.bundle"))
        return { problem: `not a Sigstore bundle (mediaType ${String(doc.mediaType)})` };
    const m = doc.messageSignature;
    if (!m || typeof m.signature !== "string")
        return { problem: "holds no message signature (a signature of a file, as cosign sign-blob writes)" };
    const digest = crypto.createHash("sha256").update(data).digest("base64");
    if (m.messageDigest?.algorithm !== "SHA2_256" || m.messageDigest.digest !== digest)
        return {
            problem: "was made for other bytes than this bundle.json (its SHA-256 differs): do not use this bundle",
        };
    return { signature: m.signature };
}

/** Length of a DER element at `at` (short or long form), or undefined when it runs past `end`. */
function derElement(b: Buffer, at: number, end: number): { body: number; next: number } | undefined {
    if (at + 2 > end) return undefined;
    let len = b[at + 1];
    let body = at + 2;
    if (len & 0x80) {
        const n = len & 0x7f;
        if (n < 1 || n > 2 || body + n > end) return undefined;
        len = n === 1 ? b[body] : b.readUInt16BE(body);
        body += n;
    }
    return body + len <= end ? { body, next: body + len } : undefined;
}

/** True when `der` is exactly one SEQUENCE of two INTEGERs (r, s): a whole ECDSA signature, not a cut one. */
export function isDerEcdsaSignature(der: Buffer): boolean {
    if (der[0] !== 0x30) return false;
    const seq = derElement(der, 0, der.length);
    if (!seq || seq.next !== der.length) return false;
    let at = seq.body;
    for (let i = 0; i < 2; i++) {
        if (der[at] !== 0x02) return false;
        const int = derElement(der, at, der.length);
        if (!int || int.next === int.body) return false;
        at = int.next;
    }
    return at === der.length;
}

/** Why the signature text does not prove `data` was signed by `key` (what to do included), or undefined. */
export function signatureProblem(data: Buffer, sigText: string, key: crypto.KeyObject): string | undefined {
    const b64 = sigText.trim();
    const der = Buffer.from(b64, "base64");
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(b64) || b64.length % 4 !== 0 || !isDerEcdsaSignature(der)) {
        return "not a whole signature (truncated or garbled; cosign sign-blob's base64 expected): copy the bundle again";
    }
    if (crypto.verify("sha256", data, key, der)) return undefined;
    return `does not match bundle.json for key ${keyFingerprint(key)}: signed by another key, or bundle.json was changed after signing; do not use this bundle`;
}

/** What verify checks of the signature. */
export interface SignatureCheck {
    /** The public key bundle.json must be signed with. @default none: the signature is not checked */
    key?: crypto.KeyObject;
    /** A signature that is not checked (no key, or no signature file) is a problem. @default false */
    require?: boolean;
    /** Accept a signed bundle without checking its signature (no key at hand). @default false: refused */
    insecure?: boolean;
}

/**
 * The signature check the `--key <pub.pem>` and `--require-signature` options ask for (verify, push), or the usage
 * error to print.
 */
export function signatureCheckOf(
    o: { key?: string; "require-signature"?: boolean; insecure?: boolean },
    /** The stack's `bundle.publicKey` (PEM), used when no `--key` is given. */
    stackKey?: string,
): SignatureCheck | { error: string } {
    if (o.insecure && (o.key || o["require-signature"])) {
        return { error: "--insecure skips the signature check that --key and --require-signature ask for: drop one" };
    }
    if (o.insecure) return { insecure: true };
    if (!o.key && stackKey) return { key: loadPublicKey(stackKey, "bundle.publicKey"), require: true };
    if (o["require-signature"] && !o.key) {
        return { error: "--require-signature needs --key <pub.pem>, the public key the bundle must be signed with" };
    }
    if (!o.key) return {};
    if (!fs.existsSync(o.key)) return { error: `--key ${o.key}: no such file` };
    return { key: loadPublicKey(fs.readFileSync(o.key, "utf8"), o.key), require: o["require-signature"] };
}

/** The signature's state after {@link checkBundleSignature}; `problem` set means verify must stop. */
export interface SignatureResult {
    state: "verified" | "not checked" | "unsigned";
    /** Fingerprint of the key that signed it, when verified. */
    key?: string;
    problem?: string;
}

/** Checks `sigText` (the signature file's text, undefined when there is none) against bundle.json's bytes. */
export function checkBundleSignature(data: Buffer, sigText: string | undefined, c: SignatureCheck): SignatureResult {
    const state = sigText === undefined ? "unsigned" : "not checked";
    if (!c.key) {
        if (c.require) return { state, problem: "no public key to check it with: pass --key <pub.pem>" };
        if (sigText !== undefined && !c.insecure) {
            return {
                state,
                problem:
                    "the bundle is signed but no public key was given to check it: pass --key <pub.pem> (push: or set bundle.publicKey in the stack), or --insecure to use it unchecked",
            };
        }
        return { state };
    }
    if (sigText === undefined) {
        return { state, problem: "missing: the bundle is not signed (sign it with bundle --sign-key <key.pem>)" };
    }
    const problem = signatureProblem(data, sigText, c.key);
    return problem ? { state, problem } : { state: "verified", key: keyFingerprint(c.key) };
}
