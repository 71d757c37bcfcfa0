/** Samples the command line of every process on the machine while the engine runs, to prove no secret is in one. */
import * as fs from "node:fs";

/** Collects `/proc/<pid>/cmdline` of every process every 100 ms between `start()` and `stop()`. */
export class ArgvSampler {
    readonly seen = new Set<string>();
    private timer?: NodeJS.Timeout;

    start(): void {
        this.sample();
        this.timer = setInterval(() => this.sample(), 100);
    }

    stop(): void {
        if (this.timer) clearInterval(this.timer);
        this.timer = undefined;
    }

    /** Command lines seen that contain `value`. */
    containing(value: string): string[] {
        return [...this.seen].filter((c) => c.includes(value));
    }

    private sample(): void {
        for (const pid of fs.readdirSync("/proc")) {
            if (!/^\d+$/.test(pid)) continue;
            try {
                this.seen.add(fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").join(" ").trim());
            } catch {
                // The process ended between the listing and the read.
            }
        }
    }
}
