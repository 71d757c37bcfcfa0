/**
 * Cross-field rules of the storage half that `rules.ts` does not have: names the storage components derive must
 * not collide, and the Rook version must be one whose images the catalog knows (else the chart would pull upstream).
 */
import { ROOK_CATALOG_VERSIONS } from "../catalog/rook";
import { LOCAL_STORAGE_CLASS, localPvName } from "../catalog/rook-names";
import { cephDisks } from "./disks";
import type { Problem } from "../lib/problems";
import type { CoreConfig } from "./schema";
import { parseSemver, rookSupported } from "../catalog/versions";

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Problems of the storage sections; each section may be missing when its own schema failed. */
export function checkStorageRules(s: { rook?: CoreConfig["rook"]; ceph?: CoreConfig["ceph"] }): Problem[] {
    const problems: Problem[] = [];
    // An unsupported version is already reported by rules.ts; this narrows the supported range to the catalog.
    if (s.rook && rookSupported(parseSemver(s.rook.version)!)) {
        const v = s.rook.version.startsWith("v") ? s.rook.version : `v${s.rook.version}`;
        if (!ROOK_CATALOG_VERSIONS.includes(v)) {
            problems.push({
                path: "rook.version",
                text: `${s.rook.version} has no image list in catalog/rook.ts, so its CSI images could not be mapped to the private registry (use ${ROOK_CATALOG_VERSIONS.join(" or ")}, or add the version to the catalog)`,
            });
        }
    }
    if (!s.ceph) return problems;
    const ceph = s.ceph;
    for (const [at, name] of [
        ["ceph.storageClass", ceph.storageClass],
        ["ceph.blockStorageClass", ceph.blockStorageClass],
    ] as const) {
        if (name === LOCAL_STORAGE_CLASS) {
            problems.push({
                path: at,
                text: `"${name}" is the name of the local-PV StorageClass this stack creates (choose another name)`,
            });
        }
    }
    if (ceph.blockStorageClass !== undefined && ceph.blockStorageClass === ceph.storageClass) {
        problems.push({
            path: "ceph.blockStorageClass",
            text: `"${ceph.blockStorageClass}" is also ceph.storageClass (give the RBD and CephFS classes different names)`,
        });
    }
    const pvNames = new Map<string, string>();
    ceph.nodes.forEach((n, i) => {
        if (n.hostname.length > 63) {
            problems.push({
                path: `ceph.nodes[${i}].hostname`,
                text: "is longer than 63 characters, too long for the node label on its PVs (use the node's short kubernetes.io/hostname)",
            });
        }
    });
    for (const d of cephDisks(ceph)) {
        const name = localPvName(d.hostname, d.role, d.path);
        if (name.length > 253 || !DNS_SUBDOMAIN.test(name)) {
            problems.push({
                path: `${d.key}.path`,
                text: `gives the local PV name "${name.slice(0, 80)}${name.length > 80 ? "…" : ""}", which is not a valid Kubernetes name of at most 253 characters (use a shorter /dev/disk/by-id path with letters or digits)`,
            });
            continue;
        }
        const other = pvNames.get(name);
        // Exact duplicates are reported by rules.ts; this catches paths that differ only in punctuation.
        if (other && other !== `${d.hostname}:${d.path}`) {
            problems.push({
                path: `${d.key}.path`,
                text: `gives the local PV name "${name}", which ${other} already has (use /dev/disk/by-id paths that differ in letters or digits)`,
            });
        } else pvNames.set(name, `${d.hostname}:${d.path}`);
    }
    return problems;
}
