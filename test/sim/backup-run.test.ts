/* eslint-disable @typescript-eslint/no-explicit-any -- API objects */
/**
 * One backup run outside a pod: modules/backup/snapshot.sh (with a real kubectl against the simulated cluster) and
 * modules/backup/pg.sh dump (against a loopback PostgreSQL) started together, as the CronJob's two containers start. The
 * real CSI machinery makes the snapshots and claims (testing/sim/csi.ts): external-snapshotter's snapshot-controller
 * and csi-snapshotter and external-provisioner's csi-provisioner, behind csi-test's mock driver answering as Rook's RBD
 * and CephFS drivers, with our StorageClasses and VolumeSnapshotClasses. No data is stored (the mock keeps records
 * only) and kwok completes the copy Jobs without running them. Checks the snapshots and their contents, the copy
 * claims the provisioner made from them, the timeline (start skew), the completion label, retention, and that a
 * snapshot the real controller refuses fails the run with its reason.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { snapshotClassMap } from "../../modules/backup/job-manifests";
import {
    cephfsShallowStorageClassSpec,
    cephfsStorageClassSpec,
    rbdStorageClassSpec,
} from "../../modules/ceph/fs-manifests";
import { snapshotClassName, snapshotClassSpec } from "../../modules/ceph/snapshot-manifests";
import { engineBinDir } from "../../testing/engine/paths";
import { missingBinaries, startSim, stopSim, type ApiClient, type SimHandle } from "../../testing/sim";
import { missingCsiBinaries } from "../../testing/sim/csi";
import { prepareCsi } from "../helpers/csi-sim";
import { eventually } from "../helpers/eventually";
import { kubectlBinary } from "../helpers/kubectl";
import { postgresBinDir, startPostgres, type PgServer } from "../helpers/postgres";

const SCRIPTS = path.resolve(__dirname, "..", "..", "modules", "backup");
const NS = "aihub";
/** The CephFS part of the `ceph` section the StorageClass specs read. */
const CEPH = { storageClass: "rook-cephfs", filesystem: { name: "rmcephfs" } } as never;
const SHALLOW = "rook-cephfs-snapshot-ro";
const pg = postgresBinDir();
const scope = { operatorNamespace: "rook-ceph", clusterNamespace: "rook-ceph", rookVersion: "v1.20.6" };
const RBD = snapshotClassSpec("rbd", scope).driver as string;
const CEPHFS = snapshotClassSpec("cephfs", scope).driver as string;
const missing = missingBinaries();
const missingCsi = missingCsiBinaries();
const skip = missing.length
    ? `sim binaries missing from ${engineBinDir()}: ${missing.join(", ")}`
    : missingCsi.length
      ? `CSI binaries not built (npm run controllers:build): ${missingCsi.join(", ")}`
      : pg
        ? false
        : "PostgreSQL is not installed";

function runScript(script: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; out: string }> {
    return new Promise((resolve) => {
        const child = spawn("bash", [path.join(SCRIPTS, script), ...args], { env });
        let out = "";
        child.stdout.on("data", (d) => (out += d));
        child.stderr.on("data", (d) => (out += d));
        child.on("close", (code) => resolve({ code: code ?? 1, out }));
    });
}

describe("a backup run: snapshot.sh and pg.sh together", { skip, timeout: 600_000 }, () => {
    let tmp: string;
    let sim: SimHandle;
    let api: ApiClient;
    let server: PgServer;
    let env: NodeJS.ProcessEnv;
    let watching = true;
    /** Every copy PVC (label aihub-airgap/backup-copy) seen while the runs went, by name. */
    const copies = new Map<string, any>();
    /** The PV seen bound to each copy PVC, by the claim's name. */
    const copyVolumes = new Map<string, any>();

    before(async () => {
        tmp = fs.mkdtempSync(path.join(os.tmpdir(), "backup-run-"));
        [sim, server] = await Promise.all([
            startSim({ hostnames: ["w1"], dir: path.join(tmp, "sim"), killOnExit: true }),
            startPostgres(pg!),
        ]);
        api = sim.client;
        server.sql("postgres", server.superuser, server.superPassword, "create role aihub login password 'pw-aihub'");
        server.sql("postgres", server.superuser, server.superPassword, "create database aihub owner aihub");
        server.sql("aihub", "aihub", "pw-aihub", "create table t as select g from generate_series(1, 20000) g");
        // The snapshot CRDs, the real snapshot-controller, csi-provisioner and csi-snapshotter in front of a mock
        // driver per Rook driver, and the provisioner Secrets our classes name.
        await prepareCsi(sim, { rbd: RBD, cephfs: CEPHFS });
        // The RBD and CephFS classes, the CephFS shallow (snapshot-backed, read-only) class and the snapshot classes,
        // as modules/ceph builds them.
        for (const sc of [
            rbdStorageClassSpec("rook-ceph-block", "replicapool", scope),
            cephfsStorageClassSpec(CEPH, scope),
            cephfsShallowStorageClassSpec(CEPH, scope),
        ])
            await api.create("/apis/storage.k8s.io/v1/storageclasses", {
                apiVersion: "storage.k8s.io/v1",
                kind: "StorageClass",
                ...sc,
            });
        for (const kind of ["rbd", "cephfs"] as const)
            await api.create("/apis/snapshot.storage.k8s.io/v1/volumesnapshotclasses", snapshotClassSpec(kind, scope));
        await api.create("/api/v1/namespaces", { apiVersion: "v1", kind: "Namespace", metadata: { name: NS } });
        for (const [pvc, cls, mode = "ReadWriteOnce"] of [
            ["aihub-db-pvc", "rook-ceph-block"],
            ["aihub-home-pvc", "rook-ceph-block"],
            ["aihub-shared-pvc", "rook-cephfs", "ReadWriteMany"],
            ["aihub-backup", "rook-ceph-block"],
            ["scratch", "other-class"],
        ]) {
            await api.create(`/api/v1/namespaces/${NS}/persistentvolumeclaims`, {
                apiVersion: "v1",
                kind: "PersistentVolumeClaim",
                metadata: { name: pvc },
                spec: {
                    storageClassName: cls,
                    accessModes: [mode],
                    resources: { requests: { storage: "1Gi" } },
                },
            });
        }
        for (const pvc of ["aihub-db-pvc", "aihub-home-pvc", "aihub-shared-pvc", "aihub-backup"])
            await eventually(
                `${pvc} bound by the real csi-provisioner`,
                async () =>
                    (await api.get<any>(`/api/v1/namespaces/${NS}/persistentvolumeclaims/${pvc}`))?.status?.phase ===
                    "Bound",
                60_000,
            );
        // Records every copy PVC (label aihub-airgap/backup-copy) and the PV bound to it while the runs go: the script
        // removes them once copied.
        void (async () => {
            while (watching) {
                const claims = await api.list<any>(`/api/v1/namespaces/${NS}/persistentvolumeclaims`).catch(() => []);
                for (const c of claims.filter((x) => x.metadata.labels?.["aihub-airgap/backup-copy"]))
                    copies.set(c.metadata.name, c);
                for (const pv of await api.list<any>("/api/v1/persistentvolumes").catch(() => []))
                    if (pv.spec.claimRef && copies.has(pv.spec.claimRef.name))
                        copyVolumes.set(pv.spec.claimRef.name, pv);
                await new Promise((r) => setTimeout(r, 100));
            }
        })();
        fs.writeFileSync(path.join(tmp, "pgpass"), `127.0.0.1:${server.port}:aihub:aihub:pw-aihub\n`, { mode: 0o600 });
        fs.writeFileSync(path.join(tmp, "dbs"), `aihub 127.0.0.1 ${server.port} aihub aihub\n`);
        fs.writeFileSync(
            path.join(tmp, "classes"),
            snapshotClassMap(
                { "rook-ceph-block": snapshotClassName("rbd"), "rook-cephfs": snapshotClassName("cephfs") },
                { "rook-cephfs": SHALLOW },
            ),
        );
        fs.mkdirSync(path.join(tmp, "work"));
        env = {
            PATH: `${path.dirname(kubectlBinary())}:${pg}:${process.env.PATH}`,
            KUBECONFIG: sim.kubeconfig,
            // kubectl keeps its discovery cache under $HOME/.kube; keep it in the temp dir.
            HOME: tmp,
            PGPASSFILE: path.join(tmp, "pgpass"),
            AIHUB_DB_LIST: path.join(tmp, "dbs"),
            NAMESPACE: NS,
            RETENTION: "2",
            CLASS_MAP: path.join(tmp, "classes"),
            TARGET_KIND: "pvc",
            TARGET_PVC: "aihub-backup",
            WORK: path.join(tmp, "work"),
            TOOLS_IMAGE: "r/alpine/k8s:1.34.3",
            PULL_SECRET: "airgap-registry",
            SNAPSHOT_TIMEOUT: "120",
            RUN_TIMEOUT: "3600",
        };
    });

    after(async () => {
        watching = false;
        server?.stop();
        api?.close();
        if (tmp) {
            await stopSim(path.join(tmp, "sim"));
            fs.rmSync(tmp, { recursive: true, force: true });
        }
    });

    const backup = async (id: string, extra: NodeJS.ProcessEnv = {}) => {
        const e = { ...env, ...extra, BACKUP_ID: id };
        const [snap, dump] = await Promise.all([
            runScript("snapshot.sh", [], e),
            runScript("pg.sh", ["dump", path.join(env.WORK!, id, "db")], e),
        ]);
        assert.equal(dump.code, 0, dump.out);
        assert.equal(snap.code, 0, snap.out);
        return snap.out;
    };

    it("snapshots every PVC with a snapshot class within the dumps' start, copies, and marks the backup complete", async () => {
        const t0 = Date.now();
        const out = await backup("aihub-backup-1001");
        console.log(`# backup run (3 volumes, 1 database) on the sim: ${Date.now() - t0} ms`);
        assert.match(out, /skipping PVC scratch: StorageClass other-class has no snapshot class/);
        const snaps = await api.list<any>(`/apis/snapshot.storage.k8s.io/v1/namespaces/${NS}/volumesnapshots`);
        assert.deepEqual(snaps.map((s) => s.metadata.name).sort(), [
            "aihub-db-pvc-aihub-backup-1001",
            "aihub-home-pvc-aihub-backup-1001",
            "aihub-shared-pvc-aihub-backup-1001",
        ]);
        for (const s of snaps) assert.equal(s.metadata.labels["aihub-airgap/complete"], "true");
        // Made by the real controllers: each snapshot bound to a content of its class's driver whose source is the
        // volume the real csi-provisioner created for the claim, with the mock driver's snapshot handle.
        for (const s of snaps) {
            const pvc = s.metadata.labels["aihub-airgap/pvc"];
            assert.equal(s.status.readyToUse, true, s.metadata.name);
            const content = await api.get<any>(
                `/apis/snapshot.storage.k8s.io/v1/volumesnapshotcontents/${s.status.boundVolumeSnapshotContentName}`,
            );
            const claim = await api.get<any>(`/api/v1/namespaces/${NS}/persistentvolumeclaims/${pvc}`);
            const pv = await api.get<any>(`/api/v1/persistentvolumes/${claim.spec.volumeName}`);
            const driver = pvc === "aihub-shared-pvc" ? CEPHFS : RBD;
            assert.equal(pv.metadata.annotations["pv.kubernetes.io/provisioned-by"], driver);
            assert.ok(pv.spec.csi.volumeAttributes["storage.kubernetes.io/csiProvisionerIdentity"], "real provisioner");
            assert.equal(content.spec.driver, driver);
            assert.equal(content.spec.volumeSnapshotClassName, snapshotClassName(driver === RBD ? "rbd" : "cephfs"));
            assert.equal(content.spec.source.volumeHandle, pv.spec.csi.volumeHandle);
            assert.equal(content.status.readyToUse, true);
            assert.match(content.status.snapshotHandle, /^\d+$/, "the mock driver's snapshot id");
        }
        const dir = path.join(env.WORK!, "aihub-backup-1001");
        assert.ok(fs.existsSync(path.join(dir, "COMPLETE")));
        assert.ok(fs.existsSync(path.join(dir, "db", "aihub.dump")));
        const line = (f: string, key: string) =>
            Number(
                fs
                    .readFileSync(f, "utf8")
                    .split("\n")
                    .find((l) => l.startsWith(key))!
                    .split(" ")
                    .pop(),
            );
        const snapStart = line(path.join(dir, "timeline"), "snapshots-started");
        const dumpStart = line(path.join(dir, "db", "timeline"), "started aihub");
        const created = line(path.join(dir, "timeline"), "snapshots-created");
        console.log(
            `# snapshot start vs dump start: ${snapStart - dumpStart} ms; all snapshots created ${created - dumpStart} ms after the dump started`,
        );
        assert.ok(Math.abs(snapStart - dumpStart) < 5000);
        // The CephFS volume's copy is a shallow snapshot-backed volume (ReadOnlyMany, the class without a pool, data
        // source the VolumeSnapshot): no full clone. The RBD ones are clones in the source's class and mode.
        const copyOf = (pvc: string) =>
            [...copies.values()].find(
                (c) =>
                    c.metadata.labels["aihub-airgap/backup-copy"] === "aihub-backup-1001" &&
                    c.spec.dataSource?.name === `${pvc}-aihub-backup-1001`,
            );
        const shared = copyOf("aihub-shared-pvc");
        assert.ok(shared, `no copy PVC of aihub-shared-pvc seen (${[...copies.keys()].join(", ")})`);
        assert.deepEqual(shared.spec.accessModes, ["ReadOnlyMany"]);
        assert.equal(shared.spec.storageClassName, SHALLOW);
        assert.deepEqual(shared.spec.dataSource, {
            apiGroup: "snapshot.storage.k8s.io",
            kind: "VolumeSnapshot",
            name: "aihub-shared-pvc-aihub-backup-1001",
        });
        // The real csi-provisioner made each copy's volume from its snapshot (CreateVolume with the snapshot source).
        for (const c of [...copies.values()].filter(
            (x) => x.metadata.labels["aihub-airgap/backup-copy"] === "aihub-backup-1001",
        )) {
            const pv = copyVolumes.get(c.metadata.name);
            assert.ok(pv, `no PV seen bound to the copy claim ${c.metadata.name}`);
            assert.deepEqual(pv.spec.accessModes, c.spec.accessModes);
            assert.equal(pv.spec.storageClassName, c.spec.storageClassName);
            assert.ok(pv.spec.csi.volumeAttributes["storage.kubernetes.io/csiProvisionerIdentity"], "real provisioner");
        }
        assert.equal(copyVolumes.get(shared.metadata.name).spec.csi.driver, CEPHFS);
        const cls = await api.get<any>(`/apis/storage.k8s.io/v1/storageclasses/${SHALLOW}`);
        assert.equal(cls.parameters.backingSnapshot, "true");
        assert.equal(cls.parameters.pool, undefined);
        assert.equal(cls.parameters.fsName, "rmcephfs");
        const db = copyOf("aihub-db-pvc");
        assert.deepEqual(db.spec.accessModes, ["ReadWriteOnce"]);
        assert.equal(db.spec.storageClassName, "rook-ceph-block");
        // Each snapshot went through a copy PVC and a copy Job, which kwok completed.
        assert.match(out, /copied aihub-db-pvc \(ReadWriteOnce volume of class rook-ceph-block\)\n/);
        assert.match(out, /copied aihub-home-pvc \(ReadWriteOnce volume of class rook-ceph-block\)\n/);
        assert.match(out, /copied aihub-shared-pvc \(shallow ReadOnlyMany volume of class rook-cephfs-snapshot-ro\)\n/);
    });

    it("keeps the newest RETENTION complete backups", async () => {
        await backup("aihub-backup-1002");
        await backup("aihub-backup-1003");
        const snaps = await api.list<any>(`/apis/snapshot.storage.k8s.io/v1/namespaces/${NS}/volumesnapshots`);
        const ids = [
            ...new Set(
                snaps.filter((s) => !s.metadata.deletionTimestamp).map((s) => s.metadata.labels["aihub-airgap/backup"]),
            ),
        ].sort();
        assert.deepEqual(ids, ["aihub-backup-1002", "aihub-backup-1003"]);
        assert.ok(!fs.existsSync(path.join(env.WORK!, "aihub-backup-1001")), "the old backup's copies must go with it");
        assert.ok(fs.existsSync(path.join(env.WORK!, "aihub-backup-1002", "COMPLETE")));
        // deletionPolicy Delete: the real controllers delete the removed snapshots' contents (and the driver's snapshots).
        await eventually(
            "the contents of aihub-backup-1001 deleted",
            async () =>
                !(await api.list<any>("/apis/snapshot.storage.k8s.io/v1/volumesnapshotcontents")).some((c) =>
                    c.spec.volumeSnapshotRef.name.endsWith("-aihub-backup-1001"),
                ),
            60_000,
        );
    });

    /** What a run that failed after its snapshots left behind: snapshots never marked complete, a copy, files. */
    const failedRun = async (id: string) => {
        for (const pvc of ["aihub-db-pvc", "aihub-home-pvc"]) {
            await api.create(`/apis/snapshot.storage.k8s.io/v1/namespaces/${NS}/volumesnapshots`, {
                apiVersion: "snapshot.storage.k8s.io/v1",
                kind: "VolumeSnapshot",
                metadata: {
                    name: `${pvc}-${id}`,
                    labels: { "aihub-airgap/backup": id, "aihub-airgap/pvc": pvc },
                },
                spec: {
                    volumeSnapshotClassName: "csi-rbdplugin-snapclass",
                    source: { persistentVolumeClaimName: pvc },
                },
            });
        }
        const copy = { name: `bk-copy-${id.slice(-4)}`, labels: { "aihub-airgap/backup-copy": id } };
        await api.create(`/api/v1/namespaces/${NS}/persistentvolumeclaims`, {
            apiVersion: "v1",
            kind: "PersistentVolumeClaim",
            metadata: copy,
            spec: {
                storageClassName: "rook-ceph-block",
                accessModes: ["ReadWriteOnce"],
                resources: { requests: { storage: "1Gi" } },
            },
        });
        await api.create(`/apis/batch/v1/namespaces/${NS}/jobs`, {
            apiVersion: "batch/v1",
            kind: "Job",
            metadata: copy,
            spec: {
                template: {
                    spec: { restartPolicy: "Never", containers: [{ name: "copy", image: "r/alpine/k8s:1.34.3" }] },
                },
            },
        });
        fs.mkdirSync(path.join(env.WORK!, id, "db"), { recursive: true });
        fs.writeFileSync(path.join(env.WORK!, id, "db", "aihub.dump"), "partial");
    };
    const live = async (p: string) =>
        (await api.list<any>(p)).filter((o) => !o.metadata.deletionTimestamp).map((o) => o.metadata.name);

    it("removes a run that never completed once it is older than RUN_TIMEOUT, and keeps a younger one", async () => {
        const runTimeout = 8;
        await failedRun("aihub-backup-0990");
        await new Promise((r) => setTimeout(r, (runTimeout + 1) * 1000));
        await failedRun("aihub-backup-0995");
        const out = await backup("aihub-backup-1004", { RUN_TIMEOUT: String(runTimeout) });
        assert.match(out, /removing backup aihub-backup-0990: it never completed/);
        assert.doesNotMatch(out, /removing backup aihub-backup-0995/);
        const snaps = await live(`/apis/snapshot.storage.k8s.io/v1/namespaces/${NS}/volumesnapshots`);
        assert.ok(!snaps.some((n) => n.endsWith("-aihub-backup-0990")), snaps.join(" "));
        assert.equal(snaps.filter((n) => n.endsWith("-aihub-backup-0995")).length, 2, "a younger run may be running");
        assert.ok(!(await live(`/api/v1/namespaces/${NS}/persistentvolumeclaims`)).includes("bk-copy-0990"));
        assert.ok(!(await live(`/apis/batch/v1/namespaces/${NS}/jobs`)).includes("bk-copy-0990"));
        assert.ok((await live(`/apis/batch/v1/namespaces/${NS}/jobs`)).includes("bk-copy-0995"));
        assert.ok(!fs.existsSync(path.join(env.WORK!, "aihub-backup-0990")), "its partial files go with it");
        assert.ok(fs.existsSync(path.join(env.WORK!, "aihub-backup-0995", "db", "aihub.dump")));
        assert.ok(fs.existsSync(path.join(env.WORK!, "aihub-backup-1004", "COMPLETE")));
    });
    it("fails a run whose snapshot the real snapshot-controller refuses, naming its reason", async () => {
        // A claim the real csi-provisioner refuses to provision (a selector: "claim Selector is not supported") stays
        // Pending; the snapshot-controller refuses to snapshot a claim with no bound volume.
        const ns = "aihub-refused";
        await api.create("/api/v1/namespaces", { apiVersion: "v1", kind: "Namespace", metadata: { name: ns } });
        await api.create(`/api/v1/namespaces/${ns}/persistentvolumeclaims`, {
            apiVersion: "v1",
            kind: "PersistentVolumeClaim",
            metadata: { name: "unbound" },
            spec: {
                storageClassName: "rook-ceph-block",
                accessModes: ["ReadWriteOnce"],
                resources: { requests: { storage: "1Gi" } },
                selector: { matchLabels: { disk: "fast" } },
            },
        });
        await eventually(
            "the provisioner's ProvisioningFailed event",
            async () =>
                (await api.list<any>(`/api/v1/namespaces/${ns}/events`)).find(
                    (e) => e.reason === "ProvisioningFailed" && /Selector is not supported/.test(e.message),
                ),
            60_000,
        );
        const id = "aihub-backup-2001";
        const run = await runScript("snapshot.sh", [], {
            ...env,
            NAMESPACE: ns,
            BACKUP_ID: id,
            SNAPSHOT_TIMEOUT: "15",
        });
        assert.notEqual(run.code, 0, run.out);
        const snap = await api.get<any>(
            `/apis/snapshot.storage.k8s.io/v1/namespaces/${ns}/volumesnapshots/unbound-${id}`,
        );
        assert.notEqual(snap.status?.readyToUse, true);
        assert.match(
            snap.status.error.message,
            /the PVC unbound is not yet bound to a PV, will not attempt to take a snapshot/,
        );
        assert.match(run.out, new RegExp(`volumesnapshot unbound-${id} not ready after 15s: .*not yet bound to a PV`));
        assert.ok(!fs.existsSync(path.join(env.WORK!, id, "COMPLETE")));
    });
});
