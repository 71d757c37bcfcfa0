import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { namespacePullSecret } from "../../k8s/namespaced-pull-secret";
import type { RegistryConfig } from "../../config/schema";
import type { Provided } from "../../platform/contracts";
import { localStorageClassSpec } from "../../modules/ceph/cluster-manifests";
import { AIS_LOCAL_STORAGE_CLASS, aistoreSpec, endpoints, mountPvs, WAIT_READY } from "./manifests";
import type { AistoreConfig } from "./schema";
import { operatorValues } from "./values";

/** Arguments of {@link Aistore}. */
export interface AistoreArgs {
    /** The validated `addons.aistore` section. */
    config: AistoreConfig;
    /** The private registry and the name of its pull Secret. */
    registry: Pick<RegistryConfig, "server" | "username" | "password" | "pullSecretName">;
    /** cert-manager's ClusterIssuer: the operator chart's Certificate/Issuer need cert-manager; TLS is signed by it. */
    issuer: NonNullable<Provided["issuer"]>;
    /** MetalLB's pool, which the LoadBalancer Services need (with `externalLB`). @default none */
    loadBalancer?: Provided["loadBalancer"];
    /** StorageClass of the daemons' state claims (the Ceph RWO class). */
    stateStorageClass: pulumi.Input<string>;
    /** What the cluster's claims need (the Ceph StorageClasses). @default [] */
    storageReady?: pulumi.Resource[];
    /** What must finish before anything pulls an image (the bundle push). @default [] */
    after?: pulumi.Resource[];
    /** Protect the local PVs and the `AIStore` resource from deletion (`protectData`). @default true */
    protect?: boolean;
}

/**
 * AIStore through the AIS operator: the operator's namespace, pull Secret and chart (after cert-manager), the
 * cluster's namespace and pull Secret, one local PV per mountpath disk, and the `AIStore` resource, awaited until
 * `status.state` is Ready. Deleting it keeps the data: the resource says cleanupData/cleanupMetadata false and the
 * local PVs are Retain, so the disks keep their objects for a new cluster (wipe them by hand to reuse them).
 */
export class Aistore extends pulumi.ComponentResource {
    /** The AIS API endpoint inside the cluster (the proxy Service). */
    public readonly endpoint: pulumi.Output<string>;
    /** The S3 API endpoint (`<endpoint>/s3`). */
    public readonly s3Endpoint: pulumi.Output<string>;
    /** PEM of the CA clients must trust (the issuer's), empty without TLS. */
    public readonly caCert: pulumi.Output<string>;
    /** The `AIStore` resource. */
    public readonly cluster: k8s.apiextensions.CustomResource;

    constructor(name: string, args: AistoreArgs, opts?: pulumi.ComponentResourceOptions) {
        super("aihub-airgap:addons:Aistore", name, {}, opts);
        const s = args.config;
        const protect = args.protect ?? true;
        const namespace = (id: string, ns: string) => {
            // AIS targets run privileged (raw disks, hostPorts).
            const labels = { "pod-security.kubernetes.io/enforce": "privileged" };
            const created = new k8s.core.v1.Namespace(id, { metadata: { name: ns, labels } }, { parent: this });
            const pull = namespacePullSecret(this, id, created.metadata.name, args.registry);
            return { name: created.metadata.name, pull: pull.secret };
        };
        const op = namespace(`${name}-operator-ns`, s.operatorNamespace);
        const release = new k8s.helm.v3.Release(
            `${name}-operator`,
            {
                name: "ais-operator",
                chart: s.chart,
                namespace: op.name,
                values: operatorValues(s.version, args.registry.server, args.registry.pullSecretName),
                timeout: 600,
            },
            { parent: this, dependsOn: [op.pull, ...args.issuer.ready, ...(args.after ?? [])] },
        );
        const ais = namespace(`${name}-ns`, s.namespace);
        const volumes: pulumi.Resource[] = [];
        if (s.nodes) {
            const sc = new k8s.storage.v1.StorageClass(
                `${name}-local`,
                localStorageClassSpec(AIS_LOCAL_STORAGE_CLASS),
                { parent: this },
            );
            for (const pv of mountPvs(s)) {
                volumes.push(
                    new k8s.core.v1.PersistentVolume(pv.name, pv.spec, { parent: this, protect, dependsOn: [sc] }),
                );
            }
        }
        const timeout = `${s.readyTimeoutSeconds}s`;
        this.cluster = new k8s.apiextensions.CustomResource(
            `${name}-cluster`,
            {
                apiVersion: "ais.nvidia.com/v1beta1",
                kind: "AIStore",
                metadata: { name: s.name, namespace: ais.name, annotations: WAIT_READY },
                spec: aistoreSpec({
                    section: s,
                    registry: args.registry.server,
                    pullSecretName: args.registry.pullSecretName,
                    stateStorageClass: args.stateStorageClass,
                    issuer: args.issuer.name,
                }),
            },
            {
                parent: this,
                protect,
                // The operator (and its CRD) outlive the resource on destroy, so its finalizer can run.
                dependsOn: [
                    release,
                    ais.pull,
                    ...volumes,
                    ...(args.storageReady ?? []),
                    ...args.issuer.ready,
                    ...(s.externalLB ? (args.loadBalancer?.ready ?? []) : []),
                ],
                customTimeouts: { create: timeout, update: timeout, delete: "20m" },
            },
        );
        const ep = endpoints(s);
        this.endpoint = pulumi.output(ep.ais);
        this.s3Endpoint = pulumi.output(ep.s3);
        this.caCert = s.tls ? args.issuer.caCert : pulumi.output("");
        this.registerOutputs({ endpoint: this.endpoint, s3Endpoint: this.s3Endpoint, caCert: this.caCert });
    }
}
