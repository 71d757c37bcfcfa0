/**
 * Carrying what upstream attached to the images just pulled (attached.ts): the digest-named tags of one listing
 * per repository, and, for an image without a referrers-index tag, the referrers its registry lists through the
 * OCI 1.1 referrers API (cosign v3 and notation write only there on registries that have it). Those become an
 * index under the fallback tag `sha256-<hex>`, which every referrers client reads when the private registry has
 * no referrers API, and whose entries a registry that has one indexes by their `subject` as they are pushed.
 */
import { attachmentRef, attachmentsOf, attachmentSummary, listTags, repositoryOf, type Attachment } from "./attached";
import { mapLimit } from "../lib/async";
import { sha256 } from "../lib/digest";
import { DistributionClient } from "./distribution";
import { mapImage, parseImageRef } from "../lib/imageref";
import { OCI_INDEX } from "./layout";
import { IMAGES_DIR, writeManifest, type Artifact, type BundleManifest, type ImageArtifact } from "./manifest";
import type { Progress } from "./progress";
import { proxyFor } from "./proxy";
import { intact, pullIndexInto, pullInto, pullReference, type PullOptions } from "./pull";

/** What carrying attachments needs besides where pulls go. */
export interface AttachOptions extends PullOptions {
    /** The stack's private registry (targets are recorded for it). */
    registry: string;
    /** Attachments pulled at once. @default 4 */
    parallel?: number;
}

/** An attachment found through the referrers API: its index is made here, not pulled. */
type Found = Attachment & { to: string; index?: Buffer };

/** The bytes of the index carried under the fallback tag for the referrers `manifests`. */
export function referrersIndex(manifests: readonly unknown[]): Buffer {
    return Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests }));
}

/**
 * Asks each image's upstream registry (through its mirror) for the referrers of its digest. A registry without
 * the API answers nothing; one reached through a proxy is not asked (the registry client speaks directly), which
 * a note says once.
 */
async function fromReferrersApi(o: AttachOptions, images: ImageArtifact[], note: (l: string) => void) {
    const clients = new Map<string, DistributionClient>();
    const proxied = new Set<string>();
    try {
        const found = await mapLimit(images, o.parallel ?? 4, async (a): Promise<Found[]> => {
            const from = parseImageRef(pullReference(a.source, o.upstreamMirrors));
            if (proxyFor(new URL(`https://${from.host}/v2/`))) {
                if (!proxied.has(from.host))
                    note(`referrers API of ${from.host} not asked: it is reached through a proxy`);
                proxied.add(from.host);
                return [];
            }
            if (!clients.has(from.host)) {
                // Docker Hub's API host is not the name its references use (skopeo maps it the same way).
                const server = from.host === "docker.io" ? "registry-1.docker.io" : from.host;
                clients.set(from.host, new DistributionClient({ server, tlsVerify: o.upstreamTlsVerify }));
            }
            const listed = await clients
                .get(from.host)!
                .referrers(from.path, a.digest)
                .catch((e: Error) => {
                    // Like a refused tag listing: the image itself was pulled, only its referrers are not found.
                    note(`cannot ask the referrers API of ${from.host} for ${a.source}: ${e.message}`);
                    return undefined;
                });
            if (!listed?.manifests.length) return [];
            const ref = attachmentRef(a.source, a.digest, "referrers");
            return [{ kind: "referrers", ref, to: a.source, index: referrersIndex(listed.manifests) }];
        });
        return found.flat();
    } finally {
        for (const c of clients.values()) c.close();
    }
}

/**
 * Pulls the signatures, attestations and SBOMs attached upstream to the images just pulled, recording each as an
 * image with `attached` set. An image reused from an earlier run keeps what that run carried for it, without
 * asking upstream again (like the image itself).
 */
export async function carryAttachments(
    o: AttachOptions,
    layout: string,
    manifest: BundleManifest,
    before: Map<string, Artifact>,
    reused: Set<string>,
    progress: Progress,
) {
    const note = (l: string) => progress.note(l);
    const all = manifest.artifacts.filter((a): a is ImageArtifact => a.kind === "image" && !a.attached);
    const images = all.filter((a) => !reused.has(`image ${a.name}`));
    const kept = [...before.values()].filter(
        (a): a is ImageArtifact =>
            a.kind === "image" &&
            !!a.attached &&
            reused.has(`image ${a.attached.to}`) &&
            all.some((i) => i.name === a.attached?.to) &&
            intact(layout, a),
    );
    for (const a of kept) manifest.artifacts.push({ ...a, target: mapImage(a.source, o.registry) });
    const tags = new Map<string, Promise<string[]>>();
    const tagsOf = (source: string) => {
        const repo = repositoryOf(pullReference(source, o.upstreamMirrors));
        if (!tags.has(repo)) tags.set(repo, listTags(repo, o.upstreamTlsVerify !== false, note));
        return tags.get(repo)!;
    };
    const tagged: Found[] = (
        await Promise.all(images.map(async (a) => attachmentsOf(a.source, a.digest, await tagsOf(a.source))))
    ).flatMap((list, i) => list.map((t) => ({ ...t, to: images[i].source })));
    const untagged = images.filter((a) => !tagged.some((t) => t.to === a.source && t.kind === "referrers"));
    const found = [...tagged, ...(await fromReferrersApi(o, untagged, note))];
    await mapLimit(found, o.parallel ?? 4, async (t, i) => {
        const target = mapImage(t.ref, o.registry);
        const attached = { to: t.to, kind: t.kind };
        const old = before.get(`image ${t.ref}`);
        const reuse =
            old?.kind === "image" && intact(layout, old) && (!t.index || old.digest === `sha256:${sha256(t.index)}`);
        const pulled = reuse
            ? old
            : t.index
              ? await pullIndexInto(o, layout, t.ref, t.index, `att-${i}`)
              : await pullInto(o, layout, t.ref, `att-${i}`, true);
        const a: ImageArtifact = { ...pulled, kind: "image", name: t.ref, source: t.ref, target, path: IMAGES_DIR };
        manifest.artifacts.push({ ...a, attached });
        note(`${reuse ? "reused" : "carried"} ${t.kind} ${t.ref}${t.index ? " (from the referrers API)" : ""}`);
    });
    writeManifest(o.out, manifest);
    const kinds = [...kept.map((a) => a.attached?.kind), ...found.map((t) => t.kind)];
    note(`upstream: ${attachmentSummary(kinds)} carried`);
}
