import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { TIERS, type Workload } from "./scale";

/** Arguments of {@link AiHubScale}. */
export interface AiHubScaleArgs {
    /** The release namespace. */
    namespace: pulumi.Input<string>;
    /** The release's workloads in scale-down order (modules/aihub/scale.ts). */
    workloads: Workload[];
    /** `aihub.running`: true runs every workload at its replica count, false scales all to 0. */
    running: boolean;
    /** The AI Hub release: the steps come after it (they patch its workloads). */
    release: k8s.helm.v3.Release;
}

/**
 * The replica counts of the AI Hub workloads, as one server-side-apply patch per workload, in three steps that wait
 * for each other: stopping goes proxy and front ends → servers and agents → databases; starting goes the other way.
 * The post-renderer takes `spec.replicas` out of the chart, so these patches are its only owner and a Helm upgrade
 * cannot undo a scale-down. Each step waits as the provider awaits a Deployment or StatefulSet (rollout done).
 */
export class AiHubScale extends pulumi.ComponentResource {
    /** The last step, for whatever must come after the scale change. */
    public readonly last: pulumi.Resource[];
    /** The replica count each workload is set to, `Kind/name` → count. */
    public readonly replicas: pulumi.Output<Record<string, number>>;

    constructor(name: string, args: AiHubScaleArgs, opts?: pulumi.ComponentResourceOptions) {
        super("aihub-airgap:aihub:AiHubScale", name, {}, opts);
        const order = args.running ? [...TIERS].reverse() : [...TIERS];
        let previous: pulumi.Resource[] = [args.release];
        const counts: Record<string, number> = {};
        for (const tier of order) {
            const step = args.workloads
                .filter((w) => w.tier === tier)
                .map((w) => {
                    const replicas = args.running ? w.replicas : 0;
                    counts[`${w.kind}/${w.name}`] = replicas;
                    const patch = {
                        metadata: {
                            name: w.name,
                            namespace: args.namespace,
                            annotations: { "pulumi.com/patchForce": "true" },
                        },
                        spec: { replicas },
                    };
                    // The force annotation tells the provider to take `spec.replicas` from Helm's create (it owns the
                    // defaulted field); it is an instruction, not state. The provider (pulumi-kubernetes 4.25.0) can
                    // record as the patch's live object the workload as it was *before* the apply: its await reads
                    // a per-namespace informer shared by every resource of the run (provider/pkg/await/informers/
                    // factory.go), whose cached objects are replayed to each new subscriber, and it drops an object
                    // as stale only when its `metadata.generation` is lower (provider/pkg/await/deployment.go and
                    // statefulset.go, "Do nothing if this is a stale object"). An apply that leaves `spec.replicas`
                    // as it was (Helm's create defaulted it to the same count) bumps no generation, so the cached,
                    // already Ready workload without the annotation may win the race (2 of 3 airgap runs once), and
                    // the next preview showed an update re-adding only the annotation. A change of replicas bumps
                    // the generation, so only metadata can be stale: the annotations are ignored in the diff, the
                    // inputs keep the annotation, so every apply still forces.
                    // A patch's outputs are the whole live object, and a chart may put a password straight into a
                    // container's env (10.3.x Panopticon: the MonetDB admin password): its spec is kept secret.
                    const o = {
                        parent: this,
                        dependsOn: previous,
                        ignoreChanges: ["metadata.annotations"],
                        additionalSecretOutputs: ["spec"],
                    };
                    return w.kind === "Deployment"
                        ? new k8s.apps.v1.DeploymentPatch(`${name}-${w.name}`, patch, o)
                        : new k8s.apps.v1.StatefulSetPatch(`${name}-${w.name}`, patch, o);
                });
            if (step.length > 0) previous = step;
        }
        this.last = previous;
        this.replicas = pulumi.output(counts);
        this.registerOutputs({ replicas: this.replicas });
    }
}
