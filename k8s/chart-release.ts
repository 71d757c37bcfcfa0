import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { namespaceWithPullSecret } from "./namespaced-pull-secret";
import type { RegistryConfig } from "../config/schema";

/** Arguments of {@link AddOnRelease}. */
export interface AddOnReleaseArgs {
    /** Namespace created for the release. */
    namespace: string;
    /** Labels of the namespace (e.g. Pod Security). @default none */
    namespaceLabels?: Record<string, string>;
    /** Helm release name. */
    releaseName: string;
    /** Path of the chart .tgz as config gives it (relative to the project). */
    chart: string;
    /** Chart values (images already mapped into the private registry). */
    values: Record<string, unknown>;
    /** The private registry and the name of its pull Secret. */
    registry: Pick<RegistryConfig, "server" | "username" | "password" | "pullSecretName">;
    /** What must finish before anything pulls an image (the bundle push). @default [] */
    after?: pulumi.Input<pulumi.Resource>[];
    /** Helm timeout in seconds. @default 600 */
    timeoutSeconds?: number;
}

/** An add-on's chart: its namespace, the registry pull Secret there, and the Helm release, awaited. */
export class AddOnRelease extends pulumi.ComponentResource {
    /** The namespace name. */
    public readonly namespace: pulumi.Output<string>;
    /** The release, for the add-on's custom resources to wait for. */
    public readonly release: k8s.helm.v3.Release;

    constructor(name: string, args: AddOnReleaseArgs, opts?: pulumi.ComponentResourceOptions) {
        super("aihub-airgap:addons:AddOnRelease", name, {}, opts);
        const { namespace, pull } = namespaceWithPullSecret(this, name, {
            namespace: args.namespace,
            labels: args.namespaceLabels,
            registry: args.registry,
        });
        this.namespace = namespace.metadata.name;
        this.release = new k8s.helm.v3.Release(
            name,
            {
                name: args.releaseName,
                chart: args.chart,
                namespace: this.namespace,
                values: args.values,
                timeout: args.timeoutSeconds ?? 600,
            },
            { parent: this, dependsOn: [pull.secret, ...(args.after ?? [])] },
        );
        this.registerOutputs({ namespace: this.namespace });
    }
}
