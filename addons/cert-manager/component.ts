import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { SelfSignedCertificate } from "../../k8s/self-signed-certificate";
import { AddOnRelease, type AddOnReleaseArgs } from "../../k8s/chart-release";
import { caClusterIssuer } from "./manifests";
import type { CertManagerConfig } from "./schema";
import { certManagerValues } from "./values";

/** Name of the Secret holding the CA key pair, in cert-manager's namespace. */
export const CA_SECRET = "aihub-ca";

/** Arguments of {@link CertManager}: the section, and the registry, bundle push and timeout of {@link AddOnReleaseArgs}. */
export interface CertManagerArgs extends Pick<AddOnReleaseArgs, "registry" | "after" | "timeoutSeconds"> {
    /** The validated `addons.certManager` section (chart, version, namespace, issuer name, optional CA). */
    config: CertManagerConfig;
}

/**
 * cert-manager: namespace, pull Secret, the release (CRDs included; its startupapicheck hook holds it until the
 * webhook answers), the CA key pair as a Secret (from config, or generated once and kept in the state), and a CA
 * ClusterIssuer, awaited until Ready.
 */
export class CertManager extends pulumi.ComponentResource {
    /** The namespace. */
    public readonly namespace: pulumi.Output<string>;
    /** The ClusterIssuer, for Certificates to wait for. */
    public readonly issuer: k8s.apiextensions.CustomResource;
    /** PEM of the CA certificate (public): what clients must trust. */
    public readonly caCert: pulumi.Output<string>;

    constructor(name: string, args: CertManagerArgs, opts?: pulumi.ComponentResourceOptions) {
        super("aihub-airgap:addons:CertManager", name, {}, opts);
        const c = args.config;
        const { release, namespace } = new AddOnRelease(
            name,
            {
                namespace: c.namespace,
                releaseName: "cert-manager",
                chart: c.chart,
                values: certManagerValues({
                    version: c.version,
                    registry: args.registry.server,
                    pullSecretName: args.registry.pullSecretName,
                }),
                registry: args.registry,
                after: args.after,
                timeoutSeconds: args.timeoutSeconds,
            },
            { parent: this },
        );
        this.namespace = namespace;
        const ca = c.ca ?? new SelfSignedCertificate(`${name}-ca`, { commonName: "AI Hub site CA" }, { parent: this });
        const caSecret = new k8s.core.v1.Secret(
            `${name}-ca`,
            {
                metadata: { name: CA_SECRET, namespace: this.namespace },
                type: "kubernetes.io/tls",
                stringData: { "tls.crt": ca.cert, "tls.key": pulumi.secret(ca.key) },
            },
            { parent: this },
        );
        const m = caClusterIssuer(c.issuerName, CA_SECRET);
        this.issuer = new k8s.apiextensions.CustomResource(
            `${name}-issuer`,
            { apiVersion: m.apiVersion, kind: m.kind, metadata: m.metadata, spec: m.spec },
            { parent: this, dependsOn: [release, caSecret], customTimeouts: { create: "10m", update: "10m" } },
        );
        this.caCert = pulumi.output(ca.cert);
        this.registerOutputs({ namespace: this.namespace, caCert: this.caCert });
    }
}
