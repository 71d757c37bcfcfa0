/**
 * `npm run status` on the simulated cluster: a healthy set of objects reads healthy; then a workload that cannot be
 * scheduled, a claim that cannot bind, a failed Helm revision, a failed backup and a silent URL each show up with
 * their reason and make the command exit 1. The toolbox call and the URL probe are injected (the sim runs no Ceph
 * and no ingress). The CLI itself runs once against the sim through a stack file with `aihub-airgap:kubernetes`.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { engineBinDir } from "../../testing/engine/paths";
import { CEPH_CLUSTER_CRD } from "../helpers/sim-crd";
import { collectStatus, statusProblems, type StatusDeps, type StatusTarget } from "../../ops/status";
import { renderStatus } from "../../ops/status-render";
import { missingBinaries, startSim, type ApiClient, type SimHandle } from "../../testing/sim";
import { eventually } from "../helpers/eventually";
import { stackProject } from "../helpers/stack-project";
import { cephClusterSpec, localPvs } from "../../modules/ceph/cluster-manifests";
import { stackConfig } from "../storage/helpers";

const missing = missingBinaries();
const skip = missing.length ? `sim binaries missing from ${engineBinDir()}: ${missing.join(", ")}` : false;

const T: StatusTarget = {
    rookNamespace: "rook-ceph",
    aihubNamespace: "aihub",
    url: "https://aihub.lab.internal",
    scaledDown: false,
    backupConfigured: true,
};
const healthy: StatusDeps = {
    cephHealth: async () => ({ health: "HEALTH_OK" }),
    probeUrl: async () => ({ status: 302 }),
    now: new Date("2026-11-22T10:00:00Z"),
};

const deployment = (name: string, extra: Record<string, unknown> = {}) => ({
    metadata: { name },
    spec: {
        replicas: 1,
        selector: { matchLabels: { app: name } },
        template: {
            metadata: { labels: { app: name } },
            spec: { containers: [{ name, image: "r.example/x:1" }], ...extra },
        },
    },
});

const helmSecret = (name: string, version: number, status: string) => ({
    metadata: {
        name: `sh.helm.release.v1.${name}.v${version}`,
        labels: { name, owner: "helm", status, version: String(version) },
    },
    type: "helm.sh/release.v1",
    data: { release: "" },
});

describe("status on the simulated cluster", { skip, timeout: 300_000 }, () => {
    let tmp: string;
    let sim: SimHandle;
    let api: ApiClient;

    before(
        async () => {
            tmp = fs.mkdtempSync(path.join(os.tmpdir(), "status-test-"));
            sim = await startSim({ hostnames: ["lab1"], dir: path.join(tmp, "sim"), killOnExit: true });
            api = sim.client;
            for (const ns of ["rook-ceph", "aihub"]) await api.create("/api/v1/namespaces", { metadata: { name: ns } });
            await api.create("/apis/apiextensions.k8s.io/v1/customresourcedefinitions", CEPH_CLUSTER_CRD);
            await eventually("CRD served", async () => (await api.get("/apis/ceph.rook.io/v1")) !== undefined);
            // The lab stack's own CephCluster and local PVs: the sim's Rook (testing/sim/rook.ts) makes only a spec
            // that Rook would run Ready (an empty one asks for 3 mons on this 2-node cluster and fails).
            const lab = stackConfig("lab").ceph;
            for (const pv of localPvs(lab)) await api.create("/api/v1/persistentvolumes", pv.spec);
            await api.create("/apis/ceph.rook.io/v1/namespaces/rook-ceph/cephclusters", {
                apiVersion: "ceph.rook.io/v1",
                kind: "CephCluster",
                metadata: { name: "rook-ceph" },
                spec: cephClusterSpec({ ceph: lab, registry: "r.example:5000" }),
            });
            await api.create("/apis/apps/v1/namespaces/aihub/deployments", deployment("aihub-backend-dep"));
            await api.create("/api/v1/namespaces/rook-ceph/secrets", helmSecret("rook-ceph", 1, "deployed"));
            await api.create("/api/v1/namespaces/aihub/secrets", helmSecret("rapidminer-aihub", 1, "superseded"));
            await api.create("/api/v1/namespaces/aihub/secrets", helmSecret("rapidminer-aihub", 2, "deployed"));
            const cron = await api.create("/apis/batch/v1/namespaces/aihub/cronjobs", {
                metadata: { name: "aihub-backup", labels: { "app.kubernetes.io/component": "backup" } },
                spec: {
                    schedule: "0 2 * * *",
                    // The real CronJob controller would start the runs missed since the status times below (the
                    // test's clock is fixed, the controller's is not) and mark them active; suspended, it leaves the
                    // status as the test sets it.
                    suspend: true,
                    jobTemplate: {
                        spec: {
                            template: {
                                spec: { restartPolicy: "Never", containers: [{ name: "b", image: "r.example/b:1" }] },
                            },
                        },
                    },
                },
            });
            assert.ok(cron);
            await api.mergePatch("/apis/batch/v1/namespaces/aihub/cronjobs/aihub-backup/status", {
                status: { lastScheduleTime: "2026-11-22T02:00:00Z", lastSuccessfulTime: "2026-11-22T02:05:00Z" },
            });
            await eventually("CephCluster Ready and the backend ready", async () => {
                const c = await api.get("/apis/ceph.rook.io/v1/namespaces/rook-ceph/cephclusters/rook-ceph");
                const d = await api.get("/apis/apps/v1/namespaces/aihub/deployments/aihub-backend-dep");
                return c?.status?.phase === "Ready" && d?.status?.readyReplicas === 1;
            });
        },
        { timeout: 240_000 },
    );

    after(async () => {
        await sim?.stop();
        if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
    });

    it("healthy: Ceph, the CephCluster, the newest release revisions, all ready, the backup's age", async () => {
        const s = await collectStatus(api, T, healthy);
        assert.deepEqual(statusProblems(s, T), []);
        assert.deepEqual(s.ceph, { crHealth: "HEALTH_OK", toolbox: { health: "HEALTH_OK" } });
        assert.deepEqual(s.rook, [{ kind: "CephCluster", name: "rook-ceph", phase: "Ready" }]);
        assert.deepEqual(
            s.releases.map((r) => `${r.namespace}/${r.name}@${r.revision}:${r.status}`),
            ["aihub/rapidminer-aihub@2:deployed", "rook-ceph/rook-ceph@1:deployed"],
        );
        assert.equal(s.workloads, 1);
        assert.equal(s.backups[0].ageHours, 7 + 55 / 60);
        assert.match(renderStatus("lab", s, []), /HEALTHY$/);
    });

    it("unhealthy: each problem named with its reason", async () => {
        await api.create(
            "/apis/apps/v1/namespaces/aihub/deployments",
            deployment("keycloak-dep", { nodeSelector: { "kubernetes.io/hostname": "nowhere" } }),
        );
        await api.create("/api/v1/namespaces/aihub/persistentvolumeclaims", {
            metadata: { name: "aihub-home-pvc" },
            spec: {
                accessModes: ["ReadWriteMany"],
                storageClassName: "missing",
                resources: { requests: { storage: "1Gi" } },
            },
        });
        await api.create("/api/v1/namespaces/aihub/secrets", helmSecret("rapidminer-aihub", 3, "failed"));
        await api.mergePatch("/apis/batch/v1/namespaces/aihub/cronjobs/aihub-backup/status", {
            status: { lastScheduleTime: "2026-11-22T09:00:00Z" },
        });
        const deps = {
            ...healthy,
            cephHealth: async () => ({ health: "HEALTH_WARN" }),
            probeUrl: async () => ({ error: "getaddrinfo ENOTFOUND aihub.lab.internal" }),
        };
        const s = await eventually("keycloak pod unschedulable", async () => {
            const got = await collectStatus(api, T, deps);
            return got.notReady[0]?.reason.includes("Unschedulable") && got;
        });
        const problems = statusProblems(s, T);
        assert.deepEqual(problems.length, 6, problems.join("\n"));
        assert.equal(problems[0], "ceph: HEALTH_WARN");
        assert.equal(problems[1], "helm: aihub/rapidminer-aihub revision 3 is failed");
        assert.match(
            problems[2],
            /^Deployment aihub\/keycloak-dep 0\/1 ready: PodScheduled: Unschedulable \(0\/2 nodes/,
        );
        assert.equal(problems[3], "PVC aihub/aihub-home-pvc is Pending");
        assert.equal(
            problems[4],
            "https://aihub.lab.internal does not answer: getaddrinfo ENOTFOUND aihub.lab.internal",
        );
        assert.equal(problems[5], "backup: the last run of aihub-backup did not succeed");
        // Scaled down on purpose: the URL is not expected to answer.
        assert.equal(statusProblems(s, { ...T, scaledDown: true }).length, 5);
    });

    it("the CLI: --json through the stack's aihub-airgap:kubernetes, exit 1 when unhealthy; bad input named", () => {
        const project = stackProject(path.join(tmp, "project"), "lab", [
            [["kubernetes"], { kubeconfig: sim.kubeconfig }],
        ]);
        const cli = path.resolve(__dirname, "..", "..", "cli", "status.ts");
        const run = (...args: string[]) =>
            spawnSync(process.execPath, ["--import", "tsx", cli, "--dir", project, ...args], {
                encoding: "utf8",
                env: { ...process.env, PATH: "/nonexistent" },
            });
        const r = run("--stack", "lab", "--json");
        assert.equal(r.status, 1, r.stderr);
        const doc = JSON.parse(r.stdout);
        assert.equal(doc.healthy, false);
        assert.match(doc.problems[0], /^ceph: the toolbox did not answer/);
        assert.equal(doc.rook[0].phase, "Ready");
        stackProject(project, "lab", [[["kubernetes"], { kubeconfig: 3 }]]);
        const bad = run("--stack", "lab");
        assert.equal(bad.status, 1);
        assert.match(bad.stderr, /aihub-airgap:kubernetes\.kubeconfig: /);
        assert.equal(run().status, 2);
    });
});
