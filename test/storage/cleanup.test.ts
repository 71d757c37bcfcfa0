/** When Rook's disk wipe is over, and what to wipe by hand when it is not (modules/ceph/cleanup.ts, cli/cleanup-wait.ts). */
import assert from "node:assert/strict";
import * as path from "node:path";
import { describe, it } from "node:test";
import { kubeconfigFile, waitForCleanup, type CleanupWaitInput } from "../../cli/cleanup-wait";
import { cleanupJobName, cleanupNodes, cleanupProgress, type JobView } from "../../modules/ceph/cleanup";

const nodes = cleanupNodes({
    nodes: [
        {
            hostname: "worker1",
            monDisk: { path: "/dev/nvme1n1", size: "10Gi" },
            osdDisks: [{ path: "/dev/nvme2n1", size: "256Gi" }],
        },
        { hostname: "worker2", osdDisks: [{ path: "/dev/sdb", size: "100Gi" }] },
    ],
});

const job = (host: string, state: "Complete" | "Failed" | "running", pinned = false): JobView => ({
    metadata: { name: pinned ? "cluster-cleanup-job-3f9a" : cleanupJobName(host) },
    spec: { template: { spec: pinned ? { nodeSelector: { "kubernetes.io/hostname": host } } : {} } },
    status: state === "running" ? { active: 1 } : { conditions: [{ type: state, status: "True" }] },
});

const input: CleanupWaitInput = { namespace: "rook-ceph", nodes, dataDirHostPath: "/var/lib/rook", timeoutSeconds: 1 };

describe("Rook cleanup wait", () => {
    it("lists each node with a disk, its OSD devices and its mon device", () => {
        assert.deepEqual(nodes, [
            { hostname: "worker1", osdDevices: ["/dev/nvme2n1"], monDevice: "/dev/nvme1n1" },
            { hostname: "worker2", osdDevices: ["/dev/sdb"] },
        ]);
    });

    it("is done only when every node's Job completed (a shortened name matched by its node selector)", () => {
        assert.equal(cleanupProgress([], nodes).done, false);
        assert.deepEqual(cleanupProgress([job("worker1", "Complete"), job("worker2", "running")], nodes), {
            complete: ["worker1"],
            failed: [],
            pending: ["worker2"],
            done: false,
        });
        assert.equal(cleanupProgress([job("worker1", "Complete"), job("worker2", "Complete", true)], nodes).done, true);
    });

    it("waits for Jobs that appear late, then returns without a message", async () => {
        const answers: JobView[][] = [
            [],
            [job("worker1", "running")],
            [job("worker1", "Complete"), job("worker2", "Complete")],
        ];
        let calls = 0;
        const failure = await waitForCleanup(
            async () => answers[Math.min(calls++, 2)],
            { ...input, timeoutSeconds: 60 },
            () => undefined,
            5,
        );
        assert.equal(failure, undefined);
        assert.equal(calls, 3);
    });

    it("a failed Job ends the wait at once, naming the node, its devices and the mon disks to wipe by hand", async () => {
        const failure = await waitForCleanup(
            async () => [job("worker1", "Complete"), job("worker2", "Failed")],
            { ...input, timeoutSeconds: 600 },
            () => undefined,
            5,
        );
        assert.ok(failure);
        assert.match(failure, /failed on \[worker2\]/);
        assert.match(failure, /worker2: rm -rf \/var\/lib\/rook; wipefs -a \/dev\/sdb && sgdisk --zap-all \/dev\/sdb/);
        assert.match(failure, /worker1: wipefs -a \/dev\/nvme1n1 \(mon disk/);
        assert.doesNotMatch(failure, /nvme2n1/);
    });

    it("times out with the nodes still waiting; API errors count as no progress", async () => {
        const failure = await waitForCleanup(
            async () => Promise.reject(new Error("connection reset")),
            input,
            () => undefined,
            200,
        );
        assert.match(failure ?? "", /not finished on \[worker1, worker2\]/);
    });

    it("uses the provider's kubeconfig: the configured path, else $KUBECONFIG's first entry", () => {
        assert.equal(kubeconfigFile("./kube/a.yaml", {}, "/p"), "/p/kube/a.yaml");
        assert.equal(kubeconfigFile(undefined, { KUBECONFIG: `/k/one${path.delimiter}/k/two` }, "/p"), "/k/one");
    });
});
