import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { RegistryConfig } from "../../config/schema";
import { namespacePullSecret } from "../../k8s/namespaced-pull-secret";
import type { GpuConfig } from "./schema";
import { GPU_NODE_LABEL, gpuValues } from "./values";

/** Arguments of {@link GpuOperator}. */
export interface GpuOperatorArgs {
    /** The validated `addons.gpu` section. */
    section: GpuConfig;
    /** The private registry (`registry`): server, credentials, pull Secret name. */
    registry: RegistryConfig;
    /** Labels and readiness of the monitoring add-on; absent when it is off (then no ServiceMonitor). */
    monitoring?: { selectorLabels: Record<string, string>; ready: pulumi.Resource[] };
    /** What pulls wait for (the image push). @default [] */
    after?: pulumi.Resource[];
    /** Helm wait in seconds. @default 1200 */
    timeoutSeconds?: number;
}

/** The NVIDIA GPU operator: namespace, pull secret, GPU node labels, the chart with every image private. */
export class GpuOperator extends pulumi.ComponentResource {
    /** The release; the ClusterPolicy it renders exists once it is done. */
    public readonly release: k8s.helm.v3.Release;

    constructor(name: string, args: GpuOperatorArgs, opts?: pulumi.ComponentResourceOptions) {
        super("aihub-airgap:addons:GpuOperator", name, {}, opts);
        const s = args.section;
        const ns = new k8s.core.v1.Namespace(
            `${name}-ns`,
            // Driver and toolkit pods run privileged.
            { metadata: { name: s.namespace, labels: { "pod-security.kubernetes.io/enforce": "privileged" } } },
            { parent: this },
        );
        const pull = namespacePullSecret(this, name, ns.metadata.name, args.registry);
        const labels = s.nodes.map(
            (node) =>
                new k8s.core.v1.NodePatch(
                    `${name}-label-${node}`,
                    {
                        metadata: {
                            name: node,
                            labels: { [GPU_NODE_LABEL]: "true" },
                            annotations: { "pulumi.com/patchForce": "true" },
                        },
                    },
                    { parent: this },
                ),
        );
        this.release = new k8s.helm.v3.Release(
            `${name}-gpu-operator`,
            {
                name: "gpu-operator",
                chart: s.chart,
                namespace: ns.metadata.name,
                values: gpuValues({
                    section: s,
                    registry: args.registry.server,
                    pullSecretName: args.registry.pullSecretName,
                    monitorLabels: args.monitoring?.selectorLabels,
                }),
                timeout: args.timeoutSeconds ?? 1200,
            },
            {
                parent: this,
                dependsOn: [pull, ...labels, ...(args.monitoring?.ready ?? []), ...(args.after ?? [])],
            },
        );
        this.registerOutputs({ release: this.release.status });
    }
}
