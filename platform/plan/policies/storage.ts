/**
 * Policy checks of the storage half over the recorded plan: Rook chart values that would pull from outside the
 * private registry or miss a catalog image, Rook CRs that do not depend on the release owning their CRD, and a
 * CephCluster armed to wipe its disks. (Unprotected PVs/CephCluster/CephFilesystem/CephBlockPool are caught by the
 * general `unprotected-stateful` policy.)
 */
import { isInRegistry, mapImages } from "../../../lib/imageref";
import { rookImages } from "../../../catalog/rook";
import type { PlatformConfig } from "../../contracts";
import type { Checked, Finding, Policy } from "../policy";
import { stringLeaves } from "../../../lib/leaves";

const RELEASE = "kubernetes:helm.sh/v3:Release";

/** The Rook releases of a plan (rook-ceph chart, ceph-csi-drivers chart). */
function rookReleases(regs: readonly Checked[], cfg: PlatformConfig): Checked[] {
    const charts = new Set([cfg.rook.chart, cfg.rook.csiDriversChart].filter(Boolean));
    return regs.filter((r) => r.type === RELEASE && charts.has(String(r.inputs.chart)));
}

/** Image references a values tree asks for: `…image` strings and `…repository` + sibling `…tag` pairs. */
export function valuesImages(values: unknown): { path: string; ref: string }[] {
    const all = stringLeaves(values);
    const byPath = new Map(all.map((l) => [l.path, l.value]));
    return all.flatMap((l) => {
        if (/(^|\.)image$/.test(l.path)) return [{ path: l.path, ref: l.value }];
        if (/(^|\.)repository$/.test(l.path)) {
            const tag = byPath.get(l.path.replace(/repository$/, "tag"));
            return [{ path: l.path, ref: tag ? `${l.value}:${tag}` : l.value }];
        }
        return [];
    });
}

/** A Rook release value that points outside the private registry. */
export const rookValuesOutsideRegistry: Policy = (regs, cfg) =>
    rookReleases(regs, cfg).flatMap((r) =>
        valuesImages(r.inputs.values)
            .filter((i) => !isInRegistry(i.ref, cfg.registry.server))
            .map((i) => ({
                level: "error" as const,
                rule: "image-outside-registry",
                resource: r.urn,
                text: `values.${i.path} = "${i.ref}" is not in the private registry ${cfg.registry.server}`,
            })),
    );

/** A catalog image of the Rook version that the rook-ceph release values do not set (it would pull upstream). */
export const rookValuesMissingImage: Policy = (regs, cfg) => {
    const release = rookReleases(regs, cfg).find((r) => r.inputs.chart === cfg.rook.chart);
    if (!release) return [];
    const set = new Set(valuesImages(release.inputs.values).map((i) => i.ref));
    return mapImages(rookImages(cfg.rook.version), cfg.registry.server)
        .filter((m) => !set.has(m.target))
        .map((m) => ({
            level: "error" as const,
            rule: "rook-image-not-overridden",
            resource: release.urn,
            text: `no rook-ceph value points ${m.source} at ${m.target}, so it would be pulled from upstream`,
        }));
};

/** A Rook custom resource that does not depend on the rook-ceph release, which owns its CRD. */
export const crWithoutCrdRelease: Policy = (regs, cfg) => {
    const owner = rookReleases(regs, cfg).find((r) => r.inputs.chart === cfg.rook.chart);
    return regs
        .filter((r) => /^kubernetes:(ceph\.rook\.io|csi\.ceph\.io)\//.test(r.type))
        .filter((r) => !owner || !r.deps.includes(owner.urn))
        .map((r): Finding => ({
            level: "error",
            rule: "cr-without-crd-release",
            resource: r.urn,
            text: `${r.name} (${r.type.split(":")[1]}) does not depend on the rook-ceph release that installs its CRD (add dependsOn; destroy would also delete the operator first)`,
        }));
};

/** A CephCluster whose cleanupPolicy is armed: Rook stops orchestrating and wipes the disks on delete. */
export const cleanupPolicyArmed: Policy = (regs) =>
    regs
        .filter((r) => r.type === "kubernetes:ceph.rook.io/v1:CephCluster")
        .filter((r) => {
            const spec = r.inputs.spec as { cleanupPolicy?: { confirmation?: string } } | undefined;
            return (spec?.cleanupPolicy?.confirmation ?? "") !== "";
        })
        .map((r) => ({
            level: "warning" as const,
            rule: "ceph-cleanup-armed",
            resource: r.urn,
            text: `${r.name} has cleanupPolicy.confirmation set (ceph.wipeDisksOnDestroy): Rook stops orchestrating and wipes OSD disks and dataDirHostPath when it is deleted; run pulumi destroy next`,
        }));

/** The storage policies `plan` runs. */
export const STORAGE_POLICIES: Policy[] = [
    rookValuesOutsideRegistry,
    rookValuesMissingImage,
    crWithoutCrdRelease,
    cleanupPolicyArmed,
];
