/**
 * The simulated cluster end to end: real etcd, kube-apiserver, controller manager, scheduler and kwok from the
 * engine directory, plus the stand-in controller. Skipped when the binaries are not built.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { parse as parseYaml } from "yaml";
import { engineBinDir } from "../../testing/engine/paths";
import { CEPH_CLUSTER_CRD } from "../helpers/sim-crd";
import { ApiClient, missingBinaries, startSim, stopSim, type KubeObject, type SimHandle } from "../../testing/sim";
import { schedulerConfig, simLayout } from "../../testing/sim/components";
import { volumeFor } from "../../testing/sim/controller";
import { captureDisks, SIM_DISKS_ANNOTATION } from "../../testing/sim/disks";
import { preflightJob } from "../../modules/ceph/preflight-job";
import { nodeObjects } from "../../testing/sim/nodes";
import { isRunning, readPids, startProcess, stopProcesses } from "../../testing/sim/processes";
import { stackHostnames } from "../../testing/sim/stack";

const missing = missingBinaries();
const skip = missing.length
    ? `sim binaries missing from ${engineBinDir()}: ${missing.join(", ")} (build them with npm run engine:build)`
    : false;
if (skip) console.log(`# skipping the sim tests: ${skip}`);

const HOSTS = ["ceph-a", "ceph-b", "ceph-c"];
const NS = "simtest";

/** Polls `fn` until it returns a value other than undefined/false, or fails naming `what` after `ms`. */
async function eventually<T>(what: string, fn: () => Promise<T | undefined | false>, ms = 30_000): Promise<T> {
    const deadline = Date.now() + ms;
    let last: unknown;
    for (;;) {
        try {
            const v = await fn();
            if (v !== undefined && v !== false) return v;
        } catch (e) {
            last = e;
        }
        if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}${last ? `: ${last}` : ""}`);
        await new Promise((r) => setTimeout(r, 250));
    }
}

const condition = (obj: KubeObject | undefined, type: string) =>
    ((obj?.status?.conditions ?? []) as { type: string; status: string }[]).find((c) => c.type === type)?.status;

describe("sim: a simulated cluster on loopback", { skip, timeout: 600_000 }, () => {
    let tmp: string;
    let dir: string;
    let sim: SimHandle;
    let api: ApiClient;

    before(
        async () => {
            tmp = fs.mkdtempSync(path.join(os.tmpdir(), "sim-test-"));
            dir = path.join(tmp, "sim");
            const t0 = Date.now();
            sim = await startSim({ hostnames: HOSTS, dir, killOnExit: true, log: (l) => console.log(`# ${l}`) });
            console.log(`# startSim took ${Date.now() - t0} ms`);
            api = sim.client;
            await api.create("/api/v1/namespaces", { metadata: { name: NS } });
        },
        { timeout: 300_000 },
    );

    after(async () => {
        api?.close();
        if (dir) await stopSim(dir);
        if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
    });

    it("writes an admin kubeconfig with context sim and records six processes", () => {
        const kc = parseYaml(fs.readFileSync(sim.kubeconfig, "utf8")) as { "current-context": string };
        assert.equal(sim.kubeconfig, path.join(dir, "kubeconfig"));
        assert.equal(kc["current-context"], "sim");
        assert.match(sim.server, /^https:\/\/127\.0\.0\.1:\d+$/);
        const names = readPids(dir).map((r) => r.name);
        assert.deepEqual(names, [
            "etcd",
            "kube-apiserver",
            "kube-controller-manager",
            "kube-scheduler",
            "kwok",
            "controller",
        ]);
        assert.equal(readPids(dir).filter(isRunning).length, 6);
    });

    it("has one Ready node per host plus a Ready control-plane node", async () => {
        const nodes = await api.list("/api/v1/nodes");
        assert.deepEqual(nodes.map((n) => n.metadata.name).sort(), [...HOSTS, "sim-control-plane"]);
        for (const node of nodes) {
            const name = node.metadata.name;
            assert.equal(node.metadata.labels?.["kubernetes.io/hostname"], name);
            assert.equal(node.metadata.annotations?.["kwok.x-k8s.io/node"], "fake");
            assert.equal(condition(node, "Ready"), "True", `${name} Ready`);
            assert.deepEqual(node.status?.allocatable, { cpu: "32", memory: "256Gi", pods: "110" });
            const isControlPlane = node.metadata.labels?.["node-role.kubernetes.io/control-plane"] === "";
            assert.equal(isControlPlane, name === "sim-control-plane");
        }
    });

    it("runs a Deployment of 2 replicas to Available, its pods Running with pod IPs on worker nodes", async () => {
        const labels = { app: "web" };
        await api.create(`/apis/apps/v1/namespaces/${NS}/deployments`, {
            metadata: { name: "web" },
            spec: {
                replicas: 2,
                selector: { matchLabels: labels },
                template: {
                    metadata: { labels },
                    spec: { containers: [{ name: "web", image: "registry.example/web:1.0" }] },
                },
            },
        });
        const dep = await eventually("Deployment web Available", async () => {
            const d = await api.get(`/apis/apps/v1/namespaces/${NS}/deployments/web`);
            return condition(d, "Available") === "True" && d?.status?.availableReplicas === 2 && d;
        });
        assert.equal(dep.status?.readyReplicas, 2);
        const pods = await api.list(`/api/v1/namespaces/${NS}/pods?labelSelector=app%3Dweb`);
        assert.equal(pods.length, 2);
        for (const pod of pods) {
            assert.equal(pod.status?.phase, "Running");
            assert.equal(condition(pod, "Ready"), "True");
            assert.match(String(pod.status?.podIP), /^10\.244\.[1-3]\.\d+$/);
            assert.ok(HOSTS.includes(String(pod.spec?.nodeName)), `scheduled on ${pod.spec?.nodeName}`);
        }
    });

    it("puts a Running pod's Ready back after another writer set it False (the node controller during an API outage), as a kubelet does", async () => {
        const pod = (await api.list(`/api/v1/namespaces/${NS}/pods?labelSelector=app%3Dweb`))[0];
        const at = `/api/v1/namespaces/${NS}/pods/${pod.metadata.name}`;
        const conditions = (pod.status?.conditions as { type: string; status: string }[]).map((c) =>
            c.type === "Ready" ? { ...c, status: "False", reason: "NodeNotReady" } : c,
        );
        const marked = await api.mergePatch(`${at}/status`, { status: { conditions } });
        assert.equal(condition(marked, "Ready"), "False");
        await eventually("the pod Ready again", async () => condition(await api.get(at), "Ready") === "True");
        await eventually("Deployment web with 2 ready replicas again", async () => {
            const d = await api.get(`/apis/apps/v1/namespaces/${NS}/deployments/web`);
            return d?.status?.readyReplicas === 2;
        });
    });

    it("completes a Job", async () => {
        await api.create(`/apis/batch/v1/namespaces/${NS}/jobs`, {
            metadata: { name: "once" },
            spec: {
                backoffLimit: 0,
                template: {
                    spec: { restartPolicy: "Never", containers: [{ name: "once", image: "registry.example/once:1" }] },
                },
            },
        });
        const job = await eventually("Job once Complete", async () => {
            const j = await api.get(`/apis/batch/v1/namespaces/${NS}/jobs/once`);
            return condition(j, "Complete") === "True" && j;
        });
        assert.equal(job.status?.succeeded, 1);
        assert.equal(job.status?.failed, undefined);
    });

    it("runs the disk check script of preflight pods against recorded real disks: blank passes, ext4 fails", async () => {
        // Real loop devices, recorded (testing/sim/disks.ts): a blank 16Gi disk on ceph-a, an ext4 one on ceph-b.
        const [blank, ext4] = captureDisks([
            { kind: "blank", size: "16Gi" },
            { kind: "ext4", size: "16Gi" },
        ]);
        for (const [host, rec] of [
            ["ceph-a", blank],
            ["ceph-b", ext4],
        ] as const) {
            await api.mergePatch(`/api/v1/nodes/${host}`, {
                metadata: { annotations: { [SIM_DISKS_ANNOTATION]: JSON.stringify({ "/dev/sdb": rec }) } },
            });
        }
        const input = {
            namespace: NS,
            cephImage: "quay.io/ceph/ceph:v19.2.3",
            registry: "r.example",
            pullSecretName: "none",
        };
        const good = {
            key: "ceph.nodes[0].osdDisks[0]",
            hostname: "ceph-a",
            role: "osd" as const,
            path: "/dev/sdb",
            size: "16Gi",
        };
        const bad = { ...good, key: "ceph.nodes[1].osdDisks[0]", hostname: "ceph-b" };
        for (const disk of [good, bad])
            await api.create(`/apis/batch/v1/namespaces/${NS}/jobs`, preflightJob(disk, input));
        const ok = await eventually("the clean disk's Job Complete", async () => {
            const j = await api.get(`/apis/batch/v1/namespaces/${NS}/jobs/disk-preflight-ceph-a-osd-sdb`);
            return condition(j, "Complete") === "True" && j;
        });
        assert.equal(ok.status?.succeeded, 1);
        await eventually("the used disk's Job Failed", async () => {
            const j = await api.get(`/apis/batch/v1/namespaces/${NS}/jobs/disk-preflight-ceph-b-osd-sdb`);
            return condition(j, "Failed") === "True";
        });
        const pods = await api.list(
            `/api/v1/namespaces/${NS}/pods?labelSelector=job-name%3Ddisk-preflight-ceph-b-osd-sdb`,
        );
        const term = (
            pods[0].status?.containerStatuses as { state: { terminated: { exitCode: number; message: string } } }[]
        )[0].state.terminated;
        assert.equal(term.exitCode, 1);
        assert.match(
            term.message,
            /^aihub-airgap:ceph.nodes\[1\].osdDisks\[0\].path: \/dev\/sdb on node ceph-b carries TYPE=ext4/,
        );
    });

    it("binds a PVC of a CSI StorageClass to a provisioned PV, and deletes the PV with its claim", async () => {
        await api.create("/apis/storage.k8s.io/v1/storageclasses", {
            metadata: { name: "sim-cephfs" },
            provisioner: "rook-ceph.cephfs.csi.ceph.com",
            reclaimPolicy: "Delete",
            volumeBindingMode: "Immediate",
        });
        await api.create(`/api/v1/namespaces/${NS}/persistentvolumeclaims`, {
            metadata: { name: "data" },
            spec: {
                storageClassName: "sim-cephfs",
                accessModes: ["ReadWriteMany"],
                resources: { requests: { storage: "3Gi" } },
            },
        });
        const pvc = await eventually("PVC data Bound", async () => {
            const c = await api.get(`/api/v1/namespaces/${NS}/persistentvolumeclaims/data`);
            return c?.status?.phase === "Bound" && c;
        });
        const pvName = String(pvc.spec?.volumeName);
        assert.equal(pvName, `pvc-${pvc.metadata.uid}`);
        assert.deepEqual(pvc.status?.capacity, { storage: "3Gi" });
        const pv = await api.get(`/api/v1/persistentvolumes/${pvName}`);
        assert.equal(pv?.status?.phase, "Bound");
        assert.equal(pv?.spec?.storageClassName, "sim-cephfs");
        assert.deepEqual(pv?.spec?.accessModes, ["ReadWriteMany"]);
        assert.equal((pv?.spec?.csi as { driver: string }).driver, "rook-ceph.cephfs.csi.ceph.com");
        assert.equal((pv?.spec?.claimRef as { name: string }).name, "data");

        await api.delete(`/api/v1/namespaces/${NS}/persistentvolumeclaims/data`);
        await eventually(
            "PV deleted",
            async () => (await api.get(`/api/v1/persistentvolumes/${pvName}`)) === undefined,
        );
    });

    it("makes a CephCluster Ready at its generation, and stops following it once cleanup is confirmed", async () => {
        await api.create("/apis/apiextensions.k8s.io/v1/customresourcedefinitions", CEPH_CLUSTER_CRD);
        await eventually("CRD established", async () => {
            const crd = await api.get(
                "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/cephclusters.ceph.rook.io",
            );
            return condition(crd, "Established") === "True";
        });
        await api.create("/api/v1/namespaces", { metadata: { name: "rook-ceph" } });
        const path = "/apis/ceph.rook.io/v1/namespaces/rook-ceph/cephclusters/rook-ceph";
        await eventually("CephCluster created", () =>
            api.create("/apis/ceph.rook.io/v1/namespaces/rook-ceph/cephclusters", {
                apiVersion: "ceph.rook.io/v1",
                kind: "CephCluster",
                metadata: { name: "rook-ceph" },
                spec: { mon: { count: 3 } },
            }),
        );
        const ready = await eventually("CephCluster Ready", async () => {
            const c = await api.get(path);
            return c?.status?.phase === "Ready" && c;
        });
        assert.equal(ready.metadata.generation, 1);
        assert.equal(ready.status?.observedGeneration, 1);

        const armed = await api.mergePatch(path, {
            spec: { cleanupPolicy: { confirmation: "yes-really-destroy-data" }, mon: { count: 1 } },
        });
        assert.equal(armed.metadata.generation, 2);
        await new Promise((r) => setTimeout(r, 4000));
        const later = await api.get(path);
        assert.equal(later?.metadata.generation, 2);
        assert.equal(later?.status?.observedGeneration, 1);
        assert.equal(later?.status?.phase, "Ready");
    });

    it("gives Ingresses and LoadBalancer Services the loopback address", async () => {
        await api.create(`/apis/networking.k8s.io/v1/namespaces/${NS}/ingresses`, {
            metadata: { name: "web" },
            spec: {
                rules: [
                    {
                        host: "web.sim.internal",
                        http: {
                            paths: [
                                {
                                    path: "/",
                                    pathType: "Prefix",
                                    backend: { service: { name: "web", port: { number: 80 } } },
                                },
                            ],
                        },
                    },
                ],
            },
        });
        await api.create(`/api/v1/namespaces/${NS}/services`, {
            metadata: { name: "web-lb" },
            spec: { type: "LoadBalancer", selector: { app: "web" }, ports: [{ port: 80 }] },
        });
        const lbIngress = (o: KubeObject | undefined) =>
            (o?.status?.loadBalancer as { ingress?: unknown[] } | undefined)?.ingress;
        const ing = await eventually("Ingress address", async () =>
            lbIngress(await api.get(`/apis/networking.k8s.io/v1/namespaces/${NS}/ingresses/web`)),
        );
        assert.deepEqual(ing, [{ ip: "127.0.0.1" }]);
        const svc = await eventually("Service address", async () =>
            lbIngress(await api.get(`/api/v1/namespaces/${NS}/services/web-lb`)),
        );
        assert.deepEqual(svc, [{ ip: "127.0.0.1", ipMode: "VIP" }]);
    });

    it("stopSim leaves no process and no directory, and is safe to run twice", async () => {
        const records = readPids(dir);
        assert.equal(records.length, 6);
        await stopSim(dir);
        assert.equal(fs.existsSync(dir), false);
        assert.deepEqual(
            records.filter(isRunning).map((r) => r.name),
            [],
        );
        for (const r of records) {
            await eventually(`pid ${r.pid} gone`, async () => !fs.existsSync(`/proc/${r.pid}`));
        }
        await stopSim(dir);
        assert.equal(fs.existsSync(dir), false);
    });
});

describe("sim: the parts that need no cluster", () => {
    it("takes the worker names from the stack's ceph.nodes[].hostname", () => {
        const project = path.resolve(__dirname, "..", "..");
        assert.deepEqual(stackHostnames(project, "airgap"), ["worker1", "worker2", "worker3"]);
        assert.deepEqual(stackHostnames(project, "lab"), ["lab1"]);
    });

    it("makes a tainted control-plane node and one node per distinct host, each with its own pod CIDR", () => {
        const nodes = nodeObjects(["a", "b", "a"]);
        assert.deepEqual(
            nodes.map((n) => [n.metadata.name, n.spec?.podCIDR, n.metadata.labels?.["kubernetes.io/hostname"]]),
            [
                ["sim-control-plane", "10.244.0.0/24", "sim-control-plane"],
                ["a", "10.244.1.0/24", "a"],
                ["b", "10.244.2.0/24", "b"],
            ],
        );
        assert.deepEqual(nodes[0].spec?.taints, [
            { key: "node-role.kubernetes.io/control-plane", effect: "NoSchedule" },
        ]);
        assert.equal(nodes[1].spec?.taints, undefined);
    });

    it("configures the scheduler without the volume plugins that wait for bound claims", () => {
        const l = simLayout("/tmp/x");
        const cfg = parseYaml(schedulerConfig(l)) as {
            clientConnection: { kubeconfig: string };
            profiles: { plugins: { multiPoint: { disabled: { name: string }[] } } }[];
        };
        assert.equal(cfg.clientConnection.kubeconfig, "/tmp/x/kubeconfigs/scheduler.kubeconfig");
        assert.deepEqual(cfg.profiles[0].plugins.multiPoint.disabled, [
            { name: "VolumeBinding" },
            { name: "VolumeZone" },
        ]);
    });

    it("provisions a PV matching the claim and pre-bound to it", () => {
        const pvc: KubeObject = {
            metadata: { name: "data", namespace: "ns", uid: "u-1" },
            spec: {
                accessModes: ["ReadWriteMany"],
                volumeMode: "Filesystem",
                resources: { requests: { storage: "2Gi" } },
            },
        };
        const pv = volumeFor(pvc, { provisioner: "rook-ceph.cephfs.csi.ceph.com", reclaimPolicy: "Delete" }, "cephfs");
        assert.equal(pv.metadata.name, "pvc-u-1");
        assert.deepEqual(pv.spec, {
            capacity: { storage: "2Gi" },
            accessModes: ["ReadWriteMany"],
            volumeMode: "Filesystem",
            storageClassName: "cephfs",
            persistentVolumeReclaimPolicy: "Delete",
            claimRef: { apiVersion: "v1", kind: "PersistentVolumeClaim", namespace: "ns", name: "data", uid: "u-1" },
            csi: { driver: "rook-ceph.cephfs.csi.ceph.com", volumeHandle: "sim-u-1", fsType: "ext4" },
        });
    });

    it("stops only a pid that still runs the recorded command line, and refuses to delete a foreign directory", async () => {
        const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "sim-proc-"));
        try {
            const rec = startProcess(tmp, "sleeper", ["/bin/sleep", "60"]);
            assert.equal(isRunning(rec), true);
            assert.equal(isRunning({ ...rec, argv: ["/bin/sleep", "61"] }), false);
            assert.deepEqual(await stopProcesses([{ ...rec, argv: ["/bin/sleep", "61"] }], 200), []);
            assert.equal(isRunning(rec), true);
            assert.deepEqual(await stopProcesses([rec]), []);
            assert.equal(isRunning(rec), false);
            const foreign = path.join(tmp, "foreign");
            fs.mkdirSync(foreign);
            fs.writeFileSync(path.join(foreign, "keep.txt"), "mine");
            await assert.rejects(stopSim(foreign), /is not a sim directory/);
            assert.equal(fs.readFileSync(path.join(foreign, "keep.txt"), "utf8"), "mine");
        } finally {
            fs.rmSync(tmp, { recursive: true, force: true });
        }
    });
});
