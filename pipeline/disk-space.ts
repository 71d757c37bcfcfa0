/**
 * Disk space for what the pipeline writes: the free space of the filesystem a path is on, checked up front where the
 * size is known, and the words for a disk that filled up anyway (ENOSPC, a quota, or skopeo saying so).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { formatBytes } from "./progress";

/** Bytes an unprivileged writer may still use on the filesystem holding `p` (or its nearest existing parent). */
export function freeBytes(p: string): number {
    let dir = path.resolve(p);
    while (!fs.existsSync(dir) && path.dirname(dir) !== dir) dir = path.dirname(dir);
    const st = fs.statfsSync(dir);
    return st.bavail * st.bsize;
}

/** Why `need` bytes of `what` will not fit under `p`, or undefined when they do. */
export function spaceProblem(p: string, need: number, what: string): string | undefined {
    const free = freeBytes(p);
    if (free >= need) return undefined;
    return (
        `not enough disk space for ${what} in ${p}: it needs ${formatBytes(need)} and ${formatBytes(free)} is free ` +
        `on that filesystem (short by ${formatBytes(need - free)}); free space there or choose a folder on a larger ` +
        `filesystem, then run the command again`
    );
}

/** True when `e` says the disk (or a quota) is full. */
export function isDiskFull(e: unknown): boolean {
    const code = (e as NodeJS.ErrnoException | undefined)?.code;
    if (code === "ENOSPC" || code === "EDQUOT") return true;
    const text = `${(e as Error | undefined)?.message ?? ""} ${(e as { stderr?: string } | undefined)?.stderr ?? ""}`;
    return /no space left on device|disk quota exceeded/i.test(text);
}

/** The message for a disk that filled up while writing under `p`. */
export function diskFullMessage(p: string, doing: string): string {
    return (
        `the disk filled up ${doing} in ${p} (${formatBytes(freeBytes(p))} free now): free space on that filesystem ` +
        `or choose a folder on a larger one, then run the command again`
    );
}
