/**
 * `npm run sim -- up --stack <name>` / `npm run sim -- down`: a simulated cluster on loopback (real API server,
 * kwok nodes named after the stack's Ceph hosts). State, logs and kubeconfig in `.sim/` (or `--dir`).
 *
 * The sim runs in the network namespace `aihub-sim`, whose only interface is loopback, so neither the API server nor
 * anything installed on it can dial an address off this machine (a chart's webhook Service, say). `up` creates the
 * namespace (root: `ip netns`) and starts the sim inside it; commands that talk to the sim run there too:
 * `ip netns exec aihub-sim <command>`. `down` stops the sim and removes the namespace.
 */
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { readSimState, simRunning, startSim, stopSim } from "./sim";
import { stackDisks, stackHostnames } from "./sim/stack";
import { parseCli, runCli } from "../cli/run";

const USAGE = "usage: npm run sim -- up --stack <name> [--dir <sim dir>] | npm run sim -- down [--dir <sim dir>]";

/** The named network namespace the sim runs in. */
const NETNS = "aihub-sim";

/** Runs `ip` with `args`; throws with its message when it fails. */
function ip(...args: string[]): void {
    const r = spawnSync("ip", args, { encoding: "utf8" });
    if (r.status !== 0) {
        throw new Error(
            `ip ${args.join(" ")}: ${(r.stderr || r.error?.message || "").trim()} (the sim needs root and iproute2 for its network namespace)`,
        );
    }
}

/** Re-runs this command inside the loopback-only namespace NETNS (made when missing); returns its exit code. */
function inNamespace(command: string): number {
    const exists = spawnSync("ip", ["netns", "list"], { encoding: "utf8" })
        .stdout?.split("\n")
        .some((l) => l.split(" ")[0] === NETNS);
    if (!exists) {
        if (command === "down") return -1;
        ip("netns", "add", NETNS);
    }
    ip("netns", "exec", NETNS, "ip", "link", "set", "lo", "up");
    const r = spawnSync(
        "ip",
        [
            "netns",
            "exec",
            NETNS,
            "env",
            "AIHUB_NETNS=loopback",
            process.execPath,
            ...process.execArgv,
            ...process.argv.slice(1),
        ],
        { stdio: "inherit" },
    );
    if (command === "down" && r.status === 0) ip("netns", "del", NETNS);
    return r.status ?? 1;
}

async function main(): Promise<number> {
    const parsed = parseCli(USAGE, {
        allowPositionals: true,
        options: {
            stack: { type: "string", short: "s" },
            dir: { type: "string" },
            help: { type: "boolean", short: "h" },
        },
    });
    if (!parsed) return 2;
    const { values: args, positionals } = parsed;
    if (args.help) {
        console.log(USAGE);
        return 0;
    }
    const projectDir = path.resolve(__dirname, "..");
    const dir = path.resolve(args.dir ?? path.join(projectDir, ".sim"));
    const [command, ...rest] = positionals;
    if (rest.length || (command !== "up" && command !== "down")) {
        console.error(`expected "up" or "down"\n${USAGE}`);
        return 2;
    }
    if (process.env.AIHUB_NETNS !== "loopback") {
        const code = inNamespace(command);
        if (code >= 0) return code;
    }
    if (command === "down") {
        await stopSim(dir, (line) => console.log(line));
        console.log(`sim stopped; ${dir} removed`);
        return 0;
    }
    if (!args.stack) {
        console.error(`--stack is required\n${USAGE}`);
        return 2;
    }
    if (simRunning(dir)) {
        const state = readSimState(dir);
        console.log(`a sim is already running in ${dir} (nodes: ${state?.nodes.join(", ") ?? "?"})`);
        console.log(`export KUBECONFIG=${state?.kubeconfig ?? path.join(dir, "kubeconfig")}`);
        return 0;
    }
    const hostnames = stackHostnames(projectDir, args.stack);
    const disks = stackDisks(projectDir, args.stack);
    const sim = await startSim({ hostnames, disks, dir, log: (line) => console.log(line) });
    sim.client.close();
    console.log(`nodes: ${sim.nodes.join(", ")}; API server ${sim.server}; stop with: npm run sim -- down`);
    console.log(`export KUBECONFIG=${sim.kubeconfig}`);
    console.log(`the sim is reachable only inside its network namespace: ip netns exec ${NETNS} <command> (e.g. bash)`);
    return 0;
}

runCli("sim", main);
