import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { issuedCertificate } from "../../k8s/certificate";
import { INGRESS_TLS_SECRET, ingressManifest, tlsSecretArgs } from "./ingress";
import { aihubLayout } from "../../catalog/aihub-layout";
import type { IngressConfig } from "../../config/schema";
import type { IssuedTls } from "./aihub";

/** Arguments of {@link AiHubIngress}. */
export interface AiHubIngressArgs {
    /** AI Hub chart version; selects the proxy Service and port. */
    version: string;
    /** Namespace of the AI Hub release. */
    namespace: pulumi.Input<string>;
    /** Public host name (`aihub.domain`). */
    host: string;
    /** Ingress class (`ingress.className`). */
    className: string;
    /** `http` (charts before 2025.0 only), `https` or `https-custom-ca`. */
    mode: IngressConfig["mode"];
    /** Full-chain PEM certificate (https modes). */
    tlsCert?: string;
    /** Its private key (secret; https modes). */
    tlsKey?: pulumi.Input<string>;
    /** The ClusterIssuer that issues the TLS Secret when `tlsCert` is absent. @default none */
    issued?: IssuedTls;
    /**
     * What the Ingress waits for besides the namespace and its TLS Secret. Not the AI Hub release: its pods call the
     * public URL while they start. @default []
     */
    dependsOn?: pulumi.Input<pulumi.Resource>[];
}

/** The Ingress in front of the AI Hub proxy Service, with its TLS Secret in https modes. */
export class AiHubIngress extends pulumi.ComponentResource {
    /** The Ingress. */
    public readonly ingress: k8s.networking.v1.Ingress;
    /** Public host. */
    public readonly host: pulumi.Output<string>;

    constructor(name: string, args: AiHubIngressArgs, opts?: pulumi.ComponentResourceOptions) {
        super("aihub-airgap:aihub:AiHubIngress", name, {}, opts);
        const m = ingressManifest(aihubLayout(args.version), args.mode, args.host, args.className);
        const deps = [...(args.dependsOn ?? [])];
        if (args.mode !== "http" && !args.tlsCert && args.issued) {
            deps.push(
                issuedCertificate(
                    `${name}-tls`,
                    {
                        namespace: args.namespace,
                        host: args.host,
                        secretName: INGRESS_TLS_SECRET,
                        issuer: args.issued.issuer,
                        dependsOn: args.issued.ready,
                    },
                    { parent: this },
                ),
            );
        } else if (args.mode !== "http") {
            if (!args.tlsCert || !args.tlsKey) throw new Error(`ingress mode ${args.mode} needs tlsCert and tlsKey`);
            deps.push(
                new k8s.core.v1.Secret(
                    `${name}-tls`,
                    tlsSecretArgs(INGRESS_TLS_SECRET, args.namespace, args.tlsCert, args.tlsKey),
                    { parent: this },
                ),
            );
        }
        this.ingress = new k8s.networking.v1.Ingress(
            name,
            { metadata: { name: "aihub", namespace: args.namespace, annotations: m.annotations }, spec: m.spec },
            { parent: this, dependsOn: deps },
        );
        this.host = pulumi.output(args.host);
        this.registerOutputs({ host: this.host });
    }
}
