/** Plain progress lines (no TTY needed, so CI logs and `pulumi up` output read the same). */

/** Human-readable byte count: `1.5 MiB`. */
export function formatBytes(n: number): string {
    const units = ["B", "KiB", "MiB", "GiB", "TiB"];
    let v = n;
    let u = 0;
    while (v >= 1024 && u < units.length - 1) {
        v /= 1024;
        u++;
    }
    return u === 0 ? `${n} B` : `${v.toFixed(1)} ${units[u]}`;
}

/** Counts artifacts and bytes and prints one line per event. */
export class Progress {
    private done = 0;
    private bytes = 0;

    constructor(
        private readonly total: number,
        private readonly totalBytes = 0,
        private readonly write: (line: string) => void = (l) => process.stdout.write(`${l}\n`),
    ) {}

    /** A line about an artifact that is starting or doing something. */
    note(text: string): void {
        this.write(`  ${text}`);
    }

    /** An artifact finished (copied, reused or skipped) with `size` bytes. */
    finished(verb: string, name: string, size: number): void {
        this.done++;
        this.bytes += size;
        const of = this.totalBytes ? ` of ${formatBytes(this.totalBytes)}` : "";
        this.write(
            `[${this.done}/${this.total}] ${verb} ${name} (${formatBytes(size)}; ${formatBytes(this.bytes)}${of} so far)`,
        );
    }
}
