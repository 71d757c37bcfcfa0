/**
 * Pushes the bundle's images into the private registry, keeping every digest: images whose digest is already
 * there are skipped (a second push copies nothing), blobs go several at once (push-direct.ts; skopeo per image
 * when a proxy stands in the way), transient errors are retried with backoff, and an interrupted push runs again.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { mapLimit } from "../lib/async";
import { sha256 } from "../lib/digest";
import { dirView, isIndex } from "./layout";
import { IMAGES_DIR, imageArtifacts, type ImageArtifact } from "./manifest";
import { Progress } from "./progress";
import { proxyFor } from "./proxy";
import { pushDirect, verifiedImage } from "./push-direct";
import { scratchDir } from "./scratch";
import { retry } from "../lib/async";
import { isTransientFailure, RegistryError } from "./registry-error";
import { checkSkopeo, classify, registryAccess, registryHost, skopeo } from "./skopeo";
import { pushReference, registryProblem, type PushOptions, type PushResult } from "./push-refs";

/** The digest of what the registry holds at `ref`, or undefined when it holds nothing there. */
async function remoteDigest(ref: string, flags: string[]): Promise<string | undefined> {
    try {
        return `sha256:${sha256(await skopeo(["inspect", "--raw", ...flags, `docker://${ref}`]))}`;
    } catch (e) {
        if (e instanceof RegistryError && classify(e.stderr) === "missing") return undefined;
        throw e;
    }
}

/** Pushes every image of the bundle; rejects at once on credential or TLS errors, else reports per image. */
export async function pushBundle(o: PushOptions): Promise<PushResult> {
    // Through a proxy skopeo does the work (it honours the proxy environment); direct connections use the API.
    if (proxyFor(new URL(`https://${registryHost(o.registry.server)}/v2/`))) return pushWithSkopeo(o);
    return pushDirect(o);
}

/** Per-image skopeo copies; the path for registries reached through a proxy. */
async function pushWithSkopeo(o: PushOptions): Promise<PushResult> {
    const images = imageArtifacts(o.manifest);
    if (images.length) await checkSkopeo();
    const access = registryAccess(o.registry);
    const progress = new Progress(
        images.length,
        images.reduce((n, a) => n + a.size, 0),
        o.write,
    );
    const result: PushResult = { copied: [], skipped: [], failed: [] };
    const scratch = scratchDir("aihub-push-");
    const tmp = scratch.dir;
    try {
        // One probe first, so wrong credentials or an untrusted CA give one clear error, not one per image.
        if (images.length) await probe(pushReference(images[0].source, o.registry.server), access.flags(""), o);
        await mapLimit(images, o.parallel ?? 4, async (a, i) => {
            const ref = pushReference(a.source, o.registry.server);
            try {
                const held = await remoteDigest(ref, access.flags(""));
                if (held === a.digest) {
                    result.skipped.push(ref);
                    progress.finished("present", ref, a.size);
                    return;
                }
                // skopeo can only replace a tag; an attached tag the site changed inside the gap (its own
                // signatures) is left as it is rather than erased (the direct push merges it, push-merge.ts).
                if (held && a.attached) {
                    progress.note(
                        `${ref}: the registry holds another ${a.attached.kind} tag here; left as it is (through a proxy it cannot be merged)`,
                    );
                    result.skipped.push(ref);
                    progress.finished("present", ref, a.size);
                    return;
                }
                await copyWithRetry(a, ref, path.join(tmp, `image-${i}`), access.flags("dest"), o, progress);
                result.copied.push(ref);
                progress.finished("pushed", ref, a.size);
            } catch (e) {
                const fatal = registryProblem(e, o.registry, ref);
                if (fatal) throw fatal;
                result.failed.push({ target: ref, error: (e as Error).message });
                progress.finished("FAILED", ref, 0);
            }
        });
    } finally {
        access.cleanup();
        scratch.remove();
    }
    return result;
}

/** Checks that the registry accepts the credentials and its certificate is trusted. */
async function probe(ref: string, flags: string[], o: PushOptions): Promise<void> {
    try {
        await remoteDigest(ref, flags);
    } catch (e) {
        const fatal = registryProblem(e, o.registry, ref);
        if (fatal) throw fatal;
        if (e instanceof RegistryError && !e.transient) throw e;
    }
}

/** Copies one image from a `dir:` view of the layout (see {@link dirView}), keeping its manifest bytes. */
async function copyWithRetry(
    a: ImageArtifact,
    ref: string,
    scratch: string,
    flags: string[],
    o: PushOptions,
    progress: Progress,
): Promise<void> {
    const view = path.join(scratch, "image");
    const digestFile = path.join(scratch, "digest");
    dirView(path.join(o.dir, IMAGES_DIR), verifiedImage(o, a), a.digest, view);
    const args = ["copy", "--preserve-digests", "--retry-times=0", `--digestfile=${digestFile}`, ...flags];
    if (isIndex(a.mediaType)) args.push("--all");
    args.push(`dir:${view}`, `docker://${ref}`);
    const tries = 1 + (o.retries ?? 3);
    await retry(
        {
            tries,
            backoffMs: o.backoffMs ?? 1000,
            retryable: isTransientFailure,
            onRetry: (e, wait) => progress.note(`retrying ${ref} in ${wait} ms: ${(e as Error).message}`),
        },
        (n) => {
            progress.note(`copying ${a.source} -> ${ref}${n > 1 ? ` (attempt ${n} of ${tries})` : ""}`);
            return skopeo(args);
        },
    );
    const pushed = fs.readFileSync(digestFile, "utf8").trim();
    if (pushed !== a.digest) throw new Error(`registry stored ${ref} as ${pushed}, expected ${a.digest}`);
}
