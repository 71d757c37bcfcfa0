import type * as pulumi from "@pulumi/pulumi";
import { ImagePullSecret } from "./pull-secret";

/** The private registry as add-on components take it: host, user, password (secret) and the pull Secret's name. */
export interface AddOnRegistry {
    server: string;
    username: string;
    password: pulumi.Input<string>;
    pullSecretName: string;
}

/** The private registry's pull Secret (`registry.pullSecretName`) in an add-on's namespace, child of `parent`. */
export function addOnPullSecret(
    parent: pulumi.Resource,
    name: string,
    namespace: pulumi.Input<string>,
    registry: AddOnRegistry,
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
