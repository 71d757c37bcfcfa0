/** Every `{path, value}` of string leaves under `v`, paths written like `a.b[0].c`. */
export function stringLeaves(v: unknown, at = ""): { path: string; value: string }[] {
    if (typeof v === "string") return [{ path: at, value: v }];
    if (Array.isArray(v)) return v.flatMap((x, i) => stringLeaves(x, `${at}[${i}]`));
    if (v !== null && typeof v === "object") {
        return Object.entries(v).flatMap(([k, x]) => stringLeaves(x, at ? `${at}.${k}` : k));
    }
    return [];
}
