/**
 * The images each cert-manager chart version names (facts addons.md; checked with `helm template` of the vendor
 * chart): four Deployments/Jobs, and the ACME HTTP-01 solver, which the chart renders only as a controller argument.
 * The solver runs only for an ACME issuer; it is carried anyway, so that every reference the chart renders exists
 * in the private registry (an ACME server inside the gap, e.g. step-ca, would use it).
 */

/** Upstream images of one chart version, by the values key that sets them. */
export interface CertManagerImages {
    /** `image` (the controller). */
    controller: string;
    webhook: string;
    cainjector: string;
    acmesolver: string;
    /** The post-install hook Job that waits until the API (and its webhook) answers. */
    startupapicheck: string;
}

/** Catalog by chart version; its keys are the versions `addons.certManager.version` accepts. */
export const CERT_MANAGER_CATALOG: Record<string, CertManagerImages> = {
    "v1.21.1": {
        controller: "quay.io/jetstack/cert-manager-controller:v1.21.1",
        webhook: "quay.io/jetstack/cert-manager-webhook:v1.21.1",
        cainjector: "quay.io/jetstack/cert-manager-cainjector:v1.21.1",
        acmesolver: "quay.io/jetstack/cert-manager-acmesolver:v1.21.1",
        startupapicheck: "quay.io/jetstack/cert-manager-startupapicheck:v1.21.1",
    },
};
