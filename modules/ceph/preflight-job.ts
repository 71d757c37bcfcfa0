/**
 * The Job that runs the disk preflight (modules/ceph/preflight.ts) for one declared disk on its node. The Job fails when
 * the disk is unfit; its pod's termination message holds one line per problem, which the provider's Job await puts
 * into `pulumi up`'s error.
 */
import * as crypto from "node:crypto";
import type * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import { mapImage } from "../../lib/imageref";
import type { NodeDisk } from "../../config/disks";
import { localPvName } from "../../catalog/rook-names";
import { checkScript } from "./preflight";

/** Label value that marks preflight pods (the sim's stand-in completes these itself). */
export const PREFLIGHT_COMPONENT = "disk-preflight";
/** Pod annotation carrying the declared disk, so that readers (status, preflight CLI, the sim) know what was checked. */
export const DISK_ANNOTATION = "aihub-airgap.io/disk";

/** Name of the preflight Job of a disk: `disk-preflight-<pv name>`, at most 63 characters. */
export function preflightJobName(disk: NodeDisk, prefix = "disk-preflight"): string {
    const name = `${prefix}-${localPvName(disk.hostname, disk.role, disk.path)}`;
    if (name.length <= 63) return name;
    const hash = crypto.createHash("sha256").update(name).digest("hex").slice(0, 8);
    return `${name.slice(0, 54).replace(/-+$/, "")}-${hash}`;
}

/** What the Job manifest needs besides the disk. */
export interface PreflightJobInput {
    namespace: pulumi.Input<string>;
    /** Upstream Ceph image (has lsblk and blkid); mapped into the registry. */
    cephImage: string;
    registry: string;
    pullSecretName: pulumi.Input<string>;
    /** Job name prefix. @default "disk-preflight" */
    prefix?: string;
}

/**
 * The Job of one disk: pinned to its node, tolerating every taint, privileged with the host's /dev (for
 * /dev/disk/by-id and blkid) and PID namespace (the host's mountinfo), no retries. `pulumi.com/replaceUnready`
 * makes the next `pulumi up` replace a failed Job, i.e. check again after the disk was fixed; a Job that passed is
 * left alone, so the check does not run again once Ceph owns the disk.
 */
export function preflightJob(disk: NodeDisk, input: PreflightJobInput): k8s.batch.v1.JobArgs {
    const labels = { "app.kubernetes.io/name": "aihub-airgap", "app.kubernetes.io/component": PREFLIGHT_COMPONENT };
    return {
        metadata: {
            name: preflightJobName(disk, input.prefix),
            namespace: input.namespace,
            labels,
            annotations: { "pulumi.com/replaceUnready": "true" },
        },
        spec: {
            backoffLimit: 0,
            template: {
                metadata: { labels, annotations: { [DISK_ANNOTATION]: JSON.stringify(disk) } },
                spec: {
                    restartPolicy: "Never",
                    nodeSelector: { "kubernetes.io/hostname": disk.hostname },
                    tolerations: [{ operator: "Exists" }],
                    hostPID: true,
                    imagePullSecrets: [{ name: input.pullSecretName }],
                    containers: [
                        {
                            name: "check",
                            image: mapImage(input.cephImage, input.registry),
                            imagePullPolicy: "IfNotPresent",
                            command: ["/bin/sh", "-c", checkScript(disk)],
                            securityContext: { privileged: true },
                            terminationMessagePolicy: "File",
                            resources: { requests: { cpu: "10m", memory: "16Mi" }, limits: { memory: "64Mi" } },
                            volumeMounts: [{ name: "dev", mountPath: "/dev" }],
                        },
                    ],
                    volumes: [{ name: "dev", hostPath: { path: "/dev" } }],
                },
            },
        },
    };
}
