/**
 * A failed transfer to or from a registry, by a skopeo run or a distribution API call: what the tool or the registry
 * said, and whether a retry may help. Push and bundle word both the same way.
 */
export class RegistryError extends Error {
    constructor(
        message: string,
        /** skopeo's stderr, or the registry's response text. */
        readonly stderr: string,
        /** True for failures a retry may cure (5xx, 429, resets, time-outs). */
        readonly transient: boolean,
        /** How long the registry asked to wait before trying again (its `Retry-After`), in ms. */
        readonly retryAfterMs?: number,
    ) {
        super(message);
    }
}

/** The longest `Retry-After` honoured; a registry asking for more gets a failure the admin sees. */
export const MAX_RETRY_AFTER_MS = 5 * 60_000;

/** A `Retry-After` header (seconds, or an HTTP date) in ms from `now`; undefined when absent or malformed. */
export function parseRetryAfter(value: string | undefined, now = Date.now()): number | undefined {
    if (!value) return undefined;
    const ms = /^\d+$/.test(value.trim()) ? Number(value.trim()) * 1000 : Date.parse(value) - now;
    return Number.isFinite(ms) ? Math.min(Math.max(ms, 0), MAX_RETRY_AFTER_MS) : undefined;
}

/** The wait a failure asks for before the next attempt, if any. */
export function retryAfterOf(e: unknown): number | undefined {
    return e instanceof RegistryError ? e.retryAfterMs : undefined;
}

/** True for a RegistryError a retry may cure. */
export function isTransientFailure(e: unknown): boolean {
    return e instanceof RegistryError && e.transient;
}
