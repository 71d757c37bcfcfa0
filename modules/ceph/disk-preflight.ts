import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { cephDisks } from "../../config/disks";
import type { CephConfig } from "../../config/schema";
import { preflightJob, preflightJobName } from "./preflight-job";

/** Arguments of {@link DiskPreflight}. */
export interface DiskPreflightArgs {
    /** The validated `ceph` config section (the disk map and the Ceph image, which has lsblk and blkid). */
    ceph: CephConfig;
    /** Namespace the Jobs run in (the Rook namespace; its pull Secret must exist). */
    namespace: pulumi.Input<string>;
    /** Private registry the Ceph image is mapped into. */
    registry: string;
    /** Name of the pull Secret in the namespace. */
    pullSecretName: pulumi.Input<string>;
    /** What must finish before a check pulls its image (the RegistryMirror push). @default [] */
    after?: pulumi.Resource[];
    /** How long one check may take, image pull included. @default "10m" */
    timeout?: string;
}

/**
 * One check Job per declared disk (see modules/ceph/preflight-job.ts). The CephCluster depends on `jobs`, so a failed
 * check stops `pulumi up` before Rook touches any disk, with one line per problem in the error.
 */
export class DiskPreflight extends pulumi.ComponentResource {
    /** The check Jobs, in disk-map order, for `dependsOn`. */
    public readonly jobs: k8s.batch.v1.Job[];
    /** Names of the Jobs. */
    public readonly jobNames: pulumi.Output<string[]>;

    constructor(name: string, args: DiskPreflightArgs, opts?: pulumi.ComponentResourceOptions) {
        super("aihub-airgap:storage:DiskPreflight", name, {}, opts);
        const timeout = args.timeout ?? "10m";
        this.jobs = cephDisks(args.ceph).map((disk) => {
            const spec = preflightJob(disk, {
                namespace: args.namespace,
                cephImage: args.ceph.image,
                registry: args.registry,
                pullSecretName: args.pullSecretName,
            });
            return new k8s.batch.v1.Job(`${name}-${preflightJobName(disk)}`, spec, {
                parent: this,
                deleteBeforeReplace: true,
                dependsOn: args.after ?? [],
                customTimeouts: { create: timeout, update: timeout },
            });
        });
        this.jobNames = pulumi.all(this.jobs.map((j) => j.metadata.name));
        this.registerOutputs({ jobNames: this.jobNames });
    }
}
