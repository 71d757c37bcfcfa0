/** The `addons.certManager` section. */
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { k8sName, MAX_SECRET_CHARS, pem } from "../../config/schema";
import { SECRET_PLACEHOLDER } from "../../config/stackfile";
import { parseCertificates, parsePrivateKey } from "../../lib/pem";
import { CERT_MANAGER_CATALOG } from "./catalog";

const AT = "addons.certManager.ca";
const SECRET_FIX = `pulumi config set --secret --path ${AT}.key < ca-key.pem`;

/** What is wrong with a CA certificate and its key (first certificate = the signing CA), by field. */
export function caProblems(cert: string, key: string, now = new Date()): { path: "cert" | "key"; text: string }[] {
    const parsed = parseCertificates(cert, `${AT}.key`);
    if (!("certs" in parsed)) return []; // reported by the field's own check
    const ca = parsed.certs[0];
    const out: { path: "cert" | "key"; text: string }[] = [];
    if (!ca.ca) {
        out.push({
            path: "cert",
            text: `certificate 1 (${ca.subject.replace(/\n/g, ", ")}) is not a CA certificate (give the CA that signs AI Hub's certificate, first in the PEM)`,
        });
    }
    if (new Date(ca.validTo) < now) out.push({ path: "cert", text: `the CA expired on ${ca.validTo} (renew it)` });
    if (key !== SECRET_PLACEHOLDER) {
        const k = parsePrivateKey(key, `${AT}.key`);
        if ("error" in k) out.push({ path: "key", text: k.error });
        else if (!ca.checkPrivateKey(k.key)) {
            out.push({ path: "key", text: `does not belong to the first certificate of ${AT}.cert (${SECRET_FIX})` });
        }
    }
    return out;
}

/** A CA the site already has: its certificate (public) and key (secret). */
const caSchema = z
    .strictObject({
        /** PEM of the CA certificate (the signing CA first; intermediates may follow). */
        cert: pem(`${AT}.key`),
        /** PEM of its private key (secret). */
        key: z
            .string({ error: `must be a secret string (${SECRET_FIX})` })
            .min(1, { error: `must not be empty (${SECRET_FIX})` })
            .max(MAX_SECRET_CHARS, { error: `is longer than ${MAX_SECRET_CHARS} characters (give the PEM key only)` }),
    })
    .superRefine((ca, ctx) => {
        for (const p of caProblems(ca.cert, ca.key)) ctx.addIssue({ code: "custom", path: [p.path], message: p.text });
    })
    // The key becomes a secret Output only after it was checked (zod drops Pulumi's secret marking).
    .transform((ca) => ({ cert: ca.cert, key: pulumi.secret(ca.key) }));

export const certManagerSchema = z.strictObject({
    /** Path of the cert-manager chart .tgz (relative to the project). */
    chart: z
        .string()
        .min(1, { error: "must name the cert-manager chart .tgz (e.g. ./bundle/charts/cert-manager-v1.21.1.tgz)" }),
    /** Chart version; selects the image catalog. @default v1.21.1 */
    version: z
        .string()
        .refine((v) => Object.hasOwn(CERT_MANAGER_CATALOG, v), {
            error: `is not a cert-manager chart version this program knows (use ${Object.keys(CERT_MANAGER_CATALOG).join(", ")})`,
        })
        .default("v1.21.1"),
    /** Namespace of cert-manager; the CA Secret lives here too. @default cert-manager */
    namespace: k8sName.default("cert-manager"),
    /** Name of the CA ClusterIssuer. @default aihub-ca */
    issuerName: k8sName.default("aihub-ca"),
    /** The site CA; absent, the program generates one and keeps its key as a secret in the state. */
    ca: caSchema.optional(),
});

export type CertManagerConfig = z.output<typeof certManagerSchema>;
