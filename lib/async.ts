/** Small async helpers: waiting, bounded concurrency and retries with backoff. */

/** Resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
    return new Promise((r) => setTimeout(r, ms));
}

/** Maps `items` with at most `limit` calls of `fn` running at once; results keep the input order. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, i: number) => Promise<R>) {
    const out = new Array<R>(items.length);
    let next = 0;
    const worker = async () => {
        while (next < items.length) {
            const i = next++;
            out[i] = await fn(items[i], i);
        }
    };
    await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
    return out;
}

/** A limiter: tasks given to it run at most `n` at once, across all callers, in the order they arrive. */
export function pool(n: number) {
    let running = 0;
    const waiting: (() => void)[] = [];
    return async <T>(task: () => Promise<T>): Promise<T> => {
        if (running >= n) await new Promise<void>((r) => waiting.push(r));
        running++;
        try {
            return await task();
        } finally {
            running--;
            waiting.shift()?.();
        }
    };
}

/** How {@link retry} retries. */
export interface RetryOptions {
    /** Attempts in all, the first included. */
    tries: number;
    /** Wait before the second attempt; doubles for each one after. */
    backoffMs: number;
    /** Whether a failure may be cured by trying again; others are thrown at once. */
    retryable(e: unknown): boolean;
    /** Told of each retry before its wait. @default nothing */
    onRetry?(e: unknown, waitMs: number): void;
    /** A wait the failure itself asks for (a registry's Retry-After); used when longer than the backoff. */
    waitOf?(e: unknown): number | undefined;
}

/** Runs `task` (given the attempt number, from 1) until it succeeds, fails for good or runs out of tries. */
export async function retry<T>(o: RetryOptions, task: (attempt: number) => Promise<T>): Promise<T> {
    for (let n = 1; ; n++) {
        try {
            return await task(n);
        } catch (e) {
            if (!o.retryable(e) || n >= o.tries) throw e;
            const wait = Math.max(o.backoffMs * 2 ** (n - 1), o.waitOf?.(e) ?? 0);
            o.onRetry?.(e, wait);
            await sleep(wait);
        }
    }
}
