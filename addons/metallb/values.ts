/**
 * Values of the metallb chart: every image from the private registry, the pull Secret on every pod, and frr-k8s
 * only with BGP. The vendor chart turns frr-k8s on by default; L2 mode needs no routing daemon, so without BGP it
 * stays off (two images and a privileged DaemonSet fewer, and no frr-k8s webhook to wait for).
 */
import { mapRepository, parseImageRef } from "../../lib/imageref";
import { METALLB_CATALOG } from "./catalog";

/** Inputs of {@link metallbValues}. */
export interface MetalLbValuesInput {
    version: string;
    /** Private registry `host[:port][/project]`. */
    registry: string;
    pullSecretName: string;
    /** BGP configured (frr-k8s on). */
    bgp: boolean;
}

/** `{ repository, tag }` of an upstream image moved into the private registry. */
function image(ref: string, registry: string): { repository: string; tag: string } {
    return { repository: mapRepository(ref, registry), tag: parseImageRef(ref).tag! };
}

/** The chart values. */
export function metallbValues(i: MetalLbValuesInput): Record<string, unknown> {
    const c = METALLB_CATALOG[i.version];
    const pull = [{ name: i.pullSecretName }];
    return {
        imagePullSecrets: pull,
        controller: { image: image(c.controller, i.registry) },
        speaker: { image: image(c.speaker, i.registry), frr: { enabled: false } },
        crds: { enabled: true },
        frrk8s: { enabled: i.bgp },
        ...(i.bgp
            ? {
                  "frr-k8s": {
                      imagePullSecrets: pull,
                      frrk8s: { image: image(c.frrK8s, i.registry), frr: { image: image(c.frr, i.registry) } },
                  },
              }
            : {}),
    };
}
