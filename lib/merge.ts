/** Deep merge of Helm values, with Helm's own rule: mappings merge key by key, anything else is replaced. */

/** True for a plain mapping (not an array, not null). */
export function isMapping(v: unknown): v is Record<string, unknown> {
    return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Merges `layers` left to right; later layers win. Inputs are not modified. */
export function deepMerge(...layers: Record<string, unknown>[]): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const layer of layers) {
        for (const [k, v] of Object.entries(layer)) {
            out[k] = isMapping(v) && isMapping(out[k]) ? deepMerge(out[k], v) : structuredClone(v);
        }
    }
    return out;
}

/** The value at a dotted path (`a.b.c`), or undefined. */
export function getPath(root: unknown, dotted: string): unknown {
    let cur = root;
    for (const seg of dotted.split(".")) {
        if (!isMapping(cur)) return undefined;
        cur = cur[seg];
    }
    return cur;
}

/** A nested mapping holding `value` at a dotted path. */
export function atPath(dotted: string, value: unknown): Record<string, unknown> {
    return dotted
        .split(".")
        .reverse()
        .reduce<unknown>((inner, seg) => ({ [seg]: inner }), value) as Record<string, unknown>;
}
