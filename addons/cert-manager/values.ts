/**
 * Values of the cert-manager chart: its CRDs (`crds.enabled`), every image (the ACME solver argument included) from
 * the private registry, the pull Secret on every pod, and the startupapicheck hook, which holds the release until the
 * API and its webhook answer, so nothing that creates an Issuer or Certificate runs before.
 */
import { mapRepository, parseImageRef } from "../../lib/imageref";
import { CERT_MANAGER_CATALOG } from "./catalog";

/** Inputs of {@link certManagerValues}. */
export interface CertManagerValuesInput {
    version: string;
    /** Private registry `host[:port][/project]`. */
    registry: string;
    pullSecretName: string;
}

/** The chart values. */
export function certManagerValues(i: CertManagerValuesInput): Record<string, unknown> {
    const c = CERT_MANAGER_CATALOG[i.version];
    const image = (ref: string) => ({ repository: mapRepository(ref, i.registry), tag: parseImageRef(ref).tag! });
    return {
        global: { imagePullSecrets: [{ name: i.pullSecretName }] },
        crds: { enabled: true },
        image: image(c.controller),
        webhook: { image: image(c.webhook) },
        cainjector: { image: image(c.cainjector) },
        acmesolver: { image: image(c.acmesolver) },
        startupapicheck: { enabled: true, image: image(c.startupapicheck) },
    };
}
