/**
 * The restore sequence (`npm run restore`): check the backup and that AI Hub is scaled down, then replace each
 * backed-up PVC by one provisioned from its snapshot, start only the databases, load the dumps with the same pg.sh
 * the backup ran (a Job from the backup CronJob's own pod template), and stop the databases again. Scaling AI Hub
 * back up is `aihub.running: true` + `pulumi up`. Nothing is deleted without `replaceData`.
 */
import { BACKUP_LABEL, BACKUP_NAME, WORK_DIR } from "../modules/backup/job-manifests";
import type { Kubectl } from "../lib/kubectl";

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- kubectl JSON

/** A refusal: nothing was changed; the message says why and what to do. */
export class RestoreRefused extends Error {}

/** Options of {@link restore}. */
export interface RestoreOptions {
    namespace: string;
    backupId: string;
    /** Replace the live PVCs and database contents; without it the sequence is only printed. */
    replaceData: boolean;
    timeoutSeconds: number;
    log: (line: string) => void;
    /** Name of the restore Job. @default `aihub-restore-<time>` */
    jobName?: string;
}

/** One PVC of the backup and the snapshot it comes back from. */
export interface RestoreVolume {
    pvc: string;
    snapshot: string;
}

/** The backup's snapshots; refuses an unknown, incomplete or not-ready backup. */
export async function backupVolumes(kc: Kubectl, ns: string, id: string): Promise<RestoreVolume[]> {
    const list = await kc.json<{ items: Obj[] }>(["-n", ns, "get", "volumesnapshot", "-l", `${BACKUP_LABEL}=${id}`]);
    if (list.items.length === 0) {
        throw new RestoreRefused(
            `--from ${id}: no such backup in namespace ${ns} (list them: kubectl -n ${ns} get volumesnapshot -L ${BACKUP_LABEL},aihub-airgap/complete)`,
        );
    }
    const incomplete = list.items.filter((s) => s.metadata.labels?.["aihub-airgap/complete"] !== "true");
    if (incomplete.length > 0) {
        throw new RestoreRefused(
            `--from ${id}: the backup is incomplete (its run did not finish; pick a backup labelled aihub-airgap/complete=true)`,
        );
    }
    const notReady = list.items.filter((s) => s.status?.readyToUse !== true).map((s) => s.metadata.name);
    if (notReady.length > 0)
        throw new RestoreRefused(`--from ${id}: snapshots not ready to use: ${notReady.join(", ")}`);
    return list.items
        .map((s) => ({ pvc: s.spec.source.persistentVolumeClaimName as string, snapshot: s.metadata.name as string }))
        .sort((a, b) => a.pvc.localeCompare(b.pvc));
}

/** Deployments and StatefulSets of the namespace with replicas > 0, as `kind/name (n)`. */
export async function runningWorkloads(kc: Kubectl, ns: string): Promise<string[]> {
    const list = await kc.json<{ items: Obj[] }>(["-n", ns, "get", "deployments,statefulsets"]);
    return list.items
        .filter((w) => (w.spec.replicas ?? 1) > 0)
        .map((w) => `${w.kind.toLowerCase()}/${w.metadata.name} (${w.spec.replicas ?? 1})`);
}

/**
 * Pods of the namespace, bare or owned, that mount one of `claims` and have not ended (phase Succeeded or Failed):
 * `pod/<name> (claim <claim>)`. Besides the Deployments and StatefulSets, AI Hub's JupyterHub (KubeSpawner) starts
 * notebook pods straight in the namespace that mount the coding-environment and per-user claims; a claim such a pod
 * mounts cannot be replaced under it (the delete would hang on kubernetes.io/pvc-protection, or the pod would write
 * into a claim about to go).
 */
export async function podsMountingClaims(kc: Kubectl, ns: string, claims: Iterable<string>): Promise<string[]> {
    const wanted = new Set(claims);
    const list = await kc.json<{ items: Obj[] }>(["-n", ns, "get", "pods"]);
    const found: string[] = [];
    for (const p of list.items) {
        if (p.status?.phase === "Succeeded" || p.status?.phase === "Failed") continue;
        const mounted = ((p.spec?.volumes ?? []) as Obj[])
            .map((v) => v.persistentVolumeClaim?.claimName as string | undefined)
            .filter((c): c is string => c !== undefined && wanted.has(c));
        for (const c of [...new Set(mounted)].sort()) found.push(`pod/${p.metadata.name} (claim ${c})`);
    }
    return found.sort();
}

/** The claim to create in place of `live`: same name, labels, kept annotations, class, size, modes; from the snapshot. */
export function claimFromSnapshot(live: Obj, snapshot: string): Obj {
    const annotations = Object.fromEntries(
        Object.entries((live.metadata.annotations ?? {}) as Record<string, string>).filter(
            ([k]) =>
                !k.startsWith("pv.kubernetes.io/") &&
                !k.startsWith("volume.") &&
                k !== "kubectl.kubernetes.io/last-applied-configuration",
        ),
    );
    return {
        apiVersion: "v1",
        kind: "PersistentVolumeClaim",
        metadata: {
            name: live.metadata.name,
            namespace: live.metadata.namespace,
            labels: live.metadata.labels ?? {},
            annotations,
        },
        spec: {
            storageClassName: live.spec.storageClassName,
            accessModes: live.spec.accessModes,
            volumeMode: live.spec.volumeMode,
            resources: { requests: { storage: live.spec.resources.requests.storage } },
            dataSource: { apiGroup: "snapshot.storage.k8s.io", kind: "VolumeSnapshot", name: snapshot },
        },
    };
}

/** The restore Job: the backup CronJob's pod with only the dump container, running `pg.sh restore`. */
export function restoreJob(cron: Obj, id: string, jobName: string): Obj {
    const pod = structuredClone(cron.spec.jobTemplate.spec.template) as Obj;
    const containers = pod.spec.containers as Obj[];
    const dump = containers.find((c) => c.name === "dump");
    const tools = containers.find((c) => c.name === "snapshot");
    if (!dump || !tools) throw new Error(`cronjob/${BACKUP_NAME} has no dump/snapshot containers (run pulumi up)`);
    const fixedId = (env: Obj[]) => env.map((e) => (e.name === "BACKUP_ID" ? { name: "BACKUP_ID", value: id } : e));
    const dir = `${WORK_DIR}/${id}`;
    dump.name = "restore";
    dump.env = fixedId(dump.env ?? []);
    dump.args = [
        `install -m 600 /pgpass/pgpass /tmp/pgpass && bash /opt/aihub-backup/pg.sh restore "${dir}/db" --drop-existing`,
    ];
    pod.spec.containers = [dump];
    const s3 = (tools.env as Obj[]).find((e) => e.name === "TARGET_KIND")?.value === "s3";
    if (s3) {
        // The dumps come down from the bucket first.
        pod.spec.initContainers = [
            {
                ...tools,
                name: "fetch",
                env: fixedId(tools.env),
                command: [
                    "bash",
                    "-c",
                    `aws --endpoint-url "$S3_ENDPOINT" s3 cp --recursive "$S3_URL/${id}/db" "${dir}/db"`,
                ],
            },
        ];
    }
    pod.metadata = { labels: { app: "aihub-restore" } };
    return {
        apiVersion: "batch/v1",
        kind: "Job",
        metadata: { name: jobName, namespace: cron.metadata.namespace, labels: { "aihub-airgap/restore": id } },
        spec: { backoffLimit: 0, template: pod },
    };
}

/** The database workloads: those whose pods mount a database PVC (the backup ConfigMap's `database-pvcs`). */
async function databaseWorkloads(kc: Kubectl, ns: string): Promise<string[]> {
    const cm = await kc.json<Obj>(["-n", ns, "get", "configmap", BACKUP_NAME]);
    const pvcs = new Set(
        String(cm.data?.["database-pvcs"] ?? "")
            .split("\n")
            .filter(Boolean),
    );
    const list = await kc.json<{ items: Obj[] }>(["-n", ns, "get", "deployments,statefulsets"]);
    return list.items
        .filter((w) =>
            ((w.spec.template.spec.volumes ?? []) as Obj[]).some((v) => pvcs.has(v.persistentVolumeClaim?.claimName)),
        )
        .map((w) => `${w.kind.toLowerCase()}/${w.metadata.name}`);
}

/** Runs the restore sequence; throws {@link RestoreRefused} before changing anything when it must not run. */
export async function restore(kc: Kubectl, opts: RestoreOptions): Promise<void> {
    const { namespace: ns, backupId: id, log } = opts;
    const t = `${opts.timeoutSeconds}s`;
    const volumes = await backupVolumes(kc, ns, id);
    const running = await runningWorkloads(kc, ns);
    if (running.length > 0) {
        throw new RestoreRefused(
            `AI Hub is running in namespace ${ns}: ${running.join(", ")}. A restore replaces its volumes and databases: ` +
                `scale it down first (set aihub-airgap:aihub.running to false and run pulumi up, or kubectl scale --replicas=0 each of them), then run the restore again`,
        );
    }
    const mounting = await podsMountingClaims(
        kc,
        ns,
        volumes.map((v) => v.pvc),
    );
    if (mounting.length > 0) {
        throw new RestoreRefused(
            `pods in namespace ${ns} mount claims the restore replaces: ${mounting.join(", ")}. ` +
                `Stop them first (a notebook server: stop it in JupyterHub, or kubectl -n ${ns} delete pod <name>; ` +
                `or scale AI Hub down: set aihub-airgap:aihub.running to false and run pulumi up), then run the restore again`,
        );
    }
    const cron = await kc.json<Obj>(["-n", ns, "get", "cronjob", BACKUP_NAME]);
    const dbWorkloads = await databaseWorkloads(kc, ns);
    const steps = [
        ...volumes.map((v) => `replace pvc/${v.pvc} by a claim from volumesnapshot/${v.snapshot}`),
        `start the databases: ${dbWorkloads.join(", ") || "(none found)"}`,
        `load the dumps of ${id} (pg.sh restore --drop-existing)`,
        `stop the databases again`,
    ];
    if (!opts.replaceData) {
        throw new RestoreRefused(
            `the restore would:\n${steps.map((s, i) => `  ${i + 1}. ${s}`).join("\n")}\n` +
                `This replaces the current volumes and database contents; add --replace-data to run it`,
        );
    }
    for (const v of volumes) {
        const live = await kc.json<Obj>(["-n", ns, "get", "pvc", v.pvc]);
        await kc.run(["-n", ns, "delete", "pvc", v.pvc, "--wait=true", `--timeout=${t}`]);
        await kc.create(claimFromSnapshot(live, v.snapshot));
        log(`pvc/${v.pvc} now comes from volumesnapshot/${v.snapshot}`);
    }
    for (const w of dbWorkloads) await kc.run(["-n", ns, "scale", w, "--replicas=1"]);
    for (const w of dbWorkloads) await kc.run(["-n", ns, "rollout", "status", w, `--timeout=${t}`]);
    log(`databases started: ${dbWorkloads.join(", ")}`);
    const jobName = opts.jobName ?? `aihub-restore-${new Date().toISOString().replace(/\D/g, "").slice(0, 14)}`;
    await kc.create(restoreJob(cron, id, jobName));
    await kc.run(["-n", ns, "wait", `job/${jobName}`, "--for=condition=complete", `--timeout=${t}`]);
    log(`databases restored from ${id} (job/${jobName})`);
    for (const w of dbWorkloads) await kc.run(["-n", ns, "scale", w, "--replicas=0"]);
    log(`databases stopped; scale AI Hub up: set aihub-airgap:aihub.running to true and run pulumi up`);
}
