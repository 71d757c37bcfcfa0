/**
 * The sim's stand-in for the disk check containers (kwok runs no container): a Running preflight pod runs its own
 * command — the real check script — here, with `lsblk` and `blkid` answering what the real tools answered about a
 * real device (testing/sim/disks.ts: the node's annotation {@link SIM_DISKS_ANNOTATION}, declared path → record) and
 * that capture's mountinfo, and ends as the real pod would: Failed with the script's termination log as its
 * termination message when it exits non-zero, Succeeded otherwise. A disk without a capture on its node cannot be
 * checked: the pod fails saying so (a test must capture its disks; startSim does for the stack's declared disks).
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { NodeDisk } from "../../config/disks";
import { DISK_ANNOTATION, PREFLIGHT_COMPONENT } from "../../modules/ceph/preflight-job";
import type { ApiClient, KubeObject } from "../../lib/kube-api";
import { keyHash, replayer, SIM_DISKS_ANNOTATION, type CapturedDisk } from "./disks";
import { endPod } from "./pods";

export { SIM_DISKS_ANNOTATION };

/** Runs a check pod's command against a captured disk; the exit code and the termination log. */
export function runCheck(
    command: string[],
    declaredPath: string,
    disk: CapturedDisk,
): { code: number; message: string } {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sim-check-"));
    try {
        const bin = path.join(dir, "bin");
        const replay = path.join(dir, "replay");
        fs.mkdirSync(bin);
        fs.mkdirSync(replay);
        for (const tool of ["lsblk", "blkid"]) fs.writeFileSync(path.join(bin, tool), replayer(tool), { mode: 0o755 });
        for (const [key, call] of Object.entries(disk.calls)) {
            const base = path.join(replay, keyHash(key));
            fs.writeFileSync(`${base}.out`, call.out);
            fs.writeFileSync(`${base}.err`, call.err);
            fs.writeFileSync(`${base}.code`, `${call.code}\n`);
        }
        fs.writeFileSync(path.join(dir, "mountinfo"), disk.mountinfo);
        const termlog = path.join(dir, "termination-log");
        const r = spawnSync(command[0], command.slice(1), {
            env: {
                PATH: `${bin}:/usr/sbin:/usr/bin:/sbin:/bin`,
                REPLAY: replay,
                SIM_DEV: declaredPath,
                MOUNTINFO: path.join(dir, "mountinfo"),
                TERMLOG: termlog,
            },
            encoding: "utf8",
            timeout: 30_000,
        });
        const message = fs.existsSync(termlog) ? fs.readFileSync(termlog, "utf8").trimEnd() : r.stderr.trimEnd();
        return { code: r.status ?? 1, message };
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

/** Ends every Running preflight pod: Failed with the problem lines, or Succeeded. */
export async function reconcilePreflight(client: ApiClient, log: (line: string) => void): Promise<void> {
    const selector = encodeURIComponent(`app.kubernetes.io/component=${PREFLIGHT_COMPONENT}`);
    const pods = await client.list(`/api/v1/pods?labelSelector=${selector}`);
    const nodes = new Map<string, KubeObject>();
    for (const pod of pods) {
        const nodeName = pod.spec?.nodeName as string | undefined;
        const raw = pod.metadata.annotations?.[DISK_ANNOTATION];
        if (pod.status?.phase !== "Running" || !nodeName || !raw || pod.metadata.deletionTimestamp) continue;
        if (!nodes.has(nodeName)) nodes.set(nodeName, (await client.get(`/api/v1/nodes/${nodeName}`))!);
        const disk = JSON.parse(raw) as NodeDisk;
        const captured = nodes.get(nodeName)?.metadata.annotations?.[SIM_DISKS_ANNOTATION];
        const record = captured ? (JSON.parse(captured) as Record<string, CapturedDisk>)[disk.path] : undefined;
        const container = (pod.spec?.containers as { name: string; image: string; command?: string[] }[])[0];
        const { code: exitCode, message } = record
            ? runCheck(container.command ?? [], disk.path, record)
            : {
                  code: 1,
                  message: `sim: no captured output of the real tools for ${disk.path} on node ${nodeName} (capture it with testing/sim/disks.ts captureDisks)`,
              };
        await endPod(client, pod, exitCode, message);
        log(`preflight ${pod.metadata.name} on ${nodeName}: exit ${exitCode}`);
    }
}
