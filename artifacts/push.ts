/**
 * Pushes the bundle's images into the private registry with skopeo, keeping every digest: images whose digest
 * is already there are skipped (a second push copies nothing), several images go at once, transient errors are
 * retried with backoff, and an interrupted push simply runs again.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { mapLimit, sha256 } from "./digest";
import { formatImageRef, mapImage, parseImageRef } from "./imageref";
import { isIndex } from "./layout";
import { IMAGES_DIR, imageArtifacts, type BundleManifest, type ImageArtifact } from "./manifest";
import { Progress } from "./progress";
import { registryAccess, skopeo, SkopeoError, type AccessOptions } from "./skopeo";

/** Options of {@link pushBundle}. */
export interface PushOptions {
    /** The bundle directory. */
    dir: string;
    manifest: BundleManifest;
    /** The registry and its credentials (server may carry a project path, e.g. `harbor.local/aihub`). */
    registry: AccessOptions;
    /** Images copied at once. @default 4 */
    parallel?: number;
    /** Retries per image after a transient failure. @default 3 */
    retries?: number;
    /** First backoff; doubles per retry. @default 1000 */
    backoffMs?: number;
    /** Where progress lines go. @default stdout */
    write?: (line: string) => void;
}

/** What a push did. */
export interface PushResult {
    /** Targets copied by this run. */
    copied: string[];
    /** Targets already present with the same digest. */
    skipped: string[];
    failed: { target: string; error: string }[];
}

/** The reference skopeo pushes to: the tag when there is one (a digest cannot be pushed as a tag), else the digest. */
export function pushReference(source: string, server: string): string {
    const t = parseImageRef(mapImage(source, server));
    return formatImageRef(t.tag ? { ...t, digest: undefined } : t);
}

function sleep(ms: number) {
    return new Promise((r) => setTimeout(r, ms));
}

/** The digest of what the registry holds at `ref`, or undefined when it holds nothing there. */
async function remoteDigest(ref: string, flags: string[]): Promise<string | undefined> {
    try {
        return `sha256:${sha256(await skopeo(["inspect", "--raw", ...flags, `docker://${ref}`]))}`;
    } catch (e) {
        if (e instanceof SkopeoError && /manifest unknown|not found|name unknown/i.test(e.stderr)) return undefined;
        throw e;
    }
}

/** Pushes every image of the bundle; rejects at once on credential or TLS errors, else reports per image. */
export async function pushBundle(o: PushOptions): Promise<PushResult> {
    const images = imageArtifacts(o.manifest);
    const access = registryAccess(o.registry);
    const progress = new Progress(
        images.length,
        images.reduce((n, a) => n + a.size, 0),
        o.write,
    );
    const result: PushResult = { copied: [], skipped: [], failed: [] };
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "aihub-push-"));
    try {
        // One probe first, so wrong credentials or an untrusted CA give one clear error, not one per image.
        if (images.length) await probe(pushReference(images[0].source, o.registry.server), access.flags(""), o);
        await mapLimit(images, o.parallel ?? 4, async (a, i) => {
            const ref = pushReference(a.source, o.registry.server);
            try {
                if ((await remoteDigest(ref, access.flags(""))) === a.digest) {
                    result.skipped.push(ref);
                    progress.finished("present", ref, a.size);
                    return;
                }
                await copyWithRetry(a, ref, path.join(tmp, `digest-${i}`), access.flags("dest"), o, progress);
                result.copied.push(ref);
                progress.finished("pushed", ref, a.size);
            } catch (e) {
                if (
                    e instanceof SkopeoError &&
                    !e.transient &&
                    /unauthorized|denied|x509|certificate/i.test(e.stderr)
                ) {
                    throw e;
                }
                result.failed.push({ target: ref, error: (e as Error).message });
                progress.finished("FAILED", ref, 0);
            }
        });
    } finally {
        access.cleanup();
        fs.rmSync(tmp, { recursive: true, force: true });
    }
    return result;
}

/** Checks that the registry accepts the credentials and its certificate is trusted. */
async function probe(ref: string, flags: string[], o: PushOptions): Promise<void> {
    try {
        await remoteDigest(ref, flags);
    } catch (e) {
        const msg = (e as Error).message;
        const host = o.registry.server;
        if (/unauthorized|authentication required|incorrect username/i.test(msg)) {
            throw new Error(
                `registry ${host} rejected the credentials of user "${o.registry.username}": check registry.username in the stack and the password (AIHUB_REGISTRY_PASSWORD or --password-stdin) [${msg}]`,
            );
        }
        if (/x509|certificate/i.test(msg)) {
            throw new Error(
                `cannot verify the TLS certificate of ${host}: set registry.caCert in the stack to the registry's CA [${msg}]`,
            );
        }
        if (e instanceof SkopeoError && !e.transient) throw e;
    }
}

async function copyWithRetry(
    a: ImageArtifact,
    ref: string,
    digestFile: string,
    flags: string[],
    o: PushOptions,
    progress: Progress,
): Promise<void> {
    const layout = path.join(o.dir, IMAGES_DIR);
    const args = ["copy", "--preserve-digests", "--retry-times=0", `--digestfile=${digestFile}`, ...flags];
    if (isIndex(a.mediaType)) args.push("--all");
    args.push(`oci:${layout}:${a.name}`, `docker://${ref}`);
    const tries = 1 + (o.retries ?? 3);
    for (let n = 1; ; n++) {
        try {
            progress.note(`copying ${a.source} -> ${ref}${n > 1 ? ` (attempt ${n} of ${tries})` : ""}`);
            await skopeo(args);
            break;
        } catch (e) {
            if (!(e instanceof SkopeoError) || !e.transient || n >= tries) throw e;
            const wait = (o.backoffMs ?? 1000) * 2 ** (n - 1);
            progress.note(`retrying ${ref} in ${wait} ms: ${e.message}`);
            await sleep(wait);
        }
    }
    const pushed = fs.readFileSync(digestFile, "utf8").trim();
    if (pushed !== a.digest) throw new Error(`registry stored ${ref} as ${pushed}, expected ${a.digest}`);
}
