/**
 * The reaper of one `npm run pulumi` run (started by cli/pulumi.ts, detached, output ignored):
 * `pulumi-reaper.ts <run folder> <pid>:<start time>…`. Waits until the launcher and the Pulumi CLI are gone, removes
 * the run's private temporary folder, and removes it again while orphaned plugins that carry its marker still run.
 * It removes nothing but a `.pulumi-tmp/run-<pid>-<random>` folder.
 */
import * as path from "node:path";
import { isRunDir, reap, type Watched } from "../lib/private-tmp";

function main(): void {
    const [dir, ...pids] = process.argv.slice(2);
    if (!dir || !isRunDir(path.resolve(dir)) || pids.length === 0) process.exit(2);
    const watch: Watched[] = pids.map((p) => {
        const [pid, start] = p.split(":");
        return start ? { pid: Number(pid), start } : { pid: Number(pid) };
    });
    reap(path.resolve(dir), watch).then(
        () => process.exit(0),
        () => process.exit(1),
    );
}

main();
