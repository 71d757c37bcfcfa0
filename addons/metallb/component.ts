import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { ImagePullSecret } from "../../components/pull-secret";
import type { RegistryConfig } from "../../stacks/schema";
import { metallbManifests } from "./manifests";
import type { MetalLbConfig } from "./schema";
import { metallbValues } from "./values";

/** The Secret MetalLB's controller writes its webhook certificate into (name fixed by the chart and the binary). */
export const WEBHOOK_CERT_SECRET = "metallb-webhook-cert";

/** Arguments of {@link MetalLb}. */
export interface MetalLbArgs {
    /** The validated `addons.metallb` section (chart, version, namespace, pool, addresses, l2, bgp). */
    config: MetalLbConfig;
    /** The private registry and the name of its pull Secret. */
    registry: Pick<RegistryConfig, "server" | "username" | "password" | "pullSecretName">;
    /** What must finish before anything pulls an image (the bundle push). @default [] */
    after?: pulumi.Input<pulumi.Resource>[];
    /** Helm timeout in seconds. @default 600 */
    timeoutSeconds?: number;
}

/**
 * MetalLB: namespace, pull Secret, the metallb release (CRDs from its subchart), and the pool with its
 * advertisements once the controller's validating webhook has its certificate.
 */
export class MetalLb extends pulumi.ComponentResource {
    /** The namespace. */
    public readonly namespace: pulumi.Output<string>;
    /** The pool and its advertisements: a LoadBalancer Service gets an address once these exist. */
    public readonly ready: pulumi.Resource[];
    /** The address blocks of the pool. */
    public readonly addresses: pulumi.Output<string[]>;

    constructor(name: string, args: MetalLbArgs, opts?: pulumi.ComponentResourceOptions) {
        super("aihub-airgap:addons:MetalLb", name, {}, opts);
        const c = args.config;
        const ns = new k8s.core.v1.Namespace(
            `${name}-ns`,
            // The speaker runs on the host network with NET_RAW (ARP/NDP answers).
            { metadata: { name: c.namespace, labels: { "pod-security.kubernetes.io/enforce": "privileged" } } },
            { parent: this },
        );
        this.namespace = ns.metadata.name;
        const pull = new ImagePullSecret(
            `${name}-pull`,
            {
                namespace: this.namespace,
                secretName: args.registry.pullSecretName,
                server: args.registry.server,
                username: args.registry.username,
                password: args.registry.password,
            },
            { parent: this },
        );
        const release = new k8s.helm.v3.Release(
            name,
            {
                name: "metallb",
                chart: c.chart,
                namespace: this.namespace,
                values: metallbValues({
                    version: c.version,
                    registry: args.registry.server,
                    pullSecretName: args.registry.pullSecretName,
                    bgp: c.bgp !== undefined,
                }),
                timeout: args.timeoutSeconds ?? 600,
            },
            { parent: this, dependsOn: [pull.secret, ...(args.after ?? [])] },
        );
        // The controller answers its readiness probe before its webhook serves: the webhook starts only once the
        // controller has written its certificate into this Secret. Every pool or advertisement goes through that
        // webhook (failurePolicy Fail), so the CRs wait for the certificate.
        const webhookCert = new k8s.core.v1.SecretPatch(
            `${name}-webhook-cert`,
            {
                metadata: {
                    name: WEBHOOK_CERT_SECRET,
                    namespace: this.namespace,
                    annotations: { "pulumi.com/waitFor": "jsonpath={.data['ca.crt']}" },
                },
            },
            { parent: this, dependsOn: [release], customTimeouts: { create: "10m", update: "10m" } },
        );
        this.ready = metallbManifests(c).map(
            (m) =>
                new k8s.apiextensions.CustomResource(
                    `${name}-${m.kind.toLowerCase()}-${m.metadata.name}`,
                    { apiVersion: m.apiVersion, kind: m.kind, metadata: m.metadata, spec: m.spec },
                    { parent: this, dependsOn: [release, webhookCert] },
                ),
        );
        this.addresses = pulumi.output([...c.addresses]);
        this.registerOutputs({ namespace: this.namespace, addresses: this.addresses });
    }
}
