/** What the certManager add-on needs of the core config when it issues AI Hub's certificate. */
import { aihubLayout } from "../../catalog/aihub-layout";
import type { Problem } from "../../lib/problems";
import type { PlatformConfig } from "../../platform/contracts";

/** True when AI Hub's certificate comes from the issuer: an https mode and no `ingress.tlsCert`. */
export function issuesAiHubCertificate(ingress: Pick<PlatformConfig["ingress"], "mode" | "tlsCert">): boolean {
    return ingress.mode !== "http" && !ingress.tlsCert;
}

/** Errors of the core config against an issued AI Hub certificate. */
export function certManagerRules(all: Partial<PlatformConfig>): { errors: Problem[] } {
    const errors: Problem[] = [];
    const { ingress, aihub } = all;
    if (!ingress || !issuesAiHubCertificate(ingress)) return { errors };
    if (ingress.mode === "https") {
        errors.push({
            path: "ingress.mode",
            text: "https trusts only public CAs, and without ingress.tlsCert AI Hub's certificate comes from the private CA of addons.certManager, so sign-in fails (set ingress.mode to https-custom-ca, or set ingress.tlsCert to a publicly trusted certificate)",
        });
    }
    if (ingress.tlsKey !== undefined) {
        errors.push({
            path: "ingress.tlsKey",
            text: "is set without ingress.tlsCert (set the certificate too, or remove the key: pulumi config rm --path ingress.tlsKey; addons.certManager then issues a certificate with its own key)",
        });
    }
    let publicCert = true;
    try {
        publicCert = aihub ? aihubLayout(aihub.version).publicCert : true;
    } catch {
        // an unsupported version is reported by the AI Hub rules
    }
    if (!publicCert) {
        errors.push({
            path: "addons.certManager",
            text: `issues AI Hub's certificate only for AI Hub 2025.0 and later: ${aihub!.version} serves the customca Secret, which needs the server key next to the CA (set ingress.tlsCert and ingress.tlsKey)`,
        });
    }
    return { errors };
}
