/** The `addons.metallb` section. */
import { z } from "zod";
import { checkedString, k8sName } from "../../config/schema";
import { addressBlockProblem, ipNumber, overlaps } from "../../lib/ip-blocks";
import { METALLB_CATALOG } from "./catalog";

const asn = z
    .number({ error: "must be an AS number (e.g. 64512)" })
    .int({ error: "must be a whole AS number (e.g. 64512)" })
    .min(1, { error: "must be at least 1 (private AS numbers are 64512-65534)" })
    .max(4294967295, { error: "must be at most 4294967295 (a 32-bit AS number)" });

/** A BGP router MetalLB peers with. */
const peerSchema = z.strictObject({
    /** Router address (IPv4 or IPv6). */
    address: checkedString(
        (v) => (ipNumber(v) ? undefined : "is not an IP address (write the router's address, e.g. 10.0.0.1)"),
        "must be the router's IP address (e.g. 10.0.0.1)",
    ),
    /** The router's AS number. */
    asn,
    /** BGP port. @default 179 */
    port: z.number().int().min(1).max(16384, { error: "must be at most 16384 (MetalLB's limit)" }).default(179),
    /** Hold time, e.g. `90s`. @default MetalLB's (90s) */
    holdTime: z
        .string()
        .regex(/^\d+s$/, { error: "is not a number of seconds (write it like 90s)" })
        .optional(),
    /** The router is more than one hop away (eBGP multi-hop). @default false */
    ebgpMultiHop: z.boolean().default(false),
});

export const metallbSchema = z
    .strictObject({
        /** Path of the metallb chart .tgz (relative to the project). */
        chart: z
            .string()
            .min(1, { error: "must name the metallb chart .tgz (e.g. ./bundle/charts/metallb-0.16.1.tgz)" }),
        /** Chart version; selects the image catalog. @default 0.16.1 */
        version: z
            .string()
            .refine((v) => Object.hasOwn(METALLB_CATALOG, v), {
                error: `is not a MetalLB chart version this program knows (use ${Object.keys(METALLB_CATALOG).join(", ")})`,
            })
            .default("0.16.1"),
        /** Namespace of MetalLB and its CRs. @default metallb-system */
        namespace: k8sName.default("metallb-system"),
        /** Name of the IPAddressPool. @default aihub */
        poolName: k8sName.default("aihub"),
        /** The addresses LoadBalancer Services get: ranges `a-b` and CIDRs, IPv4 or IPv6, none overlapping. */
        addresses: z
            .array(checkedString(addressBlockProblem, "must be an address range or CIDR (e.g. 192.168.10.240/28)"))
            .min(1, { error: "must list at least one range or CIDR (e.g. [192.168.10.240-192.168.10.250])" }),
        /** Announce the pool on the nodes' LAN (ARP/NDP, an L2Advertisement). @default true */
        l2: z.boolean().default(true),
        /** Announce the pool to BGP routers (BGPPeer + BGPAdvertisement; turns on frr-k8s). @default off */
        bgp: z
            .strictObject({
                /** The cluster's own AS number. */
                myASN: asn,
                /** Routers to peer with. */
                peers: z.array(peerSchema).min(1, { error: "must list at least one router (address and asn)" }),
                /** Announce aggregated routes of this prefix length (IPv4). @default 32 (one route per address) */
                aggregationLength: z.number().int().min(0).max(32).optional(),
            })
            .optional(),
    })
    .superRefine((s, ctx) => {
        for (const { index, other } of overlaps(s.addresses)) {
            ctx.addIssue({
                code: "custom",
                path: ["addresses", index],
                message: `overlaps addresses[${other}] "${s.addresses[other]}" (list each address once)`,
            });
        }
        if (!s.l2 && !s.bgp) {
            ctx.addIssue({
                code: "custom",
                path: ["l2"],
                message: "is false and bgp is not set, so no address would be announced (keep l2: true or set bgp)",
            });
        }
    });

export type MetalLbConfig = z.output<typeof metallbSchema>;
