import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { namespacePullSecret } from "./namespaced-pull-secret";

/** Arguments of {@link AddOnNamespace}. */
export interface AddOnNamespaceArgs {
    /** Namespace name. */
    name: string;
    /** Private registry and its pull credentials; the pull Secret is named `pullSecretName`. */
    registry: { server: string; username: string; password: pulumi.Input<string>; pullSecretName: string };
    /** Pod Security level enforced in the namespace (`privileged` for host-level exporters). @default baseline */
    podSecurity?: "privileged" | "baseline" | "restricted";
    /** What the namespace waits for (and outlives on destroy), e.g. the StorageClasses of its claims. @default [] */
    dependsOn?: pulumi.Input<pulumi.Resource>[];
}

/** An add-on's namespace with the registry's pull Secret in it. */
export class AddOnNamespace extends pulumi.ComponentResource {
    /** The namespace name (carries the dependency on the Namespace). */
    public readonly name: pulumi.Output<string>;
    /** The pull Secret's name, and the Secret for `dependsOn`. */
    public readonly pullSecretName: pulumi.Output<string>;
    public readonly pullSecret: k8s.core.v1.Secret;

    constructor(name: string, args: AddOnNamespaceArgs, opts?: pulumi.ComponentResourceOptions) {
        super("aihub-airgap:addons:AddOnNamespace", name, {}, opts);
        const ns = new k8s.core.v1.Namespace(
            name,
            {
                metadata: {
                    name: args.name,
                    labels: { "pod-security.kubernetes.io/enforce": args.podSecurity ?? "baseline" },
                },
            },
            { parent: this, dependsOn: args.dependsOn },
        );
        this.name = ns.metadata.name;
        const pull = namespacePullSecret(this, name, this.name, args.registry);
        this.pullSecret = pull.secret;
        this.pullSecretName = pull.secretName;
        this.registerOutputs({ name: this.name, pullSecretName: this.pullSecretName });
    }
}
