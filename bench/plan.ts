/**
 * `npx tsx bench/plan.ts [runs]`: how long `npm run plan` takes, on the reference stack (`airgap`) and on that stack
 * scaled to 100 workers with 2 OSD disks each (200 OSDs), against the floor: `node` loading the Pulumi SDK alone.
 * Each command runs `runs` times (default 5), interleaved so a busy machine slows them alike; medians are printed,
 * and the ratios, which stay comparable when the machine is shared. Each run's CPU time (user + system, of the command
 * and its children, by `/usr/bin/time` where it is installed) is printed beside its wall time: the shared load
 * distorts it less. A first run (which builds the plan's bundle when the sources changed) is not counted.
 * `bench/speed.ts` prints these with the push and bundle figures.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { writeScaledStack } from "./plan-stacks";

const ROOT = path.resolve(__dirname, "..");

const TIME = "/usr/bin/time";

/** Wall time of one command and its CPU time (NaN without `/usr/bin/time`), in seconds; throws when it fails. */
function timed(cmd: string, args: string[]): { wall: number; cpu: number } {
    const cpuFile = path.join(os.tmpdir(), `bench-plan-cpu-${process.pid}`);
    const withTime = fs.existsSync(TIME);
    const [c, a] = withTime ? [TIME, ["-f", "%U %S", "-o", cpuFile, cmd, ...args]] : [cmd, args];
    const t = process.hrtime.bigint();
    const r = spawnSync(c, a, { cwd: ROOT, stdio: ["ignore", "ignore", "pipe"], encoding: "utf8" });
    const wall = Number(process.hrtime.bigint() - t) / 1e9;
    if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} exited ${r.status}: ${r.stderr}`);
    if (!withTime) return { wall, cpu: NaN };
    const [user, sys] = fs.readFileSync(cpuFile, "utf8").trim().split(/\s+/).slice(-2).map(Number);
    fs.rmSync(cpuFile);
    return { wall, cpu: user + sys };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** The plan figures, one line each. */
export function planFigures(runs = 5): string[] {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bench-plan-"));
    try {
        writeScaledStack(ROOT, dir, "big", 100, 2);
        const commands: Record<string, [string, string[]]> = {
            floor: [process.execPath, ["-e", 'require("@pulumi/pulumi")']],
            reference: ["npm", ["run", "-s", "plan", "--", "--stack", "airgap"]],
            big: ["npm", ["run", "-s", "plan", "--", "--stack", "big", "--dir", dir]],
            sources: [process.execPath, ["--import", "tsx", "cli/plan.ts", "--stack", "airgap"]],
        };
        const times: Record<string, { wall: number; cpu: number }[]> = Object.fromEntries(
            Object.keys(commands).map((k) => [k, []]),
        );
        const loadBefore = os.loadavg()[0];
        for (const [cmd, args] of Object.values(commands)) timed(cmd, args);
        for (let i = 0; i < runs; i++) {
            for (const [name, [cmd, args]] of Object.entries(commands)) times[name].push(timed(cmd, args));
        }
        const m = Object.fromEntries(Object.entries(times).map(([k, v]) => [k, median(v.map((x) => x.wall))]));
        const cpu = Object.fromEntries(Object.entries(times).map(([k, v]) => [k, median(v.map((x) => x.cpu))]));
        const s = (k: string) => `${m[k].toFixed(2)} s (CPU ${cpu[k].toFixed(2)} s)`;
        const r = (k: string) => `${(m[k] / m.floor).toFixed(2)}× the floor`;
        const load = `load average ${loadBefore.toFixed(1)} before, ${os.loadavg()[0].toFixed(1)} after`;
        return [
            `plan (median of ${runs}, wall and user+system CPU time, ${load}): floor (node loading @pulumi/pulumi) ${s("floor")}`,
            `  npm run plan -- --stack airgap: ${s("reference")} (${r("reference")}); from the TypeScript sources with tsx ${s("sources")} (${r("sources")})`,
            `  npm run plan, 100 workers / 200 OSDs: ${s("big")} (${r("big")})`,
        ];
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

if (require.main === module) console.log(planFigures(Number(process.argv[2] ?? 5)).join("\n"));
