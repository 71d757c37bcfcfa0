/**
 * `npm run sim -- up --stack <name>` / `npm run sim -- down`: a simulated cluster on loopback (real API server,
 * kwok nodes named after the stack's Ceph hosts). State, logs and kubeconfig in `.sim/` (or `--dir`).
 */
import * as path from "node:path";
import { readSimState, simRunning, startSim, stopSim } from "./sim";
import { stackHostnames } from "./sim/stack";
import { parseCli, runCli } from "../cli/run";

const USAGE = "usage: npm run sim -- up --stack <name> [--dir <sim dir>] | npm run sim -- down [--dir <sim dir>]";

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
    const sim = await startSim({ hostnames, dir, log: (line) => console.log(line) });
    sim.client.close();
    console.log(`nodes: ${sim.nodes.join(", ")}; API server ${sim.server}; stop with: npm run sim -- down`);
    console.log(`export KUBECONFIG=${sim.kubeconfig}`);
    return 0;
}

runCli("sim", main);
