/**
 * The real CSI machinery as processes of the sim, in place of a test marking VolumeSnapshots ready: external-snapshotter
 * v8.6.0's snapshot-controller, and per CSI driver name the csi-provisioner (external-provisioner v5.3.0) and
 * csi-snapshotter sidecars talking over a unix socket to csi-test v4.0.2's mock CSI driver, which answers as that
 * driver (`--name`) and keeps its volumes and snapshots in memory (built by `npm run controllers:build`; see
 * testing/controllers-paths.ts). Each runs with the sim's kubeconfig and leader election on, as the sidecars run in
 * Rook's CSI controller plugin and our snapshot-controller Deployment; their Leases (in {@link CSI_LEASE_NAMESPACE})
 * tell when they work, and the stand-in provisioner of testing/sim/controller.ts leaves every claim of a driver whose
 * real provisioner holds its Lease to it.
 *
 * What is real: the VolumeSnapshot → VolumeSnapshotContent → CreateSnapshot flow and its status and errors, and the
 * claim → CreateVolume → PersistentVolume flow (also from a VolumeSnapshot data source), with the secrets our
 * StorageClass and VolumeSnapshotClass name looked up as the sidecars do. What is not: no data is stored or copied
 * (the mock has no volumes, only their records), there is no node plugin (no mounts; kwok runs the pods).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { sleep } from "../../lib/async";
import type { ApiClient } from "../../lib/kube-api";
import { CSI_MOCK, CSI_SIDECARS, upstreamBinary, type UpstreamBuild } from "../controllers-paths";
import { assertRunning, startProcess, type ProcessRecord } from "./processes";

/** The namespace of the sidecars' and the snapshot-controller's leader-election Leases. */
export const CSI_LEASE_NAMESPACE = "kube-system";
/** The snapshot-controller's Lease (external-snapshotter cmd/snapshot-controller/main.go@v8.6.0 `lockName`). */
export const SNAPSHOT_CONTROLLER_LEASE = "snapshot-controller-leader";

/**
 * A Lease name as csi-lib-utils v0.24.0 leaderelection/leader_election.go `sanitizeName` makes it: every character
 * but letters, digits and `-` becomes `-`, and a trailing `-` gets an `X`.
 */
export function leaseName(name: string): string {
    const s = name.replace(/[^a-zA-Z0-9-]/g, "-");
    return s.endsWith("-") ? `${s}X` : s;
}

/** The csi-provisioner's Lease of a driver (external-provisioner cmd/csi-provisioner/csi-provisioner.go@v5.3.0). */
export function provisionerLease(driver: string): string {
    return leaseName(driver.replace(/\//g, "-"));
}

/** The csi-snapshotter's Lease of a driver (external-snapshotter cmd/csi-snapshotter/main.go@v8.6.0). */
export function snapshotterLease(driver: string): string {
    return leaseName(`external-snapshotter-leader-${driver.replace(/\//g, "-")}`);
}

const BINARIES: [UpstreamBuild, string][] = [
    [CSI_SIDECARS, "snapshot-controller"],
    [CSI_SIDECARS, "csi-snapshotter"],
    [CSI_SIDECARS, "csi-provisioner"],
    [CSI_MOCK, "csi-mock-driver"],
];

/** The CSI binaries not built yet (full paths). */
export function missingCsiBinaries(): string[] {
    return BINARIES.map(([b, bin]) => upstreamBinary(b, bin)).filter((f) => !fs.existsSync(f));
}

/** The sim a CSI stack is started in. */
export interface CsiSim {
    /** The sim's directory (its processes are recorded there, so stopping the sim stops them). */
    dir: string;
    kubeconfig: string;
    client: ApiClient;
}

/** True when the Lease `name` has a holder. */
async function held(client: ApiClient, name: string): Promise<boolean> {
    const lease = await client.get(
        `/apis/coordination.k8s.io/v1/namespaces/${CSI_LEASE_NAMESPACE}/leases/${encodeURIComponent(name)}`,
    );
    return !!(lease?.spec as { holderIdentity?: string } | undefined)?.holderIdentity;
}

/**
 * Starts the snapshot-controller and, for each of `drivers`, a mock CSI driver of that name with its csi-provisioner
 * and csi-snapshotter; resolves once every one holds its Lease. The snapshot CRDs must be installed first (the
 * sidecars' informers watch them). Fails naming the binary when one is not built, and with the log's tail when a
 * process exits or a Lease is not taken within `timeoutMs`.
 */
export async function startCsi(sim: CsiSim, drivers: string[], timeoutMs = 90_000): Promise<void> {
    const missing = missingCsiBinaries();
    if (missing.length) throw new Error(`CSI binaries not built: ${missing.join(", ")} (npm run controllers:build)`);
    const socketDir = path.join(sim.dir, "csi");
    fs.mkdirSync(socketDir, { recursive: true });
    const common = [
        `--kubeconfig=${sim.kubeconfig}`,
        "--leader-election=true",
        `--leader-election-namespace=${CSI_LEASE_NAMESPACE}`,
    ];
    const started: ProcessRecord[] = [];
    const leases: [string, ProcessRecord][] = [];
    const start = (name: string, build: UpstreamBuild, bin: string, args: string[], env?: Record<string, string>) => {
        const r = startProcess(sim.dir, name, [upstreamBinary(build, bin), ...args], { env });
        started.push(r);
        return r;
    };
    leases.push([SNAPSHOT_CONTROLLER_LEASE, start("snapshot-controller", CSI_SIDECARS, "snapshot-controller", common)]);
    drivers.forEach((driver, i) => {
        // A unix socket path has at most 107 characters: a short name in the sim's directory.
        const socket = path.join(socketDir, `d${i}.sock`);
        if (socket.length > 107) throw new Error(`CSI socket path too long for a unix socket: ${socket}`);
        const tag = provisionerLease(driver);
        start(`csi-mock-${tag}`, CSI_MOCK, "csi-mock-driver", [`--name=${driver}`], {
            CSI_ENDPOINT: `unix://${socket}`,
        });
        const sidecar = [...common, `--csi-address=${socket}`];
        leases.push([tag, start(`csi-provisioner-${tag}`, CSI_SIDECARS, "csi-provisioner", sidecar)]);
        leases.push([
            snapshotterLease(driver),
            start(`csi-snapshotter-${tag}`, CSI_SIDECARS, "csi-snapshotter", sidecar),
        ]);
    });
    const deadline = Date.now() + timeoutMs;
    for (const [lease, record] of leases) {
        for (;;) {
            started.forEach(assertRunning);
            if (await held(sim.client, lease)) break;
            if (Date.now() > deadline) {
                throw new Error(`${record.name} took no Lease ${CSI_LEASE_NAMESPACE}/${lease} (log: ${record.log})`);
            }
            await sleep(250);
        }
    }
}
