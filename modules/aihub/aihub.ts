import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { aihubLayout } from "../../catalog/aihub-layout";
import {
    ADMIN_USER,
    CERT_PASSWORD_SECRET,
    CUSTOM_CA_SECRET,
    PUBLIC_CERT_SECRET,
    publicUrl,
    releaseValues,
} from "./values";
import type { IngressConfig } from "../../config/schema";
import { certMode } from "../../config/tls";
import { issuedCertificate } from "../../k8s/certificate";
import { AiHubCredentials } from "./aihub-credentials";
import { SelfSignedCertificate } from "../../k8s/self-signed-certificate";
import { namespaceWithPullSecret } from "../../k8s/namespaced-pull-secret";

/** Helm's wait for the first start (image pulls, Keycloak and database init), in seconds. */
export const RELEASE_TIMEOUT_SECONDS = 1800;

/** A certificate issued by a cert-manager ClusterIssuer (the certManager add-on). */
export interface IssuedTls {
    /** ClusterIssuer name. */
    issuer: string;
    /** PEM of the CA it signs with. */
    caCert: pulumi.Input<string>;
    /** What a Certificate waits for (the ClusterIssuer). */
    ready: pulumi.Resource[];
}

/** Arguments of {@link AiHub}. */
export interface AiHubArgs {
    /** Chart version (`aihub.version`); selects the values layout. */
    version: string;
    /** Path of the chart `.tgz` (`aihub.chart`). */
    chart: string;
    /** Namespace created for AI Hub; also the chart's `common.productNS`. */
    namespace: string;
    /** Helm release name. */
    releaseName: string;
    /** Public host name (`aihub.domain`). */
    domain: string;
    /** Private registry: server `host[:port][/project]`, user, password (secret) and pull Secret name. */
    registry: { server: string; username: string; password: pulumi.Input<string>; pullSecretName: string };
    /** CephFS StorageClass name (ReadWriteMany volumes). */
    rwxStorageClass: pulumi.Input<string>;
    /** StorageClass for ReadWriteOnce volumes (the RBD class when enabled, else the CephFS class). */
    rwoStorageClass: pulumi.Input<string>;
    /** Ingress mode; decides scheme, port and which certificate Secrets exist. */
    mode: IngressConfig["mode"];
    /** Full-chain PEM certificate for the proxy (https modes). */
    tlsCert?: string;
    /** Its private key (secret; https modes). */
    tlsKey?: pulumi.Input<string>;
    /** PEM of the custom CA (`https-custom-ca`); with `issued`, more CAs to trust besides the issuer's. */
    caCert?: string;
    /**
     * The cert-manager ClusterIssuer that issues the proxy's certificate when `tlsCert` is absent (chart 2025.0+);
     * its CA becomes the custom CA. @default none
     */
    issued?: IssuedTls;
    /** Parsed vendor values file, merged under the computed values. @default {} */
    vendorValues?: Record<string, unknown>;
    /** Inline values (`aihub.values`), merged over everything. @default {} */
    inlineValues?: Record<string, unknown>;
    /** Credential overrides by name (secret). @default {} */
    credentials?: Record<string, pulumi.Input<string>>;
    /** License value (secret), when given. */
    license?: pulumi.Input<string>;
    /**
     * Path of the release's Helm post-renderer, the script `writePostRenderScript` (postrender-script.ts) wrote for
     * this stack: it relocates hard-coded images, renames the init Job, leaves replicas to the scale steps and, with
     * `aihub.running` false, drops the init Job.
     */
    postRenderer: string;
    /** Protect the release (its PVCs hold the data). @default true */
    protect?: boolean;
    /**
     * The StorageClasses (and, through them, the Ceph pools, filesystem and subvolume group) the chart's PVCs live
     * on. The namespace depends on them, so a destroy deletes the namespace — and with it the PVCs the chart keeps
     * (`helm.sh/resource-policy: keep`) — before any of them. @default []
     */
    storage?: pulumi.Resource[];
    /** What the release waits for besides its own Secrets: the StorageClasses, the RegistryMirror. @default [] */
    dependsOn?: pulumi.Input<pulumi.Resource>[];
}

/** AI Hub: namespace, pull secret, credentials, certificate Secrets and the Helm release with computed values. */
export class AiHub extends pulumi.ComponentResource {
    /** The release namespace. */
    public readonly namespace: pulumi.Output<string>;
    /** The Helm release, for the Ingress to depend on. */
    public readonly release: k8s.helm.v3.Release;
    /** Public URL. */
    public readonly url: pulumi.Output<string>;
    /** Initial admin user. */
    public readonly adminUser: pulumi.Output<string>;
    /** Initial admin password (secret). */
    public readonly adminPassword: pulumi.Output<string>;
    /** The merged release values (secret: they hold the generated credentials), for the backup's database list. */
    public readonly values: pulumi.Output<Record<string, unknown>>;

    constructor(name: string, args: AiHubArgs, opts?: pulumi.ComponentResourceOptions) {
        super("aihub-airgap:aihub:AiHub", name, {}, opts);
        const layout = aihubLayout(args.version);
        const { namespace: ns, pull } = namespaceWithPullSecret(this, name, {
            namespace: args.namespace,
            labels: { "app.kubernetes.io/part-of": "aihub" },
            registry: args.registry,
            dependsOn: args.storage ?? [],
        });
        const creds = new AiHubCredentials(`${name}-creds`, { overrides: args.credentials }, { parent: this });
        const certs = this.certificateSecrets(name, args, layout.publicCert, ns.metadata.name);

        const values = pulumi
            .all([args.rwxStorageClass, args.rwoStorageClass, creds.values, args.license])
            .apply(([rwx, rwo, credentials, license]) =>
                releaseValues(
                    {
                        layout,
                        domain: args.domain,
                        namespace: args.namespace,
                        registry: args.registry.server,
                        pullSecretName: args.registry.pullSecretName,
                        rwxStorageClass: rwx,
                        rwoStorageClass: rwo,
                        mode: certMode(
                            args.mode,
                            args.caCert !== undefined || (!args.tlsCert && args.issued !== undefined),
                        ),
                        credentials,
                        license,
                    },
                    args.vendorValues ?? {},
                    args.inlineValues ?? {},
                ),
            );
        this.release = new k8s.helm.v3.Release(
            name,
            {
                name: args.releaseName,
                chart: args.chart,
                namespace: ns.metadata.name,
                createNamespace: false,
                values: pulumi.secret(values),
                timeout: RELEASE_TIMEOUT_SECONDS,
                postrender: args.postRenderer,
                maxHistory: 10,
            },
            {
                parent: this,
                dependsOn: [...(args.dependsOn ?? []), pull.secret, ...certs],
                protect: args.protect ?? true,
                customTimeouts: { create: "40m", update: "40m", delete: "20m" },
            },
        );
        this.namespace = ns.metadata.name;
        this.values = pulumi.secret(values).apply((v) => v as Record<string, unknown>);
        this.url = pulumi.output(publicUrl(args.domain, args.mode));
        this.adminUser = pulumi.output(ADMIN_USER);
        this.adminPassword = creds.adminPassword;
        this.registerOutputs({
            namespace: this.namespace,
            url: this.url,
            adminUser: this.adminUser,
            adminPassword: this.adminPassword,
        });
    }

    /**
     * The Secrets the chart mounts but does not create: the proxy's public certificate and its (unused, but mounted)
     * key-password Secret from 2025.0, and the custom CA. Before 2025.0 the proxy serves the `customca` Secret, so
     * there it carries the full chain followed by the CA.
     */
    private certificateSecrets(
        name: string,
        args: AiHubArgs,
        publicCert: boolean,
        namespace: pulumi.Output<string>,
    ): pulumi.CustomResource[] {
        if (args.mode === "http") return [];
        if (!args.tlsCert && args.issued) return this.issuedSecrets(name, args, args.issued, publicCert, namespace);
        if (!args.tlsCert || !args.tlsKey) return [];
        const key = pulumi.secret(args.tlsKey);
        const tls = (suffix: string, secretName: string, crt: string) =>
            new k8s.core.v1.Secret(
                `${name}-${suffix}`,
                {
                    metadata: { name: secretName, namespace },
                    type: "kubernetes.io/tls",
                    stringData: { "tls.crt": crt, "tls.key": key },
                },
                { parent: this },
            );
        const out: k8s.core.v1.Secret[] = [];
        if (publicCert) {
            out.push(tls("public-tls", PUBLIC_CERT_SECRET, args.tlsCert));
            out.push(
                new k8s.core.v1.Secret(
                    `${name}-public-tls-password`,
                    {
                        metadata: { name: CERT_PASSWORD_SECRET, namespace },
                        stringData: { "password.txt": pulumi.secret("") },
                    },
                    { parent: this },
                ),
            );
        }
        if (certMode(args.mode, args.caCert !== undefined) === "https-custom-ca" && args.caCert) {
            const crt = publicCert ? args.caCert : `${args.tlsCert.trimEnd()}\n${args.caCert}`;
            out.push(tls("custom-ca", CUSTOM_CA_SECRET, crt));
        }
        return out;
    }

    /**
     * The same Secrets when the issuer signs the proxy's certificate: a Certificate writes the public one (awaited
     * until Ready, so the release starts with it), and the custom CA is the issuer's CA (plus `caCert`). The chart
     * mounts a `tls.key` beside the custom CA that 2025.0+ does not use for trust: it gets a generated key of its
     * own, never the CA's.
     */
    private issuedSecrets(
        name: string,
        args: AiHubArgs,
        issued: IssuedTls,
        publicCert: boolean,
        namespace: pulumi.Output<string>,
    ): pulumi.CustomResource[] {
        if (!publicCert) throw new Error(`AI Hub ${args.version} needs ingress.tlsCert (validation checks this)`);
        const certificate = issuedCertificate(
            `${name}-public-tls`,
            {
                namespace,
                host: args.domain,
                secretName: PUBLIC_CERT_SECRET,
                issuer: issued.issuer,
                dependsOn: issued.ready,
            },
            { parent: this },
        );
        const password = new k8s.core.v1.Secret(
            `${name}-public-tls-password`,
            { metadata: { name: CERT_PASSWORD_SECRET, namespace }, stringData: { "password.txt": pulumi.secret("") } },
            { parent: this },
        );
        const out: pulumi.CustomResource[] = [certificate, password];
        // The issuer's CA is private: AI Hub must trust it (gateway mode included).
        if (certMode(args.mode, true) === "https-custom-ca") {
            const placeholder = new SelfSignedCertificate(
                `${name}-custom-ca-key`,
                { commonName: "AI Hub custom CA Secret (key unused)", isCa: false },
                { parent: this },
            );
            const crt = pulumi
                .all([issued.caCert, args.caCert])
                .apply(([ca, extra]) => (extra ? `${ca.trimEnd()}\n${extra}` : ca));
            out.push(
                new k8s.core.v1.Secret(
                    `${name}-custom-ca`,
                    {
                        metadata: { name: CUSTOM_CA_SECRET, namespace },
                        type: "kubernetes.io/tls",
                        stringData: { "tls.crt": crt, "tls.key": pulumi.secret(placeholder.key) },
                    },
                    { parent: this },
                ),
            );
        }
        return out;
    }
}
