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
    ) {
        super(message);
    }
}

/** True for a RegistryError a retry may cure. */
export function isTransientFailure(e: unknown): boolean {
    return e instanceof RegistryError && e.transient;
}
