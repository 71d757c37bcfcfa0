/**
 * The push hot path over the OCI distribution API: an image whose digest the registry already holds is skipped,
 * a blob the repository already has is not sent, a blob another repository got in this run is mounted, every
 * other blob streams from the layout; uploads of all images share one bounded pool, and each image's manifests
 * go last (children by digest, then the top one by its tag) with their exact bytes, so digests stay upstream's.
 */
import * as path from "node:path";
import { DistributionClient } from "./distribution";
import { parseImageRef } from "../lib/imageref";
import { sha256 } from "../lib/digest";
import { blobPath, MAX_MANIFEST_BYTES, readSmallFile, type ManifestBytes, type WalkedImage } from "./layout";
import { hasSubject, mergeAttached } from "./push-merge";
import { IMAGES_DIR, imageArtifacts, type ImageArtifact } from "./manifest";
import { Progress } from "./progress";
import type { PushOptions, PushResult } from "./push-refs";
import { pushReference, registryProblem } from "./push-refs";
import { pool, retry as retryWithBackoff } from "../lib/async";
import { isTransientFailure, RegistryError, retryAfterOf } from "./registry-error";

/** The verified parts of an image; throws when verify did not walk it (a caller that skipped verify). */
export function verifiedImage(o: Pick<PushOptions, "images">, a: ImageArtifact): WalkedImage {
    const w = o.images.get(a.name);
    if (!w) throw new Error(`${a.source} was not verified: push only what verify walked`);
    return w;
}

/** A small blob of the layout (an attached manifest's config), read now and checked against its digest. */
function verifiedBlob(layout: string, digest: string): Buffer {
    const bytes = readSmallFile(blobPath(layout, digest), MAX_MANIFEST_BYTES);
    if (`sha256:${sha256(bytes)}` !== digest) throw new Error(`blob ${digest} does not match its digest`);
    return bytes;
}

/** Pushes the bundle through the distribution API; same contract as pushBundle. */
export async function pushDirect(o: PushOptions): Promise<PushResult> {
    const images = imageArtifacts(o.manifest);
    const layout = path.join(o.dir, IMAGES_DIR);
    const parallel = o.parallel ?? 4;
    const client = new DistributionClient(o.registry, parallel * 2);
    const progress = new Progress(
        images.length,
        images.reduce((n, a) => n + a.size, 0),
        o.write,
    );
    const result: PushResult = { copied: [], skipped: [], failed: [] };
    const limit = pool(parallel * 2);
    const sizes = new Map(images.flatMap((a) => a.blobs.map((b) => [b.digest, b.size] as const)));
    // digest → the repository that got it first in this run (mount source) and that upload.
    const first = new Map<string, { repo: string; done: Promise<void> }>();
    const retry = (what: string, task: () => Promise<void>) =>
        retryWithBackoff(
            {
                tries: 1 + (o.retries ?? 3),
                backoffMs: o.backoffMs ?? 1000,
                retryable: isTransientFailure,
                waitOf: retryAfterOf,
                onRetry: (e, wait) => progress.note(`retrying ${what} in ${wait} ms: ${(e as Error).message}`),
            },
            task,
        );
    // repository + digest → the one transfer that links the blob there. Two images of one repository that need the
    // same blob wait for the same transfer: a second upload or mount would make distribution 2.8 write the
    // repository's link file for the blob again, which its filesystem driver does in place (truncate, then write:
    // registry/storage/driver/filesystem/driver.go, PutContent through Writer with append=false, made atomic only by
    // distribution PR #4624 in 3.x), and a manifest PUT of the first image that reads the link in between is
    // refused with MANIFEST_BLOB_UNKNOWN.
    const linked = new Map<string, Promise<void>>();
    const blob = (repo: string, digest: string): Promise<void> => {
        const key = `${repo}@${digest}`;
        const known = linked.get(key);
        if (known) return known;
        const done = link(repo, digest);
        linked.set(key, done);
        return done;
    };
    const link = (repo: string, digest: string): Promise<void> => {
        const size = sizes.get(digest)!;
        const earlier = first.get(digest);
        if (earlier) {
            return earlier.done.then(
                () =>
                    limit(() => retry(`${digest}`, () => client.ensureBlob(repo, digest, size, layout, earlier.repo))),
                () => limit(() => retry(`${digest}`, () => client.ensureBlob(repo, digest, size, layout))),
            );
        }
        const done = limit(() => retry(`${digest}`, () => client.ensureBlob(repo, digest, size, layout)));
        first.set(digest, { repo, done });
        return done;
    };
    /** Runs `step` for one image; an error that concerns the image alone marks it failed (resolves false). */
    const guarded = async (a: ImageArtifact, step: (ref: string, repo: string, tag?: string) => Promise<boolean>) => {
        const ref = pushReference(a.source, o.registry.server);
        const r = parseImageRef(ref);
        try {
            return await step(ref, r.path, r.tag);
        } catch (e) {
            const fatal = registryProblem(e, o.registry, ref);
            if (fatal) throw fatal;
            result.failed.push({ target: ref, error: `${ref} on ${o.registry.server}: ${(e as Error).message}` });
            progress.finished("FAILED", ref, 0);
            return false;
        }
    };
    /** True when the image must be sent; an image already there lends its blobs as mount sources. */
    const missing = (a: ImageArtifact) =>
        guarded(a, async (ref, repo, tag) => {
            if ((await client.manifestDigest(repo, tag ?? a.digest)) !== a.digest) return true;
            for (const b of a.blobs) if (!first.has(b.digest)) first.set(b.digest, { repo, done: Promise.resolve() });
            result.skipped.push(ref);
            progress.finished("present", ref, a.size);
            return false;
        });
    /**
     * Puts an attached tag (cosign's `.sig`/`.att`/`.sbom`, or the referrers fallback tag) without erasing what the
     * registry holds there (push-merge.ts): the fallback tag is not written when the registry answered OCI-Subject
     * for every referrer, a tag the registry lacks gets the bundle's bytes, and a tag that differs is merged by digest.
     */
    const placeAttached = async (
        a: ImageArtifact,
        m: ManifestBytes,
        repo: string,
        tag: string,
        ref: string,
        referrers: { withSubject: number; indexed: number },
    ) => {
        if (a.attached?.kind === "referrers" && referrers.withSubject && referrers.indexed === referrers.withSubject) {
            progress.note(`${ref}: the registry indexes the referrers itself (OCI-Subject); no fallback tag written`);
            return;
        }
        await retry(ref, async () => {
            const theirs = await client.getManifest(repo, tag);
            if (!theirs || theirs.digest === m.digest) {
                const stored = await client.putManifest(repo, tag, m.mediaType, m.bytes);
                if (stored && stored !== m.digest)
                    throw new Error(`registry ${o.registry.server} stored ${ref} as ${stored}, expected ${m.digest}`);
                return;
            }
            const config = (JSON.parse(m.bytes.toString("utf8")) as { config?: { digest: string } }).config;
            const merged = mergeAttached(m.bytes, theirs.bytes, config && verifiedBlob(layout, config.digest));
            if (merged.kind === "kept") {
                progress.note(`${ref}: the registry's tag already holds every entry of the bundle's; left as it is`);
                return;
            }
            if (merged.kind === "manifest") await client.putBlob(repo, merged.config);
            await client.putManifest(repo, tag, m.mediaType, merged.bytes);
            progress.note(`${ref}: merged with what the registry held (entries added inside the gap kept)`);
        });
    };
    const send = (a: ImageArtifact) =>
        guarded(a, async (ref, repo, tag) => {
            const parts = verifiedImage(o, a);
            progress.note(`pushing ${a.source} -> ${ref} (${parts.blobs.length} blobs)`);
            // Every blob's transfer ends (done, or failed after its retries) before the image is reported: a failure
            // reported while other uploads of the image went on retrying would outlive the push, and race a re-run
            // (seen: the same blob sent twice to one repository by a re-run after a registry came back).
            const settled = await Promise.allSettled(parts.blobs.map((b) => blob(repo, b.digest)));
            const failed = settled.find((r): r is PromiseRejectedResult => r.status === "rejected");
            if (failed) throw failed.reason;
            // Referrers (children of a referrers index) that the registry indexes itself, answering OCI-Subject.
            const referrers = { withSubject: 0, indexed: 0 };
            for (const m of parts.manifests) {
                const top = m.digest === a.digest;
                if (top && a.attached && tag) {
                    await placeAttached(a, m, repo, tag, ref, referrers);
                    continue;
                }
                let stored = "";
                const put = () =>
                    retry(ref, async () => {
                        const reply = await client.putManifestReply(
                            repo,
                            top && tag ? tag : m.digest,
                            m.mediaType,
                            m.bytes,
                        );
                        stored = reply.digest;
                        if (a.attached?.kind === "referrers" && hasSubject(m.bytes)) {
                            referrers.withSubject++;
                            if (reply.subject) referrers.indexed++;
                        }
                    });
                try {
                    await put();
                } catch (e) {
                    // The registry says a blob of this image is not in the repository although its upload or
                    // mount was answered as done: another client (a second push at the same time) rewrote the
                    // blob's link in this repository while the manifest was checked (see `linked` above). Make
                    // sure of every blob again, without the shared shortcut, and try once more.
                    if (!(e instanceof RegistryError) || !/MANIFEST_BLOB_UNKNOWN/.test(e.message)) throw e;
                    progress.note(`${ref}: the registry lacks a blob of it; checking every blob again`);
                    for (const b of parts.blobs)
                        await limit(() => retry(b.digest, () => client.ensureBlob(repo, b.digest, b.size, layout)));
                    await put();
                }
                if (stored && stored !== m.digest) {
                    throw new Error(`registry ${o.registry.server} stored ${ref} as ${stored}, expected ${m.digest}`);
                }
            }
            result.copied.push(ref);
            progress.finished("pushed", ref, a.size);
            return true;
        });
    try {
        // One probe first, so wrong credentials or an untrusted CA give one clear error, not one per image.
        if (images.length) {
            const ref = pushReference(images[0].source, o.registry.server);
            const r = parseImageRef(ref);
            try {
                await client.manifestDigest(r.path, r.tag ?? images[0].digest);
            } catch (e) {
                const fatal = registryProblem(e, o.registry, ref);
                if (fatal) throw fatal;
                if (e instanceof RegistryError && !e.transient) throw e;
            }
        }
        // Which images are there decides first, so their blobs can be mounted instead of sent again.
        const todo = await Promise.all(images.map((a) => limit(() => missing(a))));
        await Promise.all(images.filter((_, i) => todo[i]).map(send));
    } finally {
        client.close();
    }
    return result;
}
