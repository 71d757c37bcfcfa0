/**
 * PEM certificates and keys parsed for real (X.509 via node:crypto) with bounded sizes and a line scanner instead of
 * a regular expression. The private key never appears in a message.
 */
import { createPrivateKey, X509Certificate, type KeyObject } from "node:crypto";
import { rootCertificates } from "node:tls";

/** Largest certificate field accepted (a full chain is a few KiB). */
export const MAX_PEM_BYTES = 64 * 1024;
/** Most certificates one field may hold. */
export const MAX_PEM_CERTIFICATES = 16;
/** Largest private key accepted (an RSA 8192 key is about 6.5 KiB). */
export const MAX_KEY_BYTES = 16 * 1024;

const BASE64_LINE = /^[A-Za-z0-9+/]*={0,2}$/;
const kib = (n: number) => `${Math.ceil(n / 1024)} KiB`;

/** The certificates of a PEM field, or what is wrong with it (one sentence with the fix). */
export type PemResult = { certs: X509Certificate[] } | { error: string };

const cache = new Map<string, PemResult>();

/**
 * Parses a certificate field: only `CERTIFICATE` blocks and blank lines, at most {@link MAX_PEM_BYTES} (checked
 * before anything else is read) and {@link MAX_PEM_CERTIFICATES} blocks. `keyHome` is the secret key a private key
 * pasted here belongs in, if any.
 */
export function parseCertificates(text: string, keyHome?: string): PemResult {
    if (text.length > MAX_PEM_BYTES) {
        return {
            error: `is ${kib(text.length)}, more than the ${kib(MAX_PEM_BYTES)} a certificate field may hold (give only the PEM certificate chain)`,
        };
    }
    const hit = cache.get(`${keyHome}\n${text}`);
    if (hit) return hit;
    const result = scan(text, keyHome);
    cache.set(`${keyHome}\n${text}`, result);
    return result;
}

function scan(text: string, keyHome: string | undefined): PemResult {
    const certs: X509Certificate[] = [];
    let label: string | undefined;
    let body: string[] = [];
    const lines = text.split("\n");
    for (let i = 0; i < lines.length; i++) {
        const line = lines[i].trim();
        if (label === undefined) {
            if (line === "") continue;
            if (!line.startsWith("-----BEGIN ") || !line.endsWith("-----")) {
                return {
                    error: `line ${i + 1} is not part of a PEM block (paste the -----BEGIN CERTIFICATE----- blocks only)`,
                };
            }
            label = line.slice(11, -5);
            if (label.includes("PRIVATE KEY")) {
                const home = keyHome
                    ? `it belongs in the secret ${keyHome}: remove it here and run pulumi config set --secret --path ${keyHome} < key.pem`
                    : "remove it: a private key must never be in a plain config value";
                return { error: `holds a private key (${home})` };
            }
            if (label !== "CERTIFICATE") {
                return {
                    error: `holds a "${label}" block, not a certificate (paste -----BEGIN CERTIFICATE----- blocks only)`,
                };
            }
            body = [];
        } else if (line === `-----END ${label}-----`) {
            if (certs.length === MAX_PEM_CERTIFICATES) {
                return { error: `holds more than ${MAX_PEM_CERTIFICATES} certificates (give only the chain)` };
            }
            const n = certs.length + 1;
            if (body.length === 0) return { error: `certificate ${n} is empty (paste the whole PEM block)` };
            try {
                certs.push(new X509Certificate(Buffer.from(body.join(""), "base64")));
            } catch {
                return { error: `certificate ${n} is not a valid X.509 certificate (export it again as PEM)` };
            }
            label = undefined;
        } else if (BASE64_LINE.test(line)) {
            body.push(line);
        } else {
            return {
                error: `line ${i + 1} inside certificate ${certs.length + 1} is not base64 (export it again as PEM)`,
            };
        }
    }
    if (label !== undefined)
        return { error: `certificate ${certs.length + 1} has no -----END line (paste the whole block)` };
    if (certs.length === 0) return { error: "holds no certificate (paste the -----BEGIN CERTIFICATE----- block)" };
    return { certs };
}

/** Parses a PEM private key, or says why it is not one (without echoing it). */
export function parsePrivateKey(text: string, at: string): { key: KeyObject } | { error: string } {
    if (text.length > MAX_KEY_BYTES) {
        return {
            error: `is ${kib(text.length)}, more than the ${kib(MAX_KEY_BYTES)} a private key may be (set the key file)`,
        };
    }
    // OpenSSL reports a missing passphrase as "interrupted or cancelled"; the PEM itself says it is encrypted.
    if (text.includes("-----BEGIN ENCRYPTED PRIVATE KEY-----") || text.includes("Proc-Type: 4,ENCRYPTED")) {
        return {
            error: `is encrypted, and the proxy gets no passphrase (decrypt it with openssl pkey -in key.pem -out plain.pem, then pulumi config set --secret --path ${at} < plain.pem)`,
        };
    }
    try {
        return { key: createPrivateKey({ key: text, format: "pem" }) };
    } catch {
        return { error: `is not a PEM private key (pulumi config set --secret --path ${at} < key.pem)` };
    }
}

let publicRoots: X509Certificate[] | undefined;

/** Node's bundled Mozilla root certificates, parsed once. */
export function bundledRoots(): X509Certificate[] {
    publicRoots ??= rootCertificates.map((pem) => new X509Certificate(pem));
    return publicRoots;
}
