/**
 * Policies over the helm-rendered AI Hub release (see platform/plan/render.ts): no chart placeholder may reach a rendered
 * object, and the volumes it claims should fit what Ceph can hold.
 */
import { aihubLayout } from "../../../catalog/aihub-layout";
import { placeholderFix, survivingPlaceholders } from "../../../modules/aihub/placeholders";
import { isMapping } from "../../../lib/merge";
import { isQuantity, quantityBytes } from "../../../lib/quantity";
import type { PlatformConfig } from "../../contracts";
import { isInRegistry } from "../../../lib/imageref";
import { containerImages } from "../../../modules/aihub/postrender";
import type { Checked, Finding } from "../policy";
import type { PostRendered } from "../render";

type Obj = Record<string, unknown>;

/** Ceph's default `mon_osd_nearfull_ratio`: above it Ceph warns, and writes stop at 0.95 (full). */
export const NEARFULL_RATIO = 0.85;

/** A check of the rendered release. */
export type RenderPolicy = (
    render: { objects: readonly Obj[]; defaults: Record<string, unknown>; postRendered?: PostRendered },
    release: Checked,
    cfg: PlatformConfig,
) => Finding[];

/** A chart placeholder (credential or not) rendered into a ConfigMap, env var, Secret or any other field. */
export const renderedPlaceholder: RenderPolicy = ({ objects, defaults }, release, cfg) =>
    survivingPlaceholders(
        defaults,
        isMapping(release.inputs.values) ? release.inputs.values : {},
        objects,
        aihubLayout(cfg.aihub.version),
    ).map((p) => ({
        level: p.secret ? "error" : "warning",
        rule: "aihub-placeholder-rendered",
        resource: release.urn,
        text: `${p.valuePath ? `values.${p.valuePath}` : "a chart template"} still holds the chart's placeholder "${p.value}", rendered into ${p.where.join(", ")} (${placeholderFix(p)})`,
    }));

/** Storage a rendered object claims: a PVC's request, or a StatefulSet's claim templates times its replicas. */
export function claimedBytes(objects: readonly Obj[], classes: ReadonlySet<string>): { name: string; bytes: number }[] {
    const request = (c: unknown): { cls: string; size: string } => {
        const spec = isMapping(c) && isMapping(c.spec) ? c.spec : {};
        const res = isMapping(spec.resources) && isMapping(spec.resources.requests) ? spec.resources.requests : {};
        return { cls: String(spec.storageClassName), size: String(res.storage) };
    };
    return objects.flatMap((o) => {
        const name = isMapping(o.metadata) ? String(o.metadata.name) : "?";
        const spec = isMapping(o.spec) ? o.spec : {};
        const claims =
            o.kind === "PersistentVolumeClaim"
                ? [{ c: o, times: 1 }]
                : o.kind === "StatefulSet" && Array.isArray(spec.volumeClaimTemplates)
                  ? spec.volumeClaimTemplates.map((c) => ({
                        c,
                        times: typeof spec.replicas === "number" ? spec.replicas : 1,
                    }))
                  : [];
        return claims
            .map(({ c, times }) => ({
                ...request(c),
                times,
                claim: isMapping(c) && isMapping(c.metadata) ? c.metadata.name : name,
            }))
            .filter((r) => classes.has(r.cls) && isQuantity(r.size))
            .map((r) => ({ name: `${o.kind}/${name}:${String(r.claim)}`, bytes: quantityBytes(r.size) * r.times }));
    });
}

/** Raw OSD bytes and what Ceph can hold at the replica size before it warns (near-full). */
export function cephCapacity(ceph: PlatformConfig["ceph"]): { raw: number; usable: number } {
    const raw = ceph.nodes.flatMap((n) => n.osdDisks).reduce((sum, d) => sum + quantityBytes(d.size), 0);
    return { raw, usable: (raw / ceph.replicas) * NEARFULL_RATIO };
}

const gib = (b: number) => `${(b / 2 ** 30).toFixed(1)} GiB`;

/** The release claims more than Ceph holds (claims are thin until written, so this is a warning). */
export const pvcOverCommit: RenderPolicy = ({ objects }, release, cfg) => {
    const classes = new Set([cfg.ceph.storageClass, cfg.ceph.blockStorageClass].filter((c): c is string => !!c));
    const claims = claimedBytes(objects, classes);
    const total = claims.reduce((s, c) => s + c.bytes, 0);
    const { raw, usable } = cephCapacity(cfg.ceph);
    if (total <= usable) return [];
    const biggest = [...claims].sort((a, b) => b.bytes - a.bytes).slice(0, 3);
    return [
        {
            level: "warning",
            rule: "ceph-over-committed",
            resource: release.urn,
            text: `the AI Hub release claims ${gib(total)} in ${claims.length} volumes on Ceph, but Ceph holds about ${gib(usable)} (${gib(raw)} raw OSD ÷ ${cfg.ceph.replicas} replicas × ${NEARFULL_RATIO} near-full ratio); largest: ${biggest.map((c) => `${c.name} ${gib(c.bytes)}`).join(", ")} (add OSD disks, or lower the sizes in aihub.values, e.g. aihubBackend.storageSize and ces.storageSize)`,
        },
    ];
};

/** The render policies `plan` runs. */
/**
 * Every image the release runs, after its post-renderer (as the provider installs it), comes from the private
 * registry; a reference the post-renderer cannot relocate fails the plan with the post-renderer's message.
 */
export const imagesRelocated: RenderPolicy = ({ postRendered }, release, cfg) => {
    if (!postRendered) return [];
    const finding = (text: string): Finding => ({
        level: "error",
        rule: "aihub-image-not-relocated",
        resource: release.urn,
        text,
    });
    if ("failed" in postRendered) return [finding(postRendered.failed)];
    return postRendered.objects
        .flatMap(containerImages)
        .filter((c) => !isInRegistry(c.image, cfg.registry.server))
        .map((c) => finding(`${c.where} runs ${c.image}, outside ${cfg.registry.server} after the post-renderer`));
};

export const RENDER_POLICIES: RenderPolicy[] = [renderedPlaceholder, pvcOverCommit, imagesRelocated];
