import type * as pulumi from "@pulumi/pulumi";
import { ImagePullSecret } from "../../components/pull-secret";
import type { RegistryConfig } from "../../stacks/schema";

/** The private registry's pull Secret (`registry.pullSecretName`) in an add-on's namespace, child of `parent`. */
export function addOnPullSecret(
    parent: pulumi.Resource,
    name: string,
    namespace: pulumi.Input<string>,
    registry: RegistryConfig,
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
