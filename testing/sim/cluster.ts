/**
 * Starts and stops a simulated Kubernetes cluster on loopback: etcd, kube-apiserver, kube-controller-manager,
 * kube-scheduler and kwok built from Go modules (see engine/), fake nodes named after the stack's Ceph hosts, and
 * the stand-in controller (testing/sim/controller.ts). Everything lives in one directory (`.sim/` for the CLI); two sims
 * with different directories never share anything (ports come from a free-port search).
 */
import * as fs from "node:fs";
import * as http from "node:http";
import * as https from "node:https";
import * as path from "node:path";
import { absentBinaries, engineBinDir } from "../engine/paths";
import { ApiClient } from "../../lib/kube-api";
import { createPki, type Pki } from "./certs";
import {
    admissionConfig,
    apiserverArgs,
    apiserverUrl,
    controllerArgs,
    controllerManagerArgs,
    etcdArgs,
    FIRST_SERVICE_IP,
    kwokArgs,
    kwokEnv,
    schedulerArgs,
    schedulerConfig,
    simLayout,
    type PodSecurityLevel,
    type SimLayout,
    type SimPorts,
} from "./components";
import { SIM_CONTEXT, writeKubeconfig } from "./kubeconfig";
import { createNodes, nodeObjects, nodesNotReady } from "./nodes";
import { captureBlankDisks, SIM_DISKS_ANNOTATION, type DeclaredDisks } from "./disks";
import { freePorts, LOOPBACK } from "./ports";
import { assertRunning, isRunning, readPids, startProcess, stopProcesses, type ProcessRecord } from "./processes";
import { sleep } from "../../lib/async";

/** The binaries a sim needs from the engine directory. */
export const SIM_BINARIES = ["etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler", "kwok"];

/** Names of the sim binaries missing from `binDir` (default: `engineBinDir()`). */
export function missingBinaries(binDir = engineBinDir()): string[] {
    return absentBinaries(SIM_BINARIES, binDir);
}

/** What `startSim` needs. */
export interface SimOptions {
    /** Worker node names (the stack's `ceph.nodes[].hostname`); a control-plane node is added. */
    hostnames: string[];
    /** The sim's directory (created; removed again by `stopSim`). */
    dir: string;
    /** Where the binaries are (default `engineBinDir()`). */
    binDir?: string;
    /** Progress lines (default: none). */
    log?: (line: string) => void;
    /** How long to wait for the cluster to be ready, in ms (default 180 s). */
    timeoutMs?: number;
    /**
     * Kill the sim (SIGKILL, directory removed) when this Node process exits without calling `stop()`, so a
     * crashed test leaves nothing behind (default false: the CLI's sim outlives `up`).
     */
    killOnExit?: boolean;
    /**
     * The cluster-wide Pod Security default for namespaces without an enforce label (default: Kubernetes' own,
     * `privileged`), as a hardened cluster sets it.
     */
    podSecurityDefault?: PodSecurityLevel;
    /**
     * The stack's declared disks (`ceph.nodes[]`): each node gets a record of real blank devices of those sizes
     * (testing/sim/disks.ts; needs root), so the disk check pods of `pulumi up` run their script (default: none; a
     * check pod of a disk without a record fails saying so).
     */
    disks?: DeclaredDisks[];
}

/** The state file's content. */
export interface SimState {
    server: string;
    kubeconfig: string;
    nodes: string[];
    ports: SimPorts;
    startedAt: string;
}

/** A running sim. */
export interface SimHandle {
    dir: string;
    /** Absolute path of the admin kubeconfig (context `sim`). */
    kubeconfig: string;
    /** The API server's URL. */
    server: string;
    /** Every node's name, the control-plane node first. */
    nodes: string[];
    /** True when the directory already held a running sim, which was kept as it is. */
    alreadyRunning: boolean;
    /** An admin API client (close it when done, or let `stop` do it). */
    client: ApiClient;
    /** Stops every process and removes the directory (same as `stopSim(dir)`). */
    stop(): Promise<void>;
}

/** Polls `check` every `everyMs` until it returns true, the deadline passes (throws `what`) or `alive` throws. */
async function waitFor(
    what: string,
    deadline: number,
    check: () => Promise<boolean>,
    alive: () => void,
    everyMs = 200,
) {
    let last: unknown;
    for (;;) {
        alive();
        try {
            if (await check()) return;
        } catch (e) {
            last = e;
        }
        if (Date.now() > deadline) {
            throw new Error(`timed out waiting for ${what}${last ? ` (last error: ${(last as Error).message})` : ""}`);
        }
        await sleep(everyMs);
    }
}

/** GET a plain-HTTP or HTTPS URL (self-signed certificates accepted: only for health checks on loopback). */
function probe(url: string): Promise<{ status: number; body: string }> {
    return new Promise((resolve, reject) => {
        const mod = url.startsWith("https:") ? https : http;
        const req = mod.get(url, { rejectUnauthorized: false, timeout: 3000 }, (res) => {
            let body = "";
            res.on("data", (c: Buffer) => (body += c.toString("utf8")));
            res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
        });
        req.on("timeout", () => req.destroy(new Error(`${url}: no answer`)));
        req.on("error", reject);
    });
}

/** True when `dir` holds a sim whose recorded processes are all still running. */
export function simRunning(dir: string): boolean {
    const records = readPids(path.resolve(dir));
    return records.length > 0 && records.every(isRunning);
}

/** The state of the sim in `dir`, if it has one. */
export function readSimState(dir: string): SimState | undefined {
    try {
        return JSON.parse(fs.readFileSync(simLayout(dir).state, "utf8")) as SimState;
    } catch {
        return undefined;
    }
}

/** Is `dir` something stopSim may delete: missing, empty, or holding a sim's state file or pids. */
function isSimDir(dir: string): boolean {
    if (!fs.existsSync(dir)) return true;
    const entries = fs.readdirSync(dir);
    return entries.length === 0 || entries.includes("sim.json") || entries.includes("pids.json");
}

/**
 * Stops the sim in `dir`: every recorded process that still runs its recorded command line gets SIGTERM, then
 * SIGKILL after 5 s; then the directory is removed. Safe to call twice and on a directory that does not exist.
 * Refuses to delete a non-empty directory that is not a sim's.
 */
export async function stopSim(dir: string, log: (line: string) => void = () => undefined): Promise<void> {
    const d = path.resolve(dir);
    if (!isSimDir(d)) throw new Error(`${d} is not a sim directory (no sim.json or pids.json); not removing it`);
    const records = readPids(d);
    const running = records.filter(isRunning);
    // The stand-in controller and kwok first, etcd last (the reverse of the start order).
    const killed = await stopProcesses([...running].reverse());
    for (const r of running) log(`stopped ${r.name} (pid ${r.pid})${killed.includes(r.name) ? " with SIGKILL" : ""}`);
    fs.rmSync(d, { recursive: true, force: true });
}

/** Synchronously kills every recorded process still running and removes the directory (for process exit). */
function killNow(dir: string): void {
    for (const r of readPids(dir).filter(isRunning)) {
        try {
            process.kill(r.pid, "SIGKILL");
        } catch {
            // already gone
        }
    }
    fs.rmSync(dir, { recursive: true, force: true });
}

function handle(l: SimLayout, state: SimState, alreadyRunning: boolean, killOnExit = false): SimHandle {
    const client = ApiClient.fromKubeconfig(l.kubeconfig);
    const onExit = () => killNow(l.dir);
    if (killOnExit) process.on("exit", onExit);
    return {
        dir: l.dir,
        kubeconfig: l.kubeconfig,
        server: state.server,
        nodes: state.nodes,
        alreadyRunning,
        client,
        stop: async () => {
            process.off("exit", onExit);
            client.close();
            await stopSim(l.dir);
        },
    };
}

/**
 * Starts a sim in `opts.dir` and waits until it is ready: `/readyz` ok, the controller manager and scheduler
 * healthy, every node Ready, and the `default` ServiceAccount made (the controllers work). When the directory
 * already holds a running sim, returns it (`alreadyRunning`); when it holds a dead one, cleans it up first.
 * On failure every started process is stopped, the directory (with its logs) is kept, and the error names the log.
 */
export async function startSim(opts: SimOptions): Promise<SimHandle> {
    const l = simLayout(opts.dir);
    const log = opts.log ?? (() => undefined);
    const binDir = opts.binDir ?? engineBinDir();
    const t0 = Date.now();
    const step = (what: string) => log(`[${((Date.now() - t0) / 1000).toFixed(1).padStart(5)}s] ${what}`);

    const existing = readSimState(l.dir);
    if (existing && simRunning(l.dir)) return handle(l, existing, true, opts.killOnExit);
    if (!isSimDir(l.dir)) throw new Error(`${l.dir} is not empty and not a sim directory`);
    if (fs.existsSync(l.dir)) {
        step("cleaning up a stopped sim");
        await stopSim(l.dir);
    }
    const missing = missingBinaries(binDir);
    if (missing.length) {
        throw new Error(`missing binaries in ${binDir}: ${missing.join(", ")} (build them with npm run engine:build)`);
    }
    if (opts.hostnames.length === 0) throw new Error("no hostnames: the sim needs at least one worker node");

    fs.mkdirSync(l.dir, { recursive: true });
    const [etcdClient, etcdPeer, apiserver, controllerManager, scheduler] = await freePorts(5);
    const ports: SimPorts = { etcdClient, etcdPeer, apiserver, controllerManager, scheduler };
    const server = apiserverUrl(ports);
    const nodes = nodeObjects(opts.hostnames);
    const state: SimState = {
        server,
        kubeconfig: l.kubeconfig,
        nodes: nodes.map((n) => n.metadata.name),
        ports,
        startedAt: new Date().toISOString(),
    };
    fs.writeFileSync(l.state, JSON.stringify(state, null, 2) + "\n");

    const started: ProcessRecord[] = [];
    const deadline = Date.now() + (opts.timeoutMs ?? 180_000);
    const alive = () => started.forEach(assertRunning);
    let client: ApiClient | undefined;
    try {
        const pki: Pki = createPki(l.pki, FIRST_SERVICE_IP);
        fs.mkdirSync(path.dirname(l.kubeconfigs.kwok), { recursive: true });
        writeKubeconfig(l.kubeconfig, SIM_CONTEXT, server, pki.ca.cert, pki.admin);
        writeKubeconfig(l.kubeconfigs.controllerManager, SIM_CONTEXT, server, pki.ca.cert, pki.controllerManager);
        writeKubeconfig(l.kubeconfigs.scheduler, SIM_CONTEXT, server, pki.ca.cert, pki.scheduler);
        writeKubeconfig(l.kubeconfigs.kwok, SIM_CONTEXT, server, pki.ca.cert, pki.kwok);
        fs.writeFileSync(l.schedulerConfig, schedulerConfig(l));
        if (opts.podSecurityDefault) fs.writeFileSync(l.admissionConfig, admissionConfig(opts.podSecurityDefault));
        fs.mkdirSync(l.kwokWorkdir, { recursive: true });
        step(`certificates and kubeconfigs in ${l.dir}`);

        started.push(startProcess(l.dir, "etcd", etcdArgs(binDir, l, ports)));
        await waitFor(
            "etcd",
            deadline,
            async () => (await probe(`http://${LOOPBACK}:${etcdClient}/health`)).body.includes('"health":"true"'),
            alive,
            100,
        );
        step(`etcd ready on ${LOOPBACK}:${etcdClient}`);

        started.push(
            startProcess(l.dir, "kube-apiserver", apiserverArgs(binDir, l, pki, ports, !!opts.podSecurityDefault)),
        );
        client = ApiClient.fromKubeconfig(l.kubeconfig);
        const api = client;
        await waitFor(
            "kube-apiserver /readyz",
            deadline,
            async () => {
                const res = await api.request("GET", "/readyz", undefined, undefined, 3000);
                return res.status === 200 && res.body === "ok";
            },
            alive,
        );
        step(`kube-apiserver ready at ${server}`);

        started.push(startProcess(l.dir, "kube-controller-manager", controllerManagerArgs(binDir, l, pki, ports)));
        started.push(startProcess(l.dir, "kube-scheduler", schedulerArgs(binDir, l, ports)));
        started.push(startProcess(l.dir, "kwok", kwokArgs(binDir, l), { env: kwokEnv(l) }));
        started.push(startProcess(l.dir, "controller", controllerArgs(l)));
        await createNodes(api, nodes);
        if (opts.disks?.length) {
            for (const [host, disks] of captureBlankDisks(opts.disks)) {
                await api.mergePatch(`/api/v1/nodes/${host}`, {
                    metadata: { annotations: { [SIM_DISKS_ANNOTATION]: JSON.stringify(disks) } },
                });
            }
            step("blank disks recorded for the disk check");
        }
        step(`controller-manager, scheduler, kwok and the stand-in controller started; ${nodes.length} nodes created`);

        const healthy = async (port: number) => (await probe(`https://${LOOPBACK}:${port}/healthz`)).body === "ok";
        await waitFor("kube-controller-manager /healthz", deadline, () => healthy(controllerManager), alive);
        await waitFor("kube-scheduler /healthz", deadline, () => healthy(scheduler), alive);
        step("controller-manager and scheduler healthy");

        await waitFor(
            `nodes Ready (${state.nodes.join(", ")})`,
            deadline,
            async () => (await nodesNotReady(api, state.nodes)).length === 0,
            alive,
            250,
        );
        await waitFor(
            "the default ServiceAccount",
            deadline,
            async () => !!(await api.get("/api/v1/namespaces/default/serviceaccounts/default")),
            alive,
            250,
        );
        step(`${state.nodes.length} nodes Ready; cluster ready`);
        client.close();
        return handle(l, state, false, opts.killOnExit);
    } catch (e) {
        client?.close();
        await stopProcesses([...started].reverse());
        throw new Error(`sim failed to start: ${(e as Error).message}\n(logs in ${path.join(l.dir, "logs")})`);
    }
}
