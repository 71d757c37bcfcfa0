/** MetalLB's custom resources for the configured pool, as plain objects (validated against the CRDs in tests). */
import type { MetalLbConfig } from "./schema";

/** A Kubernetes object without the Pulumi wrapping. */
export interface Manifest {
    apiVersion: string;
    kind: string;
    metadata: { name: string; namespace: string };
    spec: Record<string, unknown>;
}

/** Name of the BGPPeer for peer `n` (0-based). */
export const peerName = (n: number) => `peer-${n + 1}`;

/** The IPAddressPool, its L2Advertisement and, with BGP, a BGPPeer per router and a BGPAdvertisement. */
export function metallbManifests(s: MetalLbConfig): Manifest[] {
    const meta = (name: string) => ({ name, namespace: s.namespace });
    const out: Manifest[] = [
        {
            apiVersion: "metallb.io/v1beta1",
            kind: "IPAddressPool",
            metadata: meta(s.poolName),
            spec: { addresses: [...s.addresses], autoAssign: true },
        },
    ];
    if (s.l2) {
        out.push({
            apiVersion: "metallb.io/v1beta1",
            kind: "L2Advertisement",
            metadata: meta(s.poolName),
            spec: { ipAddressPools: [s.poolName] },
        });
    }
    if (s.bgp) {
        s.bgp.peers.forEach((p, n) =>
            out.push({
                // v1beta2 is the stored version: writing it needs no call to the chart's conversion webhook.
                apiVersion: "metallb.io/v1beta2",
                kind: "BGPPeer",
                metadata: meta(peerName(n)),
                spec: {
                    myASN: s.bgp!.myASN,
                    peerASN: p.asn,
                    peerAddress: p.address,
                    peerPort: p.port,
                    ...(p.holdTime ? { holdTime: p.holdTime } : {}),
                    ...(p.ebgpMultiHop ? { ebgpMultiHop: true } : {}),
                },
            }),
        );
        out.push({
            apiVersion: "metallb.io/v1beta1",
            kind: "BGPAdvertisement",
            metadata: meta(s.poolName),
            spec: {
                ipAddressPools: [s.poolName],
                ...(s.bgp.aggregationLength !== undefined ? { aggregationLength: s.bgp.aggregationLength } : {}),
            },
        });
    }
    return out;
}
