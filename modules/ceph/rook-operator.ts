import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { parseSemver, rookLayout, rookNeedsCsiDrivers } from "../../catalog/versions";
import { csiDriversValues, rookOperatorValues, type RookValuesInput } from "./rook-values";
import { namespaceWithPullSecret } from "../../k8s/namespaced-pull-secret";

/** Arguments of {@link RookOperator}. */
export interface RookOperatorArgs {
    /** Rook version, e.g. `v1.20.6`; selects the values layout and the image catalog entry. */
    version: string;
    /** Path of the packaged rook-ceph chart (`.tgz`), relative to the project directory. */
    chart: string;
    /** Path of the packaged ceph-csi-drivers chart; required for Rook >= 1.20, ignored before. */
    csiDriversChart?: string;
    /** Namespace of the operator and the cluster (created here). */
    namespace: string;
    /** Private registry `host[:port][/project]` every image is pulled from. */
    registry: string;
    /** Registry user for the pull secret. */
    username: string;
    /** Registry password; kept secret. */
    password: pulumi.Input<string>;
    /** Name of the pull Secret in the namespace. */
    pullSecretName: string;
    /** Enable the RBD CSI driver (a block StorageClass is configured). @default false */
    rbd?: boolean;
    /**
     * Resources that must finish before any release pulls an image (the registry mirror push). Passed down
     * explicitly because a component's own `dependsOn` does not reach its children. @default []
     */
    after?: pulumi.Input<pulumi.Resource>[];
    /** Helm timeout per release in seconds. @default 900 */
    timeoutSeconds?: number;
}

/**
 * The Rook operator: namespace, pull secret, the rook-ceph release from a local chart with every image mapped into
 * the private registry, and for Rook >= 1.20 the ceph-csi-drivers release that makes the CSI operator deploy drivers.
 */
export class RookOperator extends pulumi.ComponentResource {
    /** The namespace name. */
    public readonly namespace: pulumi.Output<string>;
    /** The releases that install Rook's CRDs and CSI, in order; CRs depend on all of them. */
    public readonly releases: k8s.helm.v3.Release[];
    /** Name of the pull Secret in the namespace. */
    public readonly pullSecretName: pulumi.Output<string>;
    /**
     * What a CephCluster must wait for and outlive: the releases, the pull Secret and (Rook v1.9) the patch that gives
     * the namespace's `default` ServiceAccount the pull secret.
     */
    public readonly clusterPrerequisites: pulumi.Resource[];

    constructor(name: string, args: RookOperatorArgs, opts?: pulumi.ComponentResourceOptions) {
        super("aihub-airgap:storage:RookOperator", name, {}, opts);
        const v = parseSemver(args.version);
        if (!v) throw new Error(`rook.version "${args.version}" is not x.y.z`);
        const { namespace, pull } = namespaceWithPullSecret(this, name, {
            namespace: args.namespace,
            // Ceph daemons and CSI plugins run privileged.
            labels: { "pod-security.kubernetes.io/enforce": "privileged" },
            registry: {
                server: args.registry,
                username: args.username,
                password: args.password,
                pullSecretName: args.pullSecretName,
            },
        });
        this.namespace = namespace.metadata.name;
        this.pullSecretName = pull.secretName;
        const input: RookValuesInput = {
            version: args.version,
            registry: args.registry,
            pullSecretName: args.pullSecretName,
            namespace: args.namespace,
            rbd: args.rbd ?? false,
        };
        const timeout = args.timeoutSeconds ?? 900;
        const operator = new k8s.helm.v3.Release(
            `${name}-rook-ceph`,
            {
                name: "rook-ceph",
                chart: args.chart,
                namespace: this.namespace,
                values: rookOperatorValues(input),
                timeout,
            },
            { parent: this, dependsOn: [pull, ...(args.after ?? [])] },
        );
        this.releases = [operator];
        this.clusterPrerequisites = [pull.secret];
        if (rookLayout(v) === "v1.9") {
            // v1.9 mon/MDS/crash pods run as the namespace's `default` account, which the chart leaves alone.
            const defaultSa = new k8s.core.v1.ServiceAccountPatch(
                `${name}-default-sa`,
                {
                    metadata: {
                        name: "default",
                        namespace: this.namespace,
                        annotations: { "pulumi.com/patchForce": "true" },
                    },
                    imagePullSecrets: [{ name: this.pullSecretName }],
                },
                { parent: this },
            );
            this.clusterPrerequisites.push(defaultSa);
        }
        if (rookNeedsCsiDrivers(v)) {
            if (!args.csiDriversChart) throw new Error(`Rook ${args.version} needs rook.csiDriversChart`);
            this.releases.push(
                new k8s.helm.v3.Release(
                    `${name}-csi-drivers`,
                    {
                        name: "ceph-csi-drivers",
                        chart: args.csiDriversChart,
                        namespace: this.namespace,
                        values: csiDriversValues(input),
                        timeout,
                    },
                    // Its Driver/OperatorConfig CRs need the csi.ceph.io CRDs from the rook-ceph release.
                    { parent: this, dependsOn: [operator] },
                ),
            );
        }
        this.clusterPrerequisites.push(...this.releases);
        this.registerOutputs({ namespace: this.namespace, pullSecretName: this.pullSecretName });
    }
}
