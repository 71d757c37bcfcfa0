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
import * as fs from "node:fs";
import { blobPath, isIndex, OCI_INDEX } from "./layout";
import { IMAGES_DIR, writeManifest, type Artifact, type BundleManifest, type ImageArtifact } from "./manifest";
import type { Progress } from "./progress";
import { proxyFor } from "./proxy";
import { intact, platformFlags, pullIndexInto, pullInto, pullReference, type PullOptions } from "./pull";
import { skopeo } from "./skopeo";

/** What carrying attachments needs besides where pulls go. */
export interface AttachOptions extends PullOptions {
    /** The stack's private registry (targets are recorded for it). */
    registry: string;
    /** Attachments pulled at once. @default 4 */
    parallel?: number;
}

/** An attachment found for one digest of an image: its index is made here when it came from the referrers API. */
type Found = Attachment & { to: string; index?: Buffer };

/** The bytes of the index carried under the fallback tag for the referrers `manifests`. */
export function referrersIndex(manifests: readonly unknown[]): Buffer {
    return Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests }));
}

/**
 * Finds what upstream attached to one digest of an image: the digest-named tags (one tag listing per repository,
 * shared by every image of it) and, when no referrers-index tag is among them, the referrers its registry lists
 * through the OCI 1.1 API (through its mirror). A registry reached through a proxy is not asked (the registry client
 * speaks directly), which a note says once. `close` ends the API clients.
 */
export class AttachmentLookup {
    private readonly tags = new Map<string, Promise<string[]>>();
    private readonly clients = new Map<string, DistributionClient>();
    private readonly proxied = new Set<string>();
    private readonly found = new Map<string, Promise<Found[]>>();

    constructor(
        private readonly o: AttachOptions,
        private readonly note: (line: string) => void,
    ) {}

    /** Every attachment of `digest` of the image `source` (cached: the bundle asks once per digest). */
    of(source: string, digest: string): Promise<Found[]> {
        const key = `${source}@${digest}`;
        if (!this.found.has(key)) this.found.set(key, this.lookUp(source, digest));
        return this.found.get(key)!;
    }

    close(): void {
        for (const c of this.clients.values()) c.close();
    }

    private async lookUp(source: string, digest: string): Promise<Found[]> {
        const repo = repositoryOf(pullReference(source, this.o.upstreamMirrors));
        if (!this.tags.has(repo)) this.tags.set(repo, listTags(repo, this.o.upstreamTlsVerify !== false, this.note));
        const tagged = attachmentsOf(source, digest, await this.tags.get(repo)!).map((t) => ({ ...t, to: source }));
        if (tagged.some((t) => t.kind === "referrers")) return tagged;
        const index = await this.referrers(source, digest);
        if (!index) return tagged;
        return [...tagged, { kind: "referrers", ref: attachmentRef(source, digest, "referrers"), to: source, index }];
    }

    private async referrers(source: string, digest: string): Promise<Buffer | undefined> {
        const from = parseImageRef(pullReference(source, this.o.upstreamMirrors));
        if (proxyFor(new URL(`https://${from.host}/v2/`))) {
            if (!this.proxied.has(from.host))
                this.note(`referrers API of ${from.host} not asked: it is reached through a proxy`);
            this.proxied.add(from.host);
            return undefined;
        }
        if (!this.clients.has(from.host)) {
            // Docker Hub's API host is not the name its references use (skopeo maps it the same way).
            const server = from.host === "docker.io" ? "registry-1.docker.io" : from.host;
            this.clients.set(from.host, new DistributionClient({ server, tlsVerify: this.o.upstreamTlsVerify }));
        }
        const listed = await this.clients
            .get(from.host)!
            .referrers(from.path, digest)
            .catch((e: Error) => {
                // Like a refused tag listing: the image itself was pulled, only its referrers are not found.
                this.note(`cannot ask the referrers API of ${from.host} for ${source}: ${e.message}`);
                return undefined;
            });
        return listed?.manifests.length ? referrersIndex(listed.manifests) : undefined;
    }
}

/**
 * The digest of the multi-platform index a tag names upstream, when the bundle would carry only one platform of
 * it and upstream attached something to the index itself (what `cosign sign <tag>` signs): then the whole index is
 * carried, so it keeps its upstream digest and those signatures still match it inside. Undefined otherwise.
 */
export async function signedIndex(o: AttachOptions, lookup: AttachmentLookup, source: string) {
    if (platformFlags(source, o.platforms).includes("--all")) return undefined;
    const raw = await skopeo([
        "inspect",
        "--raw",
        "--retry-times=3",
        `--tls-verify=${o.upstreamTlsVerify !== false}`,
        `docker://${pullReference(source, o.upstreamMirrors)}`,
    ]);
    if (!isIndex((JSON.parse(raw) as { mediaType?: string }).mediaType ?? "")) return undefined;
    const digest = `sha256:${sha256(raw)}`;
    return (await lookup.of(source, digest)).length ? digest : undefined;
}

/** The digests attachments are looked up for: the image's own and, for an index, each manifest it lists. */
function digestsOf(layout: string, a: ImageArtifact): string[] {
    if (!isIndex(a.mediaType)) return [a.digest];
    const doc = JSON.parse(fs.readFileSync(blobPath(layout, a.digest), "utf8")) as { manifests?: { digest: string }[] };
    return [a.digest, ...(doc.manifests ?? []).map((m) => m.digest)];
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
    lookup: AttachmentLookup,
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
    const found = (
        await mapLimit(images, o.parallel ?? 4, async (a) =>
            (await Promise.all(digestsOf(layout, a).map((d) => lookup.of(a.source, d)))).flat(),
        )
    ).flat();
    // Recorded in the order found (image, then each digest of it), whatever order the pulls finish in.
    const carried = await mapLimit(found, o.parallel ?? 4, async (t, i) => {
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
        note(`${reuse ? "reused" : "carried"} ${t.kind} ${t.ref}${t.index ? " (from the referrers API)" : ""}`);
        return { ...a, attached };
    });
    manifest.artifacts.push(...carried);
    writeManifest(o.out, manifest);
    const kinds = [...kept.map((a) => a.attached?.kind), ...found.map((t) => t.kind)];
    note(`upstream: ${attachmentSummary(kinds)} carried`);
}
