/* eslint-disable @typescript-eslint/no-explicit-any -- API objects */
/**
 * The backup and restore objects on the simulated cluster (real API server, kwok): the generated snapshot CRDs, the
 * snapshot classes, VolumeSnapshots and the backup CronJob are accepted; the restore refuses a running AI Hub and
 * runs without --replace-data only as a printout; with it, PVCs come back from their snapshots, the databases
 * alone are started, the restore Job runs and they are stopped again. The real CSI machinery (testing/sim/csi.ts:
 * snapshot-controller, csi-snapshotter and csi-provisioner behind csi-test's mock driver answering as Rook's RBD
 * driver) provisions the claims, makes the snapshots ready and provisions the restored claims from them; the mock
 * stores no data, so what comes back is the volume records, not their contents.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { backupCronJobSpec, BACKUP_LABEL, BACKUP_NAME } from "../../modules/backup/job-manifests";
import { Kubectl } from "../../lib/kubectl";
import { restore, RestoreRefused } from "../../ops/restore";
import { rbdStorageClassSpec } from "../../modules/ceph/fs-manifests";
import { snapshotClassSpec } from "../../modules/ceph/snapshot-manifests";
import { engineBinDir } from "../../testing/engine/paths";
import { missingBinaries, startSim, stopSim, type ApiClient, type SimHandle } from "../../testing/sim";
import { missingCsiBinaries } from "../../testing/sim/csi";
import { prepareCsi } from "../helpers/csi-sim";
import { kubectlBinary } from "../helpers/kubectl";
import { eventually } from "../helpers/eventually";

const missing = missingBinaries();
const missingCsi = missingCsiBinaries();
const skip = missing.length
    ? `sim binaries missing from ${engineBinDir()}: ${missing.join(", ")}`
    : missingCsi.length
      ? `CSI binaries not built (npm run controllers:build): ${missingCsi.join(", ")}`
      : false;
const scope = { operatorNamespace: "rook-ceph", clusterNamespace: "rook-ceph", rookVersion: "v1.20.6" };
const RBD = snapshotClassSpec("rbd", scope).driver as string;
/** The volume handle (the mock driver's volume id) of each claim before the restore. */
const handles = new Map<string, string>();

/** The PV bound to a claim of NS, once the claim is Bound. */
async function boundVolume(api: ApiClient, pvc: string): Promise<any> {
    const c = await eventually(
        `${pvc} bound`,
        async () => {
            const claim = await api.get<any>(`/api/v1/namespaces/${NS}/persistentvolumeclaims/${pvc}`);
            return claim?.status?.phase === "Bound" && claim;
        },
        60_000,
    );
    return api.get<any>(`/api/v1/persistentvolumes/${c.spec.volumeName}`);
}
const NS = "aihub";
const ID = "aihub-backup-29000001";

const deployment = (name: string, pvc: string, replicas: number) => ({
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name, namespace: NS },
    spec: {
        replicas,
        selector: { matchLabels: { app: name } },
        template: {
            metadata: { labels: { app: name } },
            spec: {
                containers: [{ name, image: "registry.airgap.internal:5000/rapidminer/x:1" }],
                volumes: [{ name: "data", persistentVolumeClaim: { claimName: pvc } }],
            },
        },
    },
});

describe("backup objects and the restore sequence on the simulated cluster", { skip, timeout: 600_000 }, () => {
    let tmp: string;
    let sim: SimHandle;
    let api: ApiClient;
    let kc: Kubectl;
    const logs: string[] = [];

    before(async () => {
        tmp = fs.mkdtempSync(path.join(os.tmpdir(), "sim-restore-"));
        sim = await startSim({ hostnames: ["w1"], dir: path.join(tmp, "sim"), killOnExit: true });
        api = sim.client;
        kc = new Kubectl({ kubeconfig: sim.kubeconfig }, kubectlBinary());
        // The snapshot CRDs, the real snapshot-controller, csi-provisioner and csi-snapshotter in front of a mock
        // driver per Rook driver, and the provisioner Secrets our classes name.
        await prepareCsi(sim, { rbd: RBD });
        await api.create("/apis/storage.k8s.io/v1/storageclasses", {
            apiVersion: "storage.k8s.io/v1",
            kind: "StorageClass",
            ...rbdStorageClassSpec("rook-ceph-block", "replicapool", scope),
        });
        await api.create("/api/v1/namespaces", { apiVersion: "v1", kind: "Namespace", metadata: { name: NS } });
    });

    after(async () => {
        api?.close();
        if (tmp) {
            await stopSim(path.join(tmp, "sim"));
            fs.rmSync(tmp, { recursive: true, force: true });
        }
    });

    it("accepts the snapshot class, the snapshots and the backup CronJob", async () => {
        await api.create("/apis/snapshot.storage.k8s.io/v1/volumesnapshotclasses", snapshotClassSpec("rbd", scope));
        for (const pvc of ["aihub-db-pvc", "aihub-home-pvc"]) {
            await api.create(`/api/v1/namespaces/${NS}/persistentvolumeclaims`, {
                apiVersion: "v1",
                kind: "PersistentVolumeClaim",
                metadata: { name: pvc, labels: { app: "aihub" }, annotations: { "helm.sh/resource-policy": "keep" } },
                spec: {
                    storageClassName: "rook-ceph-block",
                    accessModes: ["ReadWriteOnce"],
                    resources: { requests: { storage: "1Gi" } },
                },
            });
            const pv = await boundVolume(api, pvc);
            handles.set(pvc, pv.spec.csi.volumeHandle);
            const snap = `${pvc}-${ID}`;
            await api.create(`/apis/snapshot.storage.k8s.io/v1/namespaces/${NS}/volumesnapshots`, {
                apiVersion: "snapshot.storage.k8s.io/v1",
                kind: "VolumeSnapshot",
                metadata: { name: snap, labels: { [BACKUP_LABEL]: ID, "aihub-airgap/complete": "true" } },
                spec: {
                    volumeSnapshotClassName: "csi-rbdplugin-snapclass",
                    source: { persistentVolumeClaimName: pvc },
                },
            });
            await eventually(
                `${snap} ready (the real snapshot-controller and csi-snapshotter)`,
                async () =>
                    (await api.get<any>(`/apis/snapshot.storage.k8s.io/v1/namespaces/${NS}/volumesnapshots/${snap}`))
                        ?.status?.readyToUse === true,
                60_000,
            );
        }
        // The API server's CEL rules (from the generated CRD) refuse a snapshot naming both sources.
        const both = await api.request("POST", `/apis/snapshot.storage.k8s.io/v1/namespaces/${NS}/volumesnapshots`, {
            apiVersion: "snapshot.storage.k8s.io/v1",
            kind: "VolumeSnapshot",
            metadata: { name: "bad" },
            spec: { source: { persistentVolumeClaimName: "a", volumeSnapshotContentName: "b" } },
        });
        assert.equal(both.status, 422);
        await api.create(`/api/v1/namespaces/${NS}/configmaps`, {
            apiVersion: "v1",
            kind: "ConfigMap",
            metadata: { name: BACKUP_NAME },
            data: { "database-pvcs": "aihub-db-pvc\n" },
        });
        const spec = backupCronJobSpec(
            {
                schedule: "0 2 * * *",
                retention: 3,
                timeZone: "Etc/UTC",
                target: { pvc: { name: "aihub-backup", size: "1Gi", existing: true } },
            },
            NS,
            {
                postgresImage: "r/rapidminer/postgres-17:2026.0.2",
                toolsImage: "r/alpine/k8s:1.34.3",
                pullSecretName: "airgap-registry",
                targetPvc: "aihub-backup",
            },
        );
        await api.create(`/apis/batch/v1/namespaces/${NS}/cronjobs`, {
            apiVersion: "batch/v1",
            kind: "CronJob",
            metadata: { name: BACKUP_NAME },
            spec,
        });
        // What pulumi up creates beside the CronJob: its ServiceAccount, the target claim and the password file.
        await api.create(`/api/v1/namespaces/${NS}/serviceaccounts`, {
            apiVersion: "v1",
            kind: "ServiceAccount",
            metadata: { name: BACKUP_NAME },
        });
        await api.create(`/api/v1/namespaces/${NS}/persistentvolumeclaims`, {
            apiVersion: "v1",
            kind: "PersistentVolumeClaim",
            metadata: { name: "aihub-backup" },
            spec: {
                storageClassName: "rook-ceph-block",
                accessModes: ["ReadWriteOnce"],
                resources: { requests: { storage: "1Gi" } },
            },
        });
        await api.create(`/api/v1/namespaces/${NS}/secrets`, {
            apiVersion: "v1",
            kind: "Secret",
            metadata: { name: "aihub-backup-db" },
            stringData: { pgpass: "aihub-db-svc.aihub.svc:5432:aihub:aihub:not-a-real-password\n" },
        });
        await api.create(`/apis/apps/v1/namespaces/${NS}/deployments`, deployment("aihub-db", "aihub-db-pvc", 1));
        await api.create(
            `/apis/apps/v1/namespaces/${NS}/deployments`,
            deployment("aihub-backend", "aihub-home-pvc", 1),
        );
    });

    it("refuses while AI Hub runs, and without --replace-data only prints the steps", async () => {
        const opts = {
            namespace: NS,
            backupId: ID,
            replaceData: true,
            timeoutSeconds: 60,
            log: (l: string) => logs.push(l),
        };
        await assert.rejects(restore(kc, opts), (e: Error) => {
            assert.ok(e instanceof RestoreRefused);
            assert.match(
                e.message,
                /deployment\/aihub-backend \(1\), deployment\/aihub-db \(1\).*aihub\.running to false/,
            );
            return true;
        });
        await assert.rejects(restore(kc, { ...opts, backupId: "aihub-backup-1" }), /no such backup/);
        for (const d of ["aihub-db", "aihub-backend"])
            await kc.run(["-n", NS, "scale", `deployment/${d}`, "--replicas=0"]);
        // Their pods mount the claims too; the restore waits for nobody, so let them go first.
        await eventually(
            "the scaled-down pods are gone",
            async () => (await api.list<any>(`/api/v1/namespaces/${NS}/pods`)).length === 0,
            60_000,
        );
        const uid = (await api.get<any>(`/api/v1/namespaces/${NS}/persistentvolumeclaims/aihub-db-pvc`))!.metadata.uid;
        await assert.rejects(restore(kc, { ...opts, replaceData: false }), (e: Error) => {
            assert.match(e.message, /replace pvc\/aihub-db-pvc by a claim from volumesnapshot\/aihub-db-pvc-/);
            assert.match(e.message, /start the databases: deployment\/aihub-db\n/);
            assert.match(e.message, /add --replace-data/);
            return true;
        });
        const still = await api.get<any>(`/api/v1/namespaces/${NS}/persistentvolumeclaims/aihub-db-pvc`);
        assert.equal(still.metadata.uid, uid, "a refused restore must not touch the claims");
    });

    it("refuses while a bare pod (a KubeSpawner notebook server) mounts a claim it replaces, naming pod and claim", async () => {
        // KubeSpawner creates notebook pods directly, with no Deployment or StatefulSet over them.
        await api.create(`/api/v1/namespaces/${NS}/pods`, {
            apiVersion: "v1",
            kind: "Pod",
            metadata: { name: "jupyter-alice", labels: { component: "singleuser-server" } },
            spec: {
                nodeName: "w1",
                containers: [{ name: "notebook", image: "registry.airgap.internal:5000/rapidminer/nb:1" }],
                volumes: [
                    { name: "home", persistentVolumeClaim: { claimName: "aihub-home-pvc" } },
                    { name: "scratch", emptyDir: {} },
                ],
            },
        });
        await eventually(
            "kwok runs the notebook pod",
            async () =>
                (await api.get<any>(`/api/v1/namespaces/${NS}/pods/jupyter-alice`))?.status?.phase === "Running",
            60_000,
        );
        const uid = (await api.get<any>(`/api/v1/namespaces/${NS}/persistentvolumeclaims/aihub-home-pvc`))!.metadata
            .uid;
        const opts = { namespace: NS, backupId: ID, timeoutSeconds: 60, log: (l: string) => logs.push(l) };
        for (const replaceData of [true, false]) {
            await assert.rejects(restore(kc, { ...opts, replaceData }), (e: Error) => {
                assert.ok(e instanceof RestoreRefused, String(e));
                assert.match(e.message, /pod\/jupyter-alice \(claim aihub-home-pvc\)/);
                assert.match(e.message, /Stop them first.*aihub\.running to false/);
                return true;
            });
        }
        const still = await api.get<any>(`/api/v1/namespaces/${NS}/persistentvolumeclaims/aihub-home-pvc`);
        assert.equal(still.metadata.uid, uid, "a refused restore must not touch the claims");
        await kc.run(["-n", NS, "delete", "pod", "jupyter-alice", "--grace-period=0", "--force", "--wait=true"]);
        await eventually(
            "the notebook pod is gone",
            async () => (await api.list<any>(`/api/v1/namespaces/${NS}/pods`)).length === 0,
            60_000,
        );
    });

    it("replaces the claims from the snapshots, runs the restore Job with the databases only, and stops them", async () => {
        const t0 = Date.now();
        const dump = async () =>
            console.log(
                "# pods:",
                JSON.stringify(
                    (await api.list<any>(`/api/v1/namespaces/${NS}/pods`)).map((p) => [
                        p.metadata.name,
                        p.spec.nodeName,
                        p.status,
                    ]),
                ).slice(0, 3000),
            );
        await restore(kc, {
            namespace: NS,
            backupId: ID,
            replaceData: true,
            timeoutSeconds: 120,
            log: (l) => logs.push(l),
            jobName: "aihub-restore-test",
        }).catch(async (e) => {
            await dump();
            throw e;
        });
        console.log(`# restore sequence on the sim: ${Date.now() - t0} ms`);
        for (const pvc of ["aihub-db-pvc", "aihub-home-pvc"]) {
            const c = await api.get<any>(`/api/v1/namespaces/${NS}/persistentvolumeclaims/${pvc}`);
            assert.deepEqual(c.spec.dataSource, {
                apiGroup: "snapshot.storage.k8s.io",
                kind: "VolumeSnapshot",
                name: `${pvc}-${ID}`,
            });
            assert.equal(c.metadata.annotations["helm.sh/resource-policy"], "keep");
            // The real csi-provisioner made a new volume from the snapshot (CreateVolume with its snapshot source).
            const pv = await boundVolume(api, pvc);
            assert.equal(pv.metadata.annotations["pv.kubernetes.io/provisioned-by"], RBD);
            assert.ok(pv.spec.csi.volumeAttributes["storage.kubernetes.io/csiProvisionerIdentity"], "real provisioner");
            assert.notEqual(pv.spec.csi.volumeHandle, handles.get(pvc), "a new volume, not the old one");
        }
        const job = await api.get<any>(`/apis/batch/v1/namespaces/${NS}/jobs/aihub-restore-test`);
        const c = job.spec.template.spec.containers;
        assert.deepEqual(
            c.map((x: any) => x.name),
            ["restore"],
        );
        assert.match(c[0].args[0], new RegExp(`pg\\.sh restore "/target/${ID}/db" --drop-existing`));
        assert.equal(c[0].env.find((e: any) => e.name === "BACKUP_ID").value, ID);
        assert.ok(job.status.conditions.some((x: any) => x.type === "Complete" && x.status === "True"));
        for (const d of ["aihub-db", "aihub-backend"]) {
            const dep = await api.get<any>(`/apis/apps/v1/namespaces/${NS}/deployments/${d}`);
            assert.equal(dep.spec.replicas, 0, `${d} must be down after the restore`);
        }
        assert.ok(logs.some((l) => /databases started: deployment\/aihub-db$/.test(l)));
    });
});
