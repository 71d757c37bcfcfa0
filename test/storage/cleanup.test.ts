/** When Rook's disk wipe is over, and what to wipe by hand when it is not (modules/ceph/cleanup.ts, cli/cleanup-wait.ts). */
import assert from "node:assert/strict";
import * as path from "node:path";
import { describe, it } from "node:test";
import { waitForCleanup, type CleanupWaitInput } from "../../cli/cleanup-wait";
import { kubeconfigFile } from "../../cli/kube-wait";
import {
    cleanupJobName,
    cleanupNodes,
    cleanupProgress,
    manualWipeMessage,
    type JobView,
} from "../../modules/ceph/cleanup";

const nodes = cleanupNodes({
    monCount: 1,
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

    // Rook v1.20.6 pkg/operator/ceph/cluster/cleanup.go `getCephHosts` / `startCleanUpJobs`: one Job per node running
    // a pod labelled app=rook-ceph-{mon,mgr,osd,rgw,mds,rbd-mirror,cephfs-mirror} when the CephCluster is deleted.
    describe("expects a Job where Rook makes one: nodes running an OSD or a mon", () => {
        const disk = (path: string, size = "100Gi") => ({ path, size });
        // Three mons on four mon disks: worker4 holds only a spare mon disk, and the scheduler may leave it unused.
        const spare = cleanupNodes({
            monCount: 3,
            nodes: [
                { hostname: "worker1", monDisk: disk("/dev/vdb", "10Gi"), osdDisks: [disk("/dev/vdc")] },
                { hostname: "worker2", monDisk: disk("/dev/vdb", "10Gi"), osdDisks: [disk("/dev/vdc")] },
                { hostname: "worker3", monDisk: disk("/dev/vdb", "10Gi"), osdDisks: [disk("/dev/vdc")] },
                { hostname: "worker4", monDisk: disk("/dev/vdb", "10Gi"), osdDisks: [] },
            ],
        });
        const osdJobs = ["worker1", "worker2", "worker3"].map((h) => job(h, "Complete"));

        it("a node with only a spare mon disk is expected only once Rook made a Job there", () => {
            assert.deepEqual(
                spare.map((n) => [n.hostname, n.ifDaemonRan ?? false]),
                [
                    ["worker1", false],
                    ["worker2", false],
                    ["worker3", false],
                    ["worker4", true],
                ],
            );
            // No mon (nor any other daemon) ran on worker4: Rook makes no Job there, and the wipe is over.
            assert.deepEqual(cleanupProgress(osdJobs, spare), {
                complete: ["worker1", "worker2", "worker3"],
                failed: [],
                pending: [],
                done: true,
            });
            // A mon ran there: its Job is waited for like the others.
            assert.equal(cleanupProgress([...osdJobs, job("worker4", "running")], spare).done, false);
            assert.equal(cleanupProgress([...osdJobs, job("worker4", "Complete")], spare).done, true);
            assert.deepEqual(cleanupProgress([...osdJobs, job("worker4", "Failed")], spare).failed, ["worker4"]);
        });

        it("the wait ends once the OSD nodes' Jobs completed instead of waiting out its time for worker4", async () => {
            const logs: string[] = [];
            const failure = await waitForCleanup(
                async () => osdJobs,
                { ...input, nodes: spare, timeoutSeconds: 5 },
                (l) => logs.push(l),
                5,
            );
            assert.equal(failure, undefined);
            assert.equal(
                logs[0],
                "rook cleanup: Rook's cleanup Jobs are expected on [worker1, worker2, worker3] (the nodes running an OSD or a mon), and on [worker4] (a mon disk only, fewer mons than mon disks) only if Rook ran a Ceph daemon there; a Job Rook starts on any other node (a mgr or MDS ran there) is waited for too",
            );
        });

        it("every mon disk holds a mon when monCount equals the mon disks: a mon-only node is expected", () => {
            const all = cleanupNodes({
                monCount: 3,
                nodes: [
                    { hostname: "m1", monDisk: disk("/dev/vdb", "10Gi"), osdDisks: [] },
                    { hostname: "m2", monDisk: disk("/dev/vdb", "10Gi"), osdDisks: [disk("/dev/vdc")] },
                    { hostname: "m3", monDisk: disk("/dev/vdb", "10Gi"), osdDisks: [disk("/dev/vdc")] },
                ],
            });
            assert.ok(all.every((n) => !n.ifDaemonRan));
            const p = cleanupProgress([job("m2", "Complete"), job("m3", "Complete")], all);
            assert.deepEqual([p.pending, p.done], [["m1"], false]);
        });

        it("a Job on a node without disks (a mgr or MDS ran there) is waited for, and named when it fails", () => {
            const p = cleanupProgress([...osdJobs, job("apps1", "running")], spare);
            assert.deepEqual([p.pending, p.done], [["apps1"], false]);
            const failed = cleanupProgress([...osdJobs, job("apps1", "Failed")], spare);
            const text = manualWipeMessage(failed, spare, "/var/lib/rook", "rook-ceph", 12);
            assert.match(text, /failed on \[apps1\]/);
            assert.match(text, /expected on \[worker1, worker2, worker3\]/);
            assert.match(text, /\n {2}apps1: rm -rf \/var\/lib\/rook\n/);
        });
    });

    it("uses the provider's kubeconfig: the configured path, else $KUBECONFIG's first entry", () => {
        assert.equal(kubeconfigFile("./kube/a.yaml", {}, "/p"), "/p/kube/a.yaml");
        assert.equal(kubeconfigFile(undefined, { KUBECONFIG: `/k/one${path.delimiter}/k/two` }, "/p"), "/k/one");
    });
});
