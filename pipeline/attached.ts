/**
 * Upstream signatures and attestations (issue 14 §2). cosign stores them beside the image under tags named after
 * its digest: `sha256-<hex>.sig`, `.att` and `.sbom`; an OCI 1.1 registry without the referrers API keeps the
 * referrers index under the bare `sha256-<hex>` tag. The bundle carries every such tag it finds for an image's
 * digest and push puts it under the same tag, so `cosign verify` and admission policies inside the gap find the
 * vendor's signature next to the private copy (the digest is kept, so the tag name still matches).
 */
// No import from manifest.ts: it takes ATTACHMENT_KINDS from here.
import { formatImageRef, parseImageRef } from "../lib/imageref";
import { RegistryError } from "./registry-error";
import { classify, skopeo } from "./skopeo";

/** What an attached tag holds: a cosign signature, attestation or SBOM, or an OCI referrers index (bundle order). */
export const ATTACHMENT_KINDS = ["sig", "att", "sbom", "referrers"] as const;
export type AttachmentKind = (typeof ATTACHMENT_KINDS)[number];

/** One attached tag found for an image. */
export interface Attachment {
    kind: AttachmentKind;
    /** The upstream reference of the tag, e.g. `quay.io/ceph/ceph:sha256-<hex>.sig`. */
    ref: string;
}

const SUFFIX: Record<AttachmentKind, string> = { sig: ".sig", att: ".att", sbom: ".sbom", referrers: "" };

/** The tag an attachment of `kind` has for the image stored as `digest`: `sha256-<hex>` and the kind's suffix. */
function attachmentTag(digest: string, kind: AttachmentKind): string {
    return `sha256-${digest.slice("sha256:".length)}${SUFFIX[kind]}`;
}

/** The upstream reference of that tag in the repository of `source`. */
export function attachmentRef(source: string, digest: string, kind: AttachmentKind): string {
    return formatImageRef({ ...parseImageRef(source), tag: attachmentTag(digest, kind), digest: undefined });
}

/** The attached tags among `tags` for the image `source` stored as `digest`, in a fixed order. */
export function attachmentsOf(source: string, digest: string, tags: readonly string[]): Attachment[] {
    return ATTACHMENT_KINDS.filter((kind) => tags.includes(attachmentTag(digest, kind))).map((kind) => ({
        kind,
        ref: attachmentRef(source, digest, kind),
    }));
}

/** The repository part of a reference (`host/path`), the key tags are listed by. */
export function repositoryOf(ref: string): string {
    const r = parseImageRef(ref);
    return `${r.host}/${r.path}`;
}

/**
 * The tags of an upstream repository (`skopeo list-tags`). A registry that refuses to list tags (some do for
 * anonymous users) yields no tags and a warning: the image itself was pulled, only its signatures are not found.
 */
export async function listTags(
    repository: string,
    tlsVerify: boolean,
    warn: (line: string) => void,
): Promise<string[]> {
    try {
        const out = await skopeo([
            "list-tags",
            "--retry-times=3",
            `--tls-verify=${tlsVerify ? "true" : "false"}`,
            `docker://${repository}`,
        ]);
        return (JSON.parse(out) as { Tags?: string[] }).Tags ?? [];
    } catch (e) {
        if (!(e instanceof RegistryError) || classify(e.stderr) === "usage") throw e;
        warn(`cannot list the tags of ${repository}, so its signatures are not carried: ${e.message}`);
        return [];
    }
}

/** Counts per kind, for the bundle and push summaries: `2 signatures, 1 attestation`. */
export function attachmentSummary(kinds: readonly (AttachmentKind | undefined)[]): string {
    const words: [AttachmentKind, string][] = [
        ["sig", "signature"],
        ["att", "attestation"],
        ["sbom", "attached SBOM"],
        ["referrers", "referrers index"],
    ];
    const parts = words
        .map(([k, w]) => [kinds.filter((x) => x === k).length, w] as const)
        .filter(([n]) => n > 0)
        .map(([n, w]) => `${n} ${w}${n === 1 ? "" : w.endsWith("x") ? "es" : "s"}`);
    return parts.length ? parts.join(", ") : "no upstream signatures or attestations";
}
