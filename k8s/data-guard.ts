import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";

/** Arguments of {@link DataGuard}. */
export interface DataGuardArgs {
    /** Namespace of the guard ConfigMap (the AI Hub namespace). */
    namespace: string;
    /** `protectData`: while true the guard is protected and `pulumi destroy` stops before deleting anything. */
    protect: boolean;
    /** Every component of the platform: the guard depends on all of their resources. */
    guards: pulumi.Resource[];
}

/** Name of the guard ConfigMap. */
export const DATA_GUARD_NAME = "aihub-airgap-data-protection";

/**
 * Makes `pulumi destroy` all-or-nothing while `protectData` is true. The engine deletes in reverse dependency order
 * and only fails when it reaches a protected resource, so a destroy used to delete the Ingress, the toolbox and the
 * TLS Secret before refusing at the AI Hub release (seen under the real engine). This ConfigMap depends on every
 * resource of the platform, so a destroy deletes it first, alone; protected, it stops the destroy before anything
 * else goes. It also tells `kubectl` users what protects the platform.
 */
export class DataGuard extends pulumi.ComponentResource {
    /** The guard ConfigMap. */
    public readonly configMap: k8s.core.v1.ConfigMap;

    constructor(name: string, args: DataGuardArgs, opts?: pulumi.ComponentResourceOptions) {
        super("aihub-airgap:platform:DataGuard", name, {}, opts);
        this.configMap = new k8s.core.v1.ConfigMap(
            name,
            {
                metadata: { name: DATA_GUARD_NAME, namespace: args.namespace },
                data: {
                    protectData: String(args.protect),
                    howToDestroy:
                        "pulumi config set aihub-airgap:protectData false && pulumi up && pulumi destroy " +
                        "(PVs, CephCluster, CephFilesystem and the AI Hub release are protected while it is true)",
                },
            },
            { parent: this, protect: args.protect, dependsOn: args.guards },
        );
        this.registerOutputs({});
    }
}
