import * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import { ImagePullSecret } from "./pull-secret";

/** The private registry as components take it: host, user, password (secret) and the pull Secret's name. */
export interface PullRegistry {
    server: string;
    username: string;
    password: pulumi.Input<string>;
    pullSecretName: string;
}

/** The private registry's pull Secret (`registry.pullSecretName`) in a namespace, child of `parent`. */
export function namespacePullSecret(
    parent: pulumi.Resource,
    name: string,
    namespace: pulumi.Input<string>,
    registry: PullRegistry,
): ImagePullSecret {
    return new ImagePullSecret(
        `${name}-pull`,
        {
            namespace,
            secretName: registry.pullSecretName,
            server: registry.server,
            username: registry.username,
            password: registry.password,
        },
        { parent },
    );
}

/**
 * A release's namespace `<name>-ns` (with `labels`) and the registry's pull Secret `<name>-pull` in it, children of
 * `parent`: how the Rook operator, AI Hub and each add-on release start.
 */
export function namespaceWithPullSecret(
    parent: pulumi.Resource,
    name: string,
    args: {
        /** Namespace name. */
        namespace: string;
        /** Labels of the namespace (e.g. Pod Security). @default none */
        labels?: Record<string, string>;
        /** The private registry and its pull Secret's name. */
        registry: PullRegistry;
        /** What the namespace waits for and, on destroy, outlives. @default none */
        dependsOn?: pulumi.Input<pulumi.Resource>[];
    },
): { namespace: k8s.core.v1.Namespace; pull: ImagePullSecret } {
    const namespace = new k8s.core.v1.Namespace(
        `${name}-ns`,
        { metadata: { name: args.namespace, ...(args.labels ? { labels: args.labels } : {}) } },
        { parent, ...(args.dependsOn ? { dependsOn: args.dependsOn } : {}) },
    );
    return { namespace, pull: namespacePullSecret(parent, name, namespace.metadata.name, args.registry) };
}
