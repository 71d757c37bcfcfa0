import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { AdmissionReady } from "../../k8s/admission-ready";
import type { KubernetesConfig } from "../../config/schema";
import { AddOnRelease, type AddOnReleaseArgs } from "../../k8s/chart-release";
import { metallbManifests } from "./manifests";
import type { MetalLbConfig } from "./schema";
import { metallbValues } from "./values";

/** The Secret MetalLB's controller writes its webhook certificate into (name fixed by the chart and the binary). */
export const WEBHOOK_CERT_SECRET = "metallb-webhook-cert";

/** Arguments of {@link MetalLb}: the section, and the registry, bundle push and timeout of {@link AddOnReleaseArgs}. */
export interface MetalLbArgs extends Pick<AddOnReleaseArgs, "registry" | "after" | "timeoutSeconds"> {
    /** The validated `addons.metallb` section (chart, version, namespace, pool, addresses, l2, bgp). */
    config: MetalLbConfig;
    /** How the admission wait reaches the cluster (`kubernetes`, as the explicit provider). @default the environment's */
    kubernetes?: KubernetesConfig;
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
        const { release, namespace } = new AddOnRelease(
            name,
            {
                namespace: c.namespace,
                // The speaker runs on the host network with NET_RAW (ARP/NDP answers).
                namespaceLabels: { "pod-security.kubernetes.io/enforce": "privileged" },
                releaseName: "metallb",
                chart: c.chart,
                values: metallbValues({
                    version: c.version,
                    registry: args.registry.server,
                    pullSecretName: args.registry.pullSecretName,
                    bgp: c.bgp !== undefined,
                }),
                registry: args.registry,
                after: args.after,
                timeoutSeconds: args.timeoutSeconds,
            },
            { parent: this },
        );
        this.namespace = namespace;
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
        const manifests = metallbManifests(c);
        // The kubelet mounts that certificate up to a minute after it is written, and only then does the webhook
        // answer: the CRs wait until a dry-run create of the pool passes it.
        const pool = manifests[0];
        const admitted = new AdmissionReady(
            `${name}-webhook-ready`,
            {
                path: `/apis/${pool.apiVersion}/namespaces/${c.namespace}/ipaddresspools`,
                object: { ...pool },
                kubeconfig: args.kubernetes?.kubeconfig,
                context: args.kubernetes?.context,
            },
            { parent: this, dependsOn: [release, webhookCert] },
        );
        this.ready = manifests.map(
            (m) =>
                new k8s.apiextensions.CustomResource(
                    `${name}-${m.kind.toLowerCase()}-${m.metadata.name}`,
                    { apiVersion: m.apiVersion, kind: m.kind, metadata: m.metadata, spec: m.spec },
                    { parent: this, dependsOn: [release, webhookCert, admitted] },
                ),
        );
        this.addresses = pulumi.output([...c.addresses]);
        this.registerOutputs({ namespace: this.namespace, addresses: this.addresses });
    }
}
