/**
 * Certificates in config, parsed for real (X.509 via node:crypto) with bounded sizes and a line scanner instead of a
 * regular expression, and the checks that decide whether sign-in can work: the ingress certificate covers
 * `aihub.domain`, its chain is in order, its key matches, and a certificate that no public root vouches for comes
 * with the CA AI Hub must trust (mode `https-custom-ca`). The private key never appears in a message.
 */
import { createPrivateKey, X509Certificate, type KeyObject } from "node:crypto";
import { rootCertificates } from "node:tls";
import type { Problem } from "../lib/problems";
import { certMode } from "./schema";
import type { CoreConfig } from "./schema";
import { SECRET_PLACEHOLDER } from "./stackfile";

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

/** True when `cert` is one of `cas` or was issued (name and signature) by one of them. */
function anchoredBy(cert: X509Certificate, cas: readonly X509Certificate[]): boolean {
    return cas.some(
        (ca) => ca.fingerprint256 === cert.fingerprint256 || (cert.checkIssued(ca) && cert.verify(ca.publicKey)),
    );
}

function expiry(at: string, certs: readonly X509Certificate[], now: Date, errors: Problem[], warnings: Problem[]) {
    certs.forEach((c, i) => {
        const which = certs.length > 1 ? `certificate ${i + 1} (${c.subject.replace(/\n/g, ", ")})` : "the certificate";
        if (new Date(c.validTo) < now) errors.push({ path: at, text: `${which} expired on ${c.validTo} (renew it)` });
        else if (new Date(c.validFrom) > now) {
            warnings.push({ path: at, text: `${which} is not valid before ${c.validFrom} (check the clocks)` });
        }
    });
}

/** Inputs of {@link checkTls}. */
export interface TlsInput {
    aihub?: Pick<CoreConfig["aihub"], "domain">;
    ingress?: Pick<CoreConfig["ingress"], "mode" | "tlsCert" | "caCert">;
    /** The `ingress.tlsKey` value as loaded (decrypted under Pulumi; the placeholder under `plan`). */
    tlsKey?: unknown;
    /** Roots a public certificate chains to. @default Node's bundled Mozilla roots */
    roots?: readonly X509Certificate[];
    /** @default the current time */
    now?: Date;
}

/** Cross-field TLS checks of a parsed config. */
export function checkTls(i: TlsInput): { errors: Problem[]; warnings: Problem[] } {
    const errors: Problem[] = [];
    const warnings: Problem[] = [];
    const { aihub } = i;
    // Gateway mode is checked as the mode AI Hub then runs in (https, or https-custom-ca with ingress.caCert).
    const ingress = i.ingress && { ...i.ingress, mode: certMode(i.ingress.mode, i.ingress.caCert !== undefined) };
    if (!ingress || ingress.mode === "http" || !ingress.tlsCert) return { errors, warnings };
    const parsed = parseCertificates(ingress.tlsCert, "ingress.tlsKey");
    if (!("certs" in parsed)) return { errors, warnings }; // reported by the schema
    const chain = parsed.certs;
    const leaf = chain[0];
    const now = i.now ?? new Date();
    expiry("ingress.tlsCert", chain, now, errors, warnings);
    if (aihub && leaf.checkHost(aihub.domain, { subject: "never" }) === undefined) {
        errors.push({
            path: "ingress.tlsCert",
            text: `does not cover aihub.domain ${aihub.domain} (its names: ${leaf.subjectAltName ?? "none"}; issue a certificate whose subjectAltName has DNS:${aihub.domain} or a wildcard that matches it)`,
        });
    }
    for (let n = 0; n + 1 < chain.length; n++) {
        if (!chain[n].checkIssued(chain[n + 1]) || !chain[n].verify(chain[n + 1].publicKey)) {
            errors.push({
                path: "ingress.tlsCert",
                text: `certificate ${n + 2} did not issue certificate ${n + 1} (order the chain: server certificate first, then each issuer)`,
            });
        }
    }
    if (typeof i.tlsKey === "string" && i.tlsKey !== SECRET_PLACEHOLDER) {
        const key = parsePrivateKey(i.tlsKey, "ingress.tlsKey");
        if ("error" in key) errors.push({ path: "ingress.tlsKey", text: key.error });
        else if (!leaf.checkPrivateKey(key.key)) {
            errors.push({
                path: "ingress.tlsKey",
                text: "does not belong to the first certificate of ingress.tlsCert (set the key that certificate was issued for: pulumi config set --secret --path ingress.tlsKey < key.pem)",
            });
        }
    }
    const top = chain[chain.length - 1];
    const isPublic = anchoredBy(top, i.roots ?? bundledRoots());
    if (ingress.mode === "https" && !isPublic) {
        errors.push({
            path: "ingress.mode",
            text: `https trusts only public CAs, and ingress.tlsCert does not chain to one, so AI Hub's back ends cannot verify https://${aihub?.domain ?? "<aihub.domain>"} and sign-in fails (set ingress.mode to https-custom-ca and ingress.caCert to the CA that issued the certificate)`,
        });
    } else if (ingress.mode === "https" && ingress.caCert) {
        warnings.push({ path: "ingress.caCert", text: "is used only in mode https-custom-ca (remove it)" });
    }
    if (ingress.mode === "https-custom-ca" && ingress.caCert) {
        const ca = parseCertificates(ingress.caCert);
        if (!("certs" in ca)) return { errors, warnings }; // reported by the schema
        expiry("ingress.caCert", ca.certs, now, errors, warnings);
        ca.certs.forEach((c, n) => {
            if (!c.ca) {
                errors.push({
                    path: "ingress.caCert",
                    text: `certificate ${n + 1} (${c.subject.replace(/\n/g, ", ")}) is not a CA certificate (set the CA that issued ingress.tlsCert, not a server certificate)`,
                });
            }
        });
        if (!anchoredBy(top, ca.certs)) {
            errors.push({
                path: "ingress.caCert",
                text: `did not issue ingress.tlsCert, whose last certificate is issued by "${top.issuer.replace(/\n/g, ", ")}" (set that CA's certificate)`,
            });
        }
    }
    return { errors, warnings };
}
