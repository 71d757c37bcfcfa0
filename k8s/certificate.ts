import * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import { certificateSpec } from "./routes";

/** The annotation that makes the Kubernetes provider wait until the object reports `Ready`. */
export const WAIT_READY = { "pulumi.com/waitFor": "condition=Ready" };

/** What {@link issuedCertificate} makes. */
export interface IssuedCertificateArgs {
    /** Namespace of the Certificate and its Secret. */
    namespace: pulumi.Input<string>;
    /** DNS name the certificate covers. */
    host: string;
    /** Secret cert-manager writes (also the Certificate's name). */
    secretName: string;
    /** ClusterIssuer name. */
    issuer: string;
    /** What the Certificate waits for (the ClusterIssuer). @default [] */
    dependsOn?: pulumi.Input<pulumi.Resource>[];
    /** Make the engine wait until the Certificate is Ready (its Secret is written). @default true */
    awaitReady?: boolean;
}

/** A cert-manager Certificate for one host, signed by a ClusterIssuer. */
export function issuedCertificate(
    name: string,
    args: IssuedCertificateArgs,
    opts: pulumi.CustomResourceOptions,
): k8s.apiextensions.CustomResource {
    const ready = args.awaitReady ?? true;
    return new k8s.apiextensions.CustomResource(
        name,
        {
            apiVersion: "cert-manager.io/v1",
            kind: "Certificate",
            metadata: {
                name: args.secretName,
                namespace: args.namespace,
                ...(ready ? { annotations: WAIT_READY } : {}),
            },
            spec: certificateSpec(args.host, args.secretName, args.issuer),
        },
        {
            ...opts,
            dependsOn: args.dependsOn ?? [],
            ...(ready ? { customTimeouts: { create: "10m", update: "10m" } } : {}),
        },
    );
}
