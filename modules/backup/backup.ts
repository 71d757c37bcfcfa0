import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { aihubDatabases, dbListFile, pgpassFile, postgresImage } from "./databases";
import {
    CRONJOB_LABEL,
    BACKUP_NAME,
    backupCronJobSpec,
    backupRules,
    backupScripts,
    DB_SECRET,
    S3_SECRET,
    snapshotClassMap,
} from "./job-manifests";
import type { BackupConfig } from "../../config/schema";

/** Arguments of {@link Backup}. */
export interface BackupArgs {
    /** The validated `backup` config section (schedule, retention, target). */
    backup: BackupConfig;
    /** The AI Hub namespace (the backup runs there, beside the volumes and databases). */
    namespace: string;
    /** The release's merged values (secret), for the databases and the postgres image. */
    values: pulumi.Output<Record<string, unknown>>;
    /** The AI Hub chart version (the image tag when values do not set `common.mainVersion`). */
    chartVersion: string;
    /** The tools image (bash, kubectl, aws CLI) in the private registry. */
    toolsImage: string;
    /** Name of the image pull Secret in the namespace. */
    pullSecretName: string;
    /** VolumeSnapshotClass name per StorageClass name. */
    snapshotClasses: Record<string, string>;
    /**
     * Per StorageClass name, the class of shallow read-only volumes from its snapshots (the CephFS one); a volume of
     * such a class is copied through a ReadOnlyMany snapshot-backed volume instead of a full clone. @default {}
     */
    shallowClasses?: Record<string, string>;
    /** StorageClass of a created target PVC when `target.pvc.storageClass` is not set (the CephFS class). */
    defaultTargetClass: pulumi.Input<string>;
    /** Resources to wait for: the AI Hub release and the snapshot classes. */
    after: pulumi.Resource[];
    /** Protect a created target PVC from deletion. @default true */
    protect?: boolean;
}

/**
 * Scheduled consistent backups: the CronJob (dump and snapshot containers in one pod), its RBAC, the scripts, the
 * database password file and S3 credentials as Secrets, and the target PVC unless it exists already.
 */
export class Backup extends pulumi.ComponentResource {
    /** The CronJob name; `npm run backup` starts a Job from it. */
    public readonly cronJobName: pulumi.Output<string>;

    constructor(name: string, args: BackupArgs, opts?: pulumi.ComponentResourceOptions) {
        super("aihub-airgap:backup:Backup", name, {}, opts);
        const child = { parent: this, dependsOn: args.after };
        const meta = { name: BACKUP_NAME, namespace: args.namespace };
        const target = args.backup.target;
        const dbs = args.values.apply((v) => aihubDatabases(v, args.namespace));
        // Names, hosts and the image are not secret, although the values they come from are.
        const dbList = pulumi.unsecret(dbs.apply(dbListFile));
        const dbPvcs = pulumi.unsecret(dbs.apply((d) => d.map((x) => x.pvc).join("\n") + "\n"));
        const pgImage = pulumi.unsecret(args.values.apply((v) => postgresImage(v, args.chartVersion)));

        const sa = new k8s.core.v1.ServiceAccount(`${name}-sa`, { metadata: meta }, child);
        const role = new k8s.rbac.v1.Role(`${name}-role`, { metadata: meta, rules: backupRules() }, child);
        const binding = new k8s.rbac.v1.RoleBinding(
            `${name}-binding`,
            {
                metadata: meta,
                subjects: [{ kind: "ServiceAccount", name: BACKUP_NAME, namespace: args.namespace }],
                roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: role.metadata.name },
            },
            child,
        );
        const scripts = new k8s.core.v1.ConfigMap(
            `${name}-scripts`,
            {
                metadata: meta,
                data: {
                    ...backupScripts(),
                    databases: dbList,
                    // The restore starts only the workloads that mount these.
                    "database-pvcs": dbPvcs,
                    "snapshot-classes": snapshotClassMap(args.snapshotClasses, args.shallowClasses),
                },
            },
            child,
        );
        const secrets: pulumi.Resource[] = [
            new k8s.core.v1.Secret(
                `${name}-db`,
                {
                    metadata: { ...meta, name: DB_SECRET },
                    stringData: { pgpass: pulumi.secret(dbs.apply(pgpassFile)) },
                },
                child,
            ),
        ];
        if (target.s3) {
            secrets.push(
                new k8s.core.v1.Secret(
                    `${name}-s3`,
                    {
                        metadata: { ...meta, name: S3_SECRET },
                        stringData: {
                            AWS_ACCESS_KEY_ID: target.s3.accessKeyId,
                            AWS_SECRET_ACCESS_KEY: target.s3.secretAccessKey,
                            AWS_DEFAULT_REGION: target.s3.region,
                        },
                    },
                    child,
                ),
            );
        }
        const pvcs: pulumi.Resource[] = [];
        if (target.pvc && !target.pvc.existing) {
            pvcs.push(
                new k8s.core.v1.PersistentVolumeClaim(
                    `${name}-target`,
                    {
                        metadata: { ...meta, name: target.pvc.name },
                        spec: {
                            accessModes: ["ReadWriteMany"],
                            storageClassName: target.pvc.storageClass ?? args.defaultTargetClass,
                            resources: { requests: { storage: target.pvc.size } },
                        },
                    },
                    // The backups live here: never deleted with the stack while data is protected.
                    { ...child, protect: args.protect ?? true },
                ),
            );
        }
        const cron = new k8s.batch.v1.CronJob(
            `${name}-cron`,
            {
                metadata: { ...meta, labels: { [CRONJOB_LABEL[0]]: CRONJOB_LABEL[1] } },
                spec: pgImage.apply((image) =>
                    backupCronJobSpec(args.backup, args.namespace, {
                        postgresImage: image,
                        toolsImage: args.toolsImage,
                        pullSecretName: args.pullSecretName,
                        targetPvc: target.pvc?.name,
                    }),
                ),
            },
            { ...child, dependsOn: [...args.after, sa, binding, scripts, ...secrets, ...pvcs] },
        );
        this.cronJobName = cron.metadata.name;
        this.registerOutputs({ cronJobName: this.cronJobName });
    }
}
