/**
 * Pure specs of the backup run: the CronJob whose pod starts the dump container (the chart's postgres image,
 * modules/backup/pg.sh) and the snapshot container (the tools image, modules/backup/snapshot.sh) together, the RBAC the snapshot
 * container needs, and the ConfigMap carrying both scripts. `npm run backup` starts a Job from the same template.
 */
import * as fs from "node:fs";
import type * as k8s from "@pulumi/kubernetes";
import { checkoutPath } from "../../lib/checkout";
import type { BackupConfig } from "../../config/schema";
import type { Rule } from "../ceph/snapshot-manifests";

/** The label of the backup CronJob, as key and value; `npm run status` finds the last backup by it. */
export const CRONJOB_LABEL = ["app.kubernetes.io/component", "backup"] as const;

/** Name of the CronJob, its ServiceAccount, Role, ConfigMap and Secrets. */
export const BACKUP_NAME = "aihub-backup";
/** The Secret with the libpq password file. */
export const DB_SECRET = "aihub-backup-db";
/** The Secret with the S3 credentials (environment variables of the aws CLI). */
export const S3_SECRET = "aihub-backup-s3";
/** Label on every VolumeSnapshot of a backup; its value is the backup id (the Job name). */
export const BACKUP_LABEL = "aihub-airgap/backup";
/** Mount point of the target (PVC) or the scratch directory (S3) in the backup pod. */
export const WORK_DIR = "/target";

/** The scripts, as the ConfigMap carries them. */
export function backupScripts(): Record<string, string> {
    const read = (f: string) => fs.readFileSync(checkoutPath("modules", "backup", f), "utf8");
    return { "pg.sh": read("pg.sh"), "snapshot.sh": read("snapshot.sh") };
}

/** What the snapshot container may do in the AI Hub namespace. */
export function backupRules(): Rule[] {
    return [
        { apiGroups: [""], resources: ["persistentvolumeclaims"], verbs: ["get", "list", "create", "delete"] },
        {
            apiGroups: ["snapshot.storage.k8s.io"],
            resources: ["volumesnapshots"],
            verbs: ["get", "list", "watch", "create", "patch", "delete"],
        },
        { apiGroups: ["batch"], resources: ["jobs"], verbs: ["get", "list", "watch", "create", "delete"] },
    ];
}

/** The S3 URL (`s3://bucket/prefix`) of a target. */
export function s3Url(s3: { bucket: string; prefix: string }): string {
    const prefix = s3.prefix.replace(/^\/+|\/+$/g, "");
    return `s3://${s3.bucket}${prefix ? `/${prefix}` : ""}`;
}

/** Inputs of the pod template that are not config. */
export interface BackupPodInputs {
    postgresImage: string;
    toolsImage: string;
    pullSecretName: string;
    /** Name of the target PVC (PVC targets). */
    targetPvc?: string;
    snapshotTimeoutSeconds?: number;
    /**
     * Longest a run may take (the Job's `activeDeadlineSeconds`); a run that never completed is removed by the first
     * run after it is this old. @default 86400
     */
    runTimeoutSeconds?: number;
}

/** Default run timeout: a day, the period of a daily schedule (with `Forbid`, a longer run would skip the next). */
export const RUN_TIMEOUT_SECONDS = 86400;

/** The CronJob spec: one pod, dump and snapshot containers started together; never two runs at once. */
export function backupCronJobSpec(
    backup: BackupConfig,
    namespace: string,
    inputs: BackupPodInputs,
): k8s.types.input.batch.v1.CronJobSpec {
    const s3 = backup.target.s3;
    const work = { name: "work", mountPath: WORK_DIR };
    const scripts = { name: "scripts", mountPath: "/opt/aihub-backup", readOnly: true };
    const backupId = {
        name: "BACKUP_ID",
        valueFrom: { fieldRef: { fieldPath: "metadata.labels['batch.kubernetes.io/job-name']" } },
    };
    const env = (vars: Record<string, string>) => Object.entries(vars).map(([name, value]) => ({ name, value }));
    const runTimeout = inputs.runTimeoutSeconds ?? RUN_TIMEOUT_SECONDS;
    return {
        schedule: backup.schedule,
        timeZone: backup.timeZone,
        concurrencyPolicy: "Forbid",
        startingDeadlineSeconds: 3600,
        successfulJobsHistoryLimit: 3,
        failedJobsHistoryLimit: 3,
        jobTemplate: {
            spec: {
                backoffLimit: 0,
                activeDeadlineSeconds: runTimeout,
                template: {
                    metadata: { labels: { app: BACKUP_NAME } },
                    spec: {
                        restartPolicy: "Never",
                        serviceAccountName: BACKUP_NAME,
                        imagePullSecrets: [{ name: inputs.pullSecretName }],
                        containers: [
                            {
                                name: "dump",
                                image: inputs.postgresImage,
                                command: ["bash", "-c"],
                                args: [
                                    // libpq wants a password file only its user can read; the Secret's copy is root's, group-readable.
                                    `install -m 600 /pgpass/pgpass /tmp/pgpass && bash /opt/aihub-backup/pg.sh dump "${WORK_DIR}/$BACKUP_ID/db" || { mkdir -p "${WORK_DIR}/$BACKUP_ID"; touch "${WORK_DIR}/$BACKUP_ID/db.failed"; exit 1; }`,
                                ],
                                env: [
                                    backupId,
                                    ...env({ AIHUB_DB_LIST: "/opt/aihub-backup/databases", PGPASSFILE: "/tmp/pgpass" }),
                                ],
                                volumeMounts: [work, scripts, { name: "pgpass", mountPath: "/pgpass", readOnly: true }],
                            },
                            {
                                name: "snapshot",
                                image: inputs.toolsImage,
                                command: ["bash", "/opt/aihub-backup/snapshot.sh"],
                                env: [
                                    backupId,
                                    ...env({
                                        NAMESPACE: namespace,
                                        RETENTION: String(backup.retention),
                                        CLASS_MAP: "/opt/aihub-backup/snapshot-classes",
                                        TARGET_KIND: s3 ? "s3" : "pvc",
                                        TARGET_PVC: inputs.targetPvc ?? "",
                                        WORK: WORK_DIR,
                                        TOOLS_IMAGE: inputs.toolsImage,
                                        PULL_SECRET: inputs.pullSecretName,
                                        SNAPSHOT_TIMEOUT: String(inputs.snapshotTimeoutSeconds ?? 3600),
                                        RUN_TIMEOUT: String(runTimeout),
                                        ...(s3 ? { S3_ENDPOINT: s3.endpoint, S3_URL: s3Url(s3) } : {}),
                                    }),
                                ],
                                envFrom: s3 ? [{ secretRef: { name: S3_SECRET } }] : [],
                                volumeMounts: [work, scripts],
                            },
                        ],
                        volumes: [
                            inputs.targetPvc
                                ? { name: "work", persistentVolumeClaim: { claimName: inputs.targetPvc } }
                                : { name: "work", emptyDir: {} },
                            { name: "scripts", configMap: { name: BACKUP_NAME } },
                            { name: "pgpass", secret: { secretName: DB_SECRET, defaultMode: 0o440 } },
                        ],
                        // fsGroup lets postgres (uid 999) write the dumps; OnRootMismatch re-owns the target only
                        // when its root is not the group's yet, not every retained backup at each start.
                        securityContext: { fsGroup: 999, fsGroupChangePolicy: "OnRootMismatch" },
                    },
                },
            },
        },
    };
}

/**
 * The `<storageClass> <snapshotClass> [<shallowClass>]` map snapshot.sh reads: the third column, when the class has
 * one, is the StorageClass of shallow read-only volumes from its snapshots, which the copy uses instead of a clone.
 */
export function snapshotClassMap(classes: Record<string, string>, shallow: Record<string, string> = {}): string {
    return Object.entries(classes)
        .map(([sc, vsc]) => (shallow[sc] ? `${sc} ${vsc} ${shallow[sc]}` : `${sc} ${vsc}`))
        .join("\n")
        .concat("\n");
}
