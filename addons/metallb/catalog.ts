/**
 * The images each MetalLB chart version runs (facts addons.md; checked with `helm template` of the vendor chart):
 * the controller and speaker always, frr-k8s and FRR only when the frr-k8s subchart is on (BGP configured).
 */

/** Upstream images of one chart version, by role. */
export interface MetalLbImages {
    controller: string;
    speaker: string;
    /** frr-k8s daemon (subchart `frr-k8s`, `frrk8s.image`). */
    frrK8s: string;
    /** FRR itself (subchart `frr-k8s`, `frrk8s.frr.image`). */
    frr: string;
}

/** Catalog by chart version; its keys are the versions `addons.metallb.version` accepts. */
export const METALLB_CATALOG: Record<string, MetalLbImages> = {
    "0.16.1": {
        controller: "quay.io/metallb/controller:v0.16.1",
        speaker: "quay.io/metallb/speaker:v0.16.1",
        frrK8s: "quay.io/metallb/frr-k8s:v0.0.25",
        frr: "quay.io/frrouting/frr:10.4.3",
    },
};

/** The images a stack runs: FRR's only with BGP. */
export function metallbImages(version: string, bgp: boolean): string[] {
    const c = METALLB_CATALOG[version];
    return [c.controller, c.speaker, ...(bgp ? [c.frrK8s, c.frr] : [])];
}
