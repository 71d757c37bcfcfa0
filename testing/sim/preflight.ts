/**
 * The sim's stand-in for the disk check containers (kwok runs no container): a Running preflight pod ends as the
 * real one would, with the problems `diskProblems` finds in the node's fake disks as its termination message.
 * A node's disks come from its annotation {@link SIM_DISKS_ANNOTATION} (device path → what the tools would say); a
 * node without it has every declared disk present, empty and of the declared size.
 */
import type { NodeDisk } from "../../config/disks";
import { quantityBytes } from "../../lib/quantity";
import { DISK_ANNOTATION, PREFLIGHT_COMPONENT } from "../../modules/ceph/preflight-job";
import { diskProblems, type DeviceReport, type LsblkDevice } from "../../modules/ceph/preflight";
import type { ApiClient, KubeObject } from "../../lib/kube-api";

/** Node annotation with the node's fake disks: JSON `{ "<path>": FakeDisk }`; a path not listed does not exist. */
export const SIM_DISKS_ANNOTATION = "sim.aihub-airgap/disks";

/** One fake disk: its lsblk tree, blkid fields and host mount points. */
export interface FakeDisk {
    lsblk: LsblkDevice;
    blkid?: Record<string, string>;
    mounts?: string[];
}

/** What the tools would report for a declared disk on a node with the given annotation. */
export function fakeReport(disk: NodeDisk, annotation: string | undefined): DeviceReport {
    if (annotation === undefined) {
        const name = disk.path.split("/").pop() ?? "disk";
        const lsblk = {
            name,
            path: disk.path,
            "maj:min": "259:0",
            size: quantityBytes(disk.size),
            type: "disk",
            fstype: null,
            pttype: null,
            mountpoint: null,
        };
        return { tree: lsblk, blkid: {}, mounts: [] };
    }
    const fake = (JSON.parse(annotation) as Record<string, FakeDisk>)[disk.path];
    return fake ? { tree: fake.lsblk, blkid: fake.blkid ?? {}, mounts: fake.mounts ?? [] } : { blkid: {}, mounts: [] };
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
        const problems = diskProblems(
            disk,
            fakeReport(disk, nodes.get(nodeName)?.metadata.annotations?.[SIM_DISKS_ANNOTATION]),
        );
        const now = new Date().toISOString().replace(/\.\d+Z$/, "Z");
        const exitCode = problems.length > 0 ? 1 : 0;
        const container = (pod.spec?.containers as { name: string; image: string }[])[0];
        const status = {
            phase: exitCode ? "Failed" : "Succeeded",
            // A merge patch replaces the list: keep the conditions a kubelet keeps (the provider reads them in order).
            conditions: [
                { type: "PodScheduled", status: "True", lastTransitionTime: now },
                { type: "Initialized", status: "True", lastTransitionTime: now },
                {
                    type: "Ready",
                    status: "False",
                    reason: exitCode ? "PodFailed" : "PodCompleted",
                    lastTransitionTime: now,
                },
                {
                    type: "ContainersReady",
                    status: "False",
                    reason: exitCode ? "PodFailed" : "PodCompleted",
                    lastTransitionTime: now,
                },
            ],
            containerStatuses: [
                {
                    name: container.name,
                    image: container.image,
                    imageID: "",
                    ready: false,
                    started: false,
                    restartCount: 0,
                    state: {
                        terminated: {
                            exitCode,
                            reason: exitCode ? "Error" : "Completed",
                            message: problems.join("\n"),
                            startedAt: now,
                            finishedAt: now,
                        },
                    },
                },
            ],
        };
        const path = `/api/v1/namespaces/${pod.metadata.namespace}/pods/${pod.metadata.name}/status`;
        await client.mergePatch(path, { status });
        log(`preflight ${pod.metadata.name} on ${nodeName}: ${problems.length} problem(s)`);
    }
}
