/**
 * Rules comparing `addons.aistore` with the rest of the config: cert-manager must be on (the operator chart renders
 * its Certificate and Issuer), the external LoadBalancers need MetalLB with enough addresses, targets need nodes, and
 * the local disks follow Ceph's rules and are not Ceph's.
 */
import { quantityBytes } from "../../lib/quantity";
import type { Problem } from "../../lib/problems";
import type { PlatformConfig } from "../../platform/contracts";
import { addressCount } from "../../lib/ip-blocks";
import type { AddOnProblems } from "../../platform/contracts";
import { aistoreDisks } from "./disks";
import { clusterSize, type AistoreConfig } from "./schema";

const AT = "addons.aistore";
/** Smallest mountpath disk accepted (AIS keeps metadata and a capacity reserve on every mountpath). */
export const MIN_MOUNT_BYTES = 2 ** 30;

function externalLbProblems(s: AistoreConfig, all: Partial<PlatformConfig>): Problem[] {
    if (!s.externalLB) return [];
    const addons = (all.addons ?? {}) as Record<string, unknown>;
    const metallb = addons.metallb as { addresses?: string[] } | undefined;
    if (!metallb) {
        return [{ path: `${AT}.externalLB`, text: "needs addons.metallb (turn it on or set externalLB: false)" }];
    }
    const needed = clusterSize(s) + 1;
    // The shared Gateway's Service takes one address of the same pool.
    const others = addons.gateway !== undefined ? 1 : 0;
    const pool = addressCount(metallb.addresses ?? []);
    if (pool >= needed + others) return [];
    return [
        {
            path: `${AT}.externalLB`,
            text: `needs ${needed} LoadBalancer addresses (the proxy and one per target)${others ? " besides the Gateway's" : ""}, but addons.metallb.addresses holds ${pool} (add addresses to addons.metallb.addresses, lower addons.aistore.size or set externalLB: false)`,
        },
    ];
}

function sizeProblems(s: AistoreConfig, all: Partial<PlatformConfig>): Problem[] {
    const size = clusterSize(s);
    if (s.nodes && size > s.nodes.length) {
        return [
            {
                path: `${AT}.size`,
                text: `${size} targets need ${size} nodes with disks, but addons.aistore.nodes lists ${s.nodes.length} (each target uses one node's disks; add nodes or lower size)`,
            },
        ];
    }
    const workers = all.ceph?.nodes.length;
    if (!s.nodes && !s.disablePodAntiAffinity && workers !== undefined && size > workers) {
        return [
            {
                path: `${AT}.size`,
                text: `${size} targets need ${size} nodes (one target per node), but ceph.nodes lists ${workers} workers (lower size or set addons.aistore.disablePodAntiAffinity: true)`,
            },
        ];
    }
    return [];
}

function diskProblems(s: AistoreConfig, all: Partial<PlatformConfig>): Problem[] {
    const problems: Problem[] = [];
    const hosts = new Map<string, number>();
    s.nodes?.forEach((n, i) => {
        const first = hosts.get(n.hostname);
        if (first !== undefined) {
            problems.push({
                path: `${AT}.nodes[${i}].hostname`,
                text: `"${n.hostname}" is listed twice, also at ${AT}.nodes[${first}] (merge the two entries into one)`,
            });
        } else hosts.set(n.hostname, i);
        const count = s.nodes![0].disks.length;
        if (i > 0 && n.disks.length !== count) {
            problems.push({
                path: `${AT}.nodes[${i}].disks`,
                text: `lists ${n.disks.length} disks but ${AT}.nodes[0] lists ${count} (every target has the same mountpaths: give each node the same number of disks)`,
            });
        }
    });
    const ceph = new Map<string, string>();
    for (const n of all.ceph?.nodes ?? []) {
        if (n.monDisk) ceph.set(`${n.hostname}\0${n.monDisk.path}`, "monDisk");
        n.osdDisks.forEach((d, j) => ceph.set(`${n.hostname}\0${d.path}`, `osdDisks[${j}]`));
    }
    const cephKey = (host: string, role: string) =>
        `ceph.nodes[${all.ceph!.nodes.findIndex((n) => n.hostname === host)}].${role}`;
    const seen = new Map<string, string>();
    for (const d of aistoreDisks(s)) {
        const id = `${d.hostname}\0${d.path}`;
        const other = seen.get(id);
        if (other) {
            problems.push({
                path: `${d.key}.path`,
                text: `disk ${d.path} on ${d.hostname} is already used by ${other} (give each mountpath its own device)`,
            });
        } else seen.set(id, d.key);
        const role = ceph.get(id);
        if (role) {
            problems.push({
                path: `${d.key}.path`,
                text: `disk ${d.path} on ${d.hostname} is also ${cephKey(d.hostname, role)} (a disk serves Ceph or AIStore, not both: remove it from one of them)`,
            });
        }
        if (quantityBytes(d.size) < MIN_MOUNT_BYTES) {
            problems.push({
                path: `${d.key}.size`,
                text: `${d.size} is below 1Gi, too small for an AIS mountpath (use a disk of at least 1Gi)`,
            });
        }
    }
    return problems;
}

/** Every problem of the section against the rest of the config. */
export function aistoreRules(s: AistoreConfig, all: Partial<PlatformConfig>): AddOnProblems {
    const errors: Problem[] = [];
    if ((all.addons as Record<string, unknown> | undefined)?.certManager === undefined) {
        errors.push({
            path: AT,
            text: "needs addons.certManager: the ais-operator chart renders cert-manager Certificate and Issuer objects for its webhook (turn addons.certManager on)",
        });
    }
    errors.push(...externalLbProblems(s, all), ...sizeProblems(s, all), ...diskProblems(s, all));
    return { errors };
}
