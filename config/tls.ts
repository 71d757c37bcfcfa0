/**
 * The checks that decide whether sign-in can work: the ingress certificate covers `aihub.domain`, its chain is in
 * order, its key matches, and a certificate that no public root vouches for comes with the CA AI Hub must trust (mode
 * `https-custom-ca`). The private key never appears in a message.
 */
import type { X509Certificate } from "node:crypto";
import { parseCertificates, parsePrivateKey, bundledRoots } from "../lib/pem";
import type { Problem } from "../lib/problems";
import type { CoreConfig, IngressConfig } from "./schema";
import { SECRET_PLACEHOLDER } from "./stackfile";

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
    // Only mode https asks whether a public CA anchors the chain: parsing Node's ~140 bundled roots is a tenth of a
    // plan's time, spent for nothing in the other modes.
    if (ingress.mode === "https" && !anchoredBy(top, i.roots ?? bundledRoots())) {
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

/**
 * The certificate mode AI Hub runs in: `gateway` behaves like `https-custom-ca` when the site certificate comes from a
 * private CA (`ingress.caCert`, or cert-manager's issuer), else like `https` (a publicly trusted certificate).
 */
export function certMode(mode: IngressConfig["mode"], privateCa: boolean): Exclude<IngressConfig["mode"], "gateway"> {
    if (mode !== "gateway") return mode;
    return privateCa ? "https-custom-ca" : "https";
}
