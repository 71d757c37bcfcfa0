/* eslint-disable @typescript-eslint/no-explicit-any -- tests walk recorded, untyped inputs */
/**
 * The backup half under the recording mocks: snapshot CRDs and controller, a VolumeSnapshotClass per storage
 * class (validated against the real v8.6.0 CRD schema), the CronJob with dump and snapshot containers in one pod,
 * the database list and password file from the release's values, the target; and the config errors.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { stackImages } from "../../platform/inventory";
import { BACKUP_SELECTOR } from "../../ops/status";
import { runPolicies } from "../../platform/plan/findings";
import { check } from "../config/helpers";
import { crdErrors, snapshotCrdFile } from "../helpers/crd";
import { composePlatform, stackValues } from "../harness";

const R = "registry.airgap.internal:5000";
const PVC_TARGET = { schedule: "30 1 * * *", retention: 5, target: { pvc: { size: "300Gi" } } };
const S3_TARGET = {
    schedule: "@daily",
    target: {
        s3: {
            endpoint: "https://s3.airgap.internal:9000",
            bucket: "aihub-backups",
            accessKeyId: "AKID",
            secretAccessKey: "s3-secret-value",
        },
    },
};

/** The airgap stack with `backup`; a stack name without a stack file, so the encrypted-secret check is skipped. */
const compose = (backup: unknown) =>
    composePlatform("backuptest", { ...stackValues("airgap"), backup }, ["registry", "aihub", "ingress", "backup"]);

describe("backup on the airgap stack (PVC target)", () => {
    it("installs the snapshot CRDs and controller from the private registry, and a class per storage class", async () => {
        const { rec } = await compose(PVC_TARGET);
        const crds = rec.ofType("kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition");
        assert.deepEqual(crds.map((c) => (c.inputs.metadata as any).name).sort(), [
            "volumesnapshotclasses.snapshot.storage.k8s.io",
            "volumesnapshotcontents.snapshot.storage.k8s.io",
            "volumesnapshots.snapshot.storage.k8s.io",
        ]);
        const deploy = rec.byName("snapshot-controller-deployment");
        const pod = (deploy.inputs.spec as any).template.spec;
        assert.equal(pod.containers[0].image, `${R}/sig-storage/snapshot-controller:v8.6.0`);
        assert.deepEqual(pod.imagePullSecrets, [{ name: "airgap-registry" }]);
        for (const c of crds) assert.ok(rec.dependsOn(deploy, c));
        const classes = rec.ofType("kubernetes:snapshot.storage.k8s.io/v1:VolumeSnapshotClass");
        assert.deepEqual(classes.map((c) => [(c.inputs.metadata as any).name, c.inputs.driver]).sort(), [
            ["csi-cephfsplugin-snapclass", "rook-ceph.cephfs.csi.ceph.com"],
            ["csi-rbdplugin-snapclass", "rook-ceph.rbd.csi.ceph.com"],
        ]);
        for (const c of classes) {
            assert.deepEqual(crdErrors(snapshotCrdFile("VolumeSnapshotClass"), c.inputs as any), []);
            for (const crd of crds) assert.ok(rec.dependsOn(c, crd), "a snapshot class must wait for its CRD");
            assert.equal((c.inputs.parameters as any)["csi.storage.k8s.io/snapshotter-secret-namespace"], "rook-ceph");
        }
    });

    it("runs dump and snapshot containers in one pod of a CronJob after the release, never two at once", async () => {
        const { rec } = await compose(PVC_TARGET);
        const cron = rec.byName("backup-cron");
        const spec = cron.inputs.spec as any;
        assert.equal(spec.schedule, "30 1 * * *");
        assert.equal(spec.concurrencyPolicy, "Forbid");
        const [key, value] = BACKUP_SELECTOR.split("=");
        assert.equal((cron.inputs.metadata as any).labels[key], value, "npm run status finds the CronJob by its label");
        assert.equal(spec.timeZone, "Etc/UTC");
        const pod = spec.jobTemplate.spec.template.spec;
        assert.deepEqual(
            pod.containers.map((c: any) => [c.name, c.image]),
            [
                ["dump", `${R}/rapidminer/postgres-17:2026.0.2`],
                ["snapshot", `${R}/alpine/k8s:1.34.3`],
            ],
        );
        assert.equal(pod.initContainers, undefined, "an init container would delay the other half");
        // Without OnRootMismatch the kubelet re-owns every file of every retained backup on the target at each start.
        assert.deepEqual(pod.securityContext, { fsGroup: 999, fsGroupChangePolicy: "OnRootMismatch" });
        const env = Object.fromEntries(pod.containers[1].env.map((e: any) => [e.name, e.value]));
        assert.equal(env.RETENTION, "5");
        // The run timeout is a real deadline (Kubernetes ends the run), so a run older than it that never completed
        // is dead and the next run may remove it.
        assert.equal(spec.jobTemplate.spec.activeDeadlineSeconds, 86400);
        assert.equal(env.RUN_TIMEOUT, "86400");
        assert.equal(env.TARGET_KIND, "pvc");
        assert.equal(env.TARGET_PVC, "aihub-backup");
        assert.deepEqual(pod.volumes[0], { name: "work", persistentVolumeClaim: { claimName: "aihub-backup" } });
        const release = rec.ofType("kubernetes:helm.sh/v3:Release").find((r) => r.name === "aihub")!;
        assert.ok(rec.dependsOn(cron, release), "the CronJob waits for the AI Hub release");
        for (const c of rec.ofType("kubernetes:snapshot.storage.k8s.io/v1:VolumeSnapshotClass")) {
            assert.ok(rec.dependsOn(cron, c));
        }
        // The class of the shallow read-only copies exists before a run needs it: ceph-csi's snapshot-backed volumes
        // (backingSnapshot "true", no pool), the CephFS class's driver, filesystem and secrets otherwise.
        const shallow = rec.byName("cephfs-snapshot-ro-sc");
        assert.ok(rec.dependsOn(cron, shallow));
        // Destroy removes the AI Hub namespace (where the copy claims live) before the class.
        assert.ok(
            rec.dependsOn(rec.byName("aihub-ns"), shallow),
            "the AI Hub namespace must depend on the shallow class",
        );
        const params = shallow.inputs.parameters as Record<string, string>;
        assert.equal((shallow.inputs.metadata as any).name, "rook-cephfs-snapshot-ro");
        assert.equal(params.backingSnapshot, "true");
        assert.equal(params.pool, undefined);
        const cephfs = rec.byName("cephfs-sc").inputs.parameters as Record<string, string>;
        const without = (o: Record<string, string>, k: string) =>
            Object.fromEntries(Object.entries(o).filter(([x]) => x !== k));
        assert.deepEqual(without(params, "backingSnapshot"), without(cephfs, "pool"));
        // No password in the pod spec: the dump reads it from the Secret's file.
        assert.doesNotMatch(JSON.stringify(spec), /dbPass|PGPASSWORD/);
    });

    it("lists the three databases from the release values and keeps their passwords in a secret file", async () => {
        const { rec } = await compose(PVC_TARGET);
        const cm = rec.byName("backup-scripts");
        const data = cm.inputs.data as any;
        assert.equal(
            data.databases,
            [
                "aihub aihub-db-svc.aihub.svc 5432 aihub aihub",
                "keycloak keycloak-db-svc.aihub.svc 5432 keycloak keycloak",
                "jupyterhub jupyterhub-db.aihub.svc 5432 jupyterhub jupyterhub",
                "",
            ].join("\n"),
        );
        assert.equal(
            data["snapshot-classes"],
            // CephFS copies go through shallow read-only volumes of the third column's class; RBD has none.
            "rook-cephfs csi-cephfsplugin-snapclass rook-cephfs-snapshot-ro\nrook-ceph-block csi-rbdplugin-snapclass\n",
        );
        assert.match(data["pg.sh"], /pg_dump/);
        const secret = rec.byName("backup-db");
        assert.ok(
            secret.secretInputs.some((p) => p.startsWith("stringData")),
            "the password file must be a Pulumi secret",
        );
        const pgpass = (secret.inputs.stringData as any).pgpass as string;
        assert.equal(pgpass.trim().split("\n").length, 3);
        assert.match(pgpass, /^aihub-db-svc\.aihub\.svc:5432:aihub:aihub:[^:\n]{16,}$/m);
    });

    it("creates the target claim RWX on the CephFS class, protected; no policy findings", async () => {
        const { rec, cfg } = await compose(PVC_TARGET);
        const pvc = rec.byName("backup-target");
        assert.deepEqual((pvc.inputs.spec as any).accessModes, ["ReadWriteMany"]);
        assert.equal((pvc.inputs.spec as any).storageClassName, "rook-cephfs");
        assert.equal((pvc.inputs.spec as any).resources.requests.storage, "300Gi");
        assert.equal(pvc.protect, true);
        assert.deepEqual(runPolicies(rec.all(), cfg), []);
    });
});

describe("backup to S3", () => {
    it("keeps the credentials in a secret env Secret and copies through a scratch directory", async () => {
        const { rec } = await compose(S3_TARGET);
        const secret = rec.byName("backup-s3");
        assert.ok(secret.secretInputs.some((p) => p.startsWith("stringData")));
        const pod = (rec.byName("backup-cron").inputs.spec as any).jobTemplate.spec.template.spec;
        assert.deepEqual(pod.volumes[0], { name: "work", emptyDir: {} });
        const snap = pod.containers[1];
        assert.deepEqual(snap.envFrom, [{ secretRef: { name: "aihub-backup-s3" } }]);
        const env = Object.fromEntries(snap.env.map((e: any) => [e.name, e.value]));
        assert.equal(env.S3_URL, "s3://aihub-backups/aihub");
        assert.equal(env.RETENTION, "7");
        assert.equal(rec.all().filter((r) => r.name === "backup-target").length, 0);
        assert.doesNotMatch(JSON.stringify(pod), /s3-secret-value/);
    });
});

describe("backup config errors name the key and the fix", () => {
    const errs = (backup: unknown) => check({ ...stackValues("airgap"), backup }).lines;

    it("rejects a bad schedule, a retention of 0, and zero or two targets", () => {
        assert.deepEqual(errs({ ...PVC_TARGET, schedule: "0 25 * * *" }), [
            'aihub-airgap:backup.schedule: is not a cron schedule: hour "25" is outside 0-23 (write five fields, minute hour day-of-month month day-of-week, e.g. "0 2 * * *" for 02:00 daily)',
        ]);
        assert.match(
            errs({ ...PVC_TARGET, schedule: "daily" })[0],
            /backup\.schedule: is not a cron schedule: has 1 fields/,
        );
        assert.match(errs({ ...PVC_TARGET, retention: 0 })[0], /backup\.retention: must keep at least 1 backup/);
        assert.match(
            errs({ schedule: "@daily", target: {} })[0],
            /backup\.target: must name exactly one target: pvc or s3/,
        );
        assert.match(
            errs({ schedule: "@daily", target: { pvc: {}, s3: S3_TARGET.target.s3 } })[0],
            /backup\.target: must name exactly one target/,
        );
        assert.match(errs({ ...PVC_TARGET, target: { nfs: {} } }).join("\n"), /backup\.target/);
    });

    it("rejects S3 credentials given in plain text in the stack file", () => {
        const { values } = { values: { ...stackValues("airgap"), backup: S3_TARGET } };
        const lines = check(values).lines.join("\n");
        assert.match(lines, /backup\.target\.s3\.secretAccessKey/);
        assert.match(lines, /backup\.target\.s3\.accessKeyId/);
    });
});

describe("the bundle carries the snapshot-controller and tools images only when needed", () => {
    const targets = async (backup: unknown) => {
        const { cfg } = await compose(backup);
        return stackImages(cfg).map((m) => m.target);
    };
    it("adds both with backup, neither without", async () => {
        const withBackup = await targets(PVC_TARGET);
        assert.ok(withBackup.includes(`${R}/sig-storage/snapshot-controller:v8.6.0`));
        assert.ok(withBackup.includes(`${R}/alpine/k8s:1.34.3`));
        const without = await targets(undefined);
        assert.ok(!without.some((t) => /snapshot-controller|alpine\/k8s/.test(t)));
    });
});
