/**
 * What both push paths (skopeo and the distribution API) share: their options and result, the target reference and
 * the admin's error.
 */
import { formatImageRef, mapImage, parseImageRef } from "../lib/imageref";
import type { WalkedImage } from "./layout";
import type { BundleManifest } from "./manifest";
import { RegistryError } from "./registry-error";
import { classify, type AccessOptions } from "./skopeo";

/** The reference skopeo pushes to: the tag when there is one (a digest cannot be pushed as a tag), else the digest. */
export function pushReference(source: string, server: string): string {
    const t = parseImageRef(mapImage(source, server));
    return formatImageRef(t.tag ? { ...t, digest: undefined } : t);
}

/**
 * The error that stops the whole push, worded for the admin: a missing Harbor project, a DENIED repository
 * (Harbor/Artifactory: no such project or no push right), rejected credentials, an untrusted certificate.
 * Undefined for errors that concern one image only.
 */
export function registryProblem(e: unknown, r: AccessOptions, ref: string): Error | undefined {
    if (!(e instanceof RegistryError)) return undefined;
    const msg = e.message;
    const host = r.server;
    switch (classify(e.stderr || msg)) {
        case "project":
            return new Error(
                `registry ${host} has no project for ${ref}: create the project (Harbor/Artifactory) or set registry.server to host/project of an existing one, e.g. harbor.local/aihub [${msg}]`,
            );
        case "denied":
            return new Error(
                `registry ${host} denied access to ${ref}: on Harbor or Artifactory this means the project or repository does not exist or user "${r.username}" may not push to it; create it, grant push rights, and set registry.server to host/project (e.g. harbor.local/aihub) [${msg}]`,
            );
        case "credentials":
            return new Error(
                `registry ${host} rejected the credentials of user "${r.username}": check registry.username in the stack and the password (AIHUB_REGISTRY_PASSWORD or --password-stdin) [${msg}]`,
            );
        case "tls":
            return new Error(
                `cannot verify the TLS certificate of ${host}: set registry.caCert in the stack to the registry's CA [${msg}]`,
            );
        case "usage":
            return e;
        default:
            return undefined;
    }
}

/** Options of {@link pushBundle}. */
export interface PushOptions {
    /** The bundle directory. */
    dir: string;
    manifest: BundleManifest;
    /** Each image as verify walked it (verify.ts): its manifests' bytes are what is pushed, never read again. */
    images: Map<string, WalkedImage>;
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
