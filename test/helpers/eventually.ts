/** Polls `fn` every 250 ms until it returns a value (not undefined or false); fails naming `what` after `ms`. */
import assert from "node:assert/strict";

export async function eventually<T>(what: string, fn: () => Promise<T | undefined | false>, ms = 30_000): Promise<T> {
    const deadline = Date.now() + ms;
    for (;;) {
        const v = await fn().catch(() => undefined);
        if (v !== undefined && v !== false) return v;
        if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
        await new Promise((r) => setTimeout(r, 250));
    }
}
