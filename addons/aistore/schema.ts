/** The `addons.aistore` section. */
import { z } from "zod";
import { disk, dnsName, k8sName, quantity } from "../../config/schema";
import { AISTORE_CATALOG } from "./catalog";

const HOSTNAME = /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** CPU or memory amount, e.g. `500m`, `2`, `4Gi`. */
const amount = z
    .union([z.number(), z.string()], { error: "must be a CPU or memory amount (e.g. 2, 500m or 4Gi)" })
    .transform(String)
    .pipe(
        z.string().regex(/^\d+(\.\d+)?(m|k|M|G|T|Ki|Mi|Gi|Ti)?$/, {
            error: "is not a Kubernetes quantity (write it like 2, 500m or 4Gi)",
        }),
    );

/** Requests and limits of one daemon kind. */
const resources = z.strictObject({
    requests: z.record(z.enum(["cpu", "memory"]), amount).optional(),
    limits: z.record(z.enum(["cpu", "memory"]), amount).optional(),
});

export const aistoreSchema = z
    .strictObject({
        /** Path of the ais-operator chart .tgz (relative to the project). */
        chart: z
            .string()
            .min(1, { error: "must name the ais-operator chart .tgz (e.g. ./bundle/charts/ais-operator-3.4.0.tgz)" }),
        /** Chart version; selects the operator and AIS images. @default 3.4.0 */
        version: z
            .string()
            .refine((v) => Object.hasOwn(AISTORE_CATALOG, v), {
                error: `is not an ais-operator chart version this program knows (use ${Object.keys(AISTORE_CATALOG).join(", ")})`,
            })
            .default("3.4.0"),
        /** Namespace of the operator. @default ais-operator-system */
        operatorNamespace: k8sName.default("ais-operator-system"),
        /** Namespace of the AIS cluster. @default ais */
        namespace: k8sName.default("ais"),
        /** Name of the `AIStore` resource (prefix of its services: `<name>-proxy`). @default ais */
        name: k8sName
            .max(40, { error: "is longer than 40 characters (the operator appends -proxy-lb and more)" })
            .default("ais"),
        /** Number of proxies and of targets. @default the number of `nodes`, else 1 */
        size: z.number().int({ error: "must be a whole number" }).min(1, { error: "must be at least 1" }).optional(),
        /** Disks of the targets as local PVs, one entry per node (like `ceph.nodes`); exclusive with `storageClass`. */
        nodes: z
            .array(
                z.strictObject({
                    hostname: z.string().regex(HOSTNAME, {
                        error: "is not a node name (use the node's kubernetes.io/hostname label)",
                    }),
                    disks: z.array(disk).min(1, { error: "must list at least one disk (path and size)" }),
                }),
            )
            .min(1, { error: "must list at least one node with disks" })
            .optional(),
        /** Mountpaths on PVCs of a StorageClass (e.g. the Ceph RBD class); exclusive with `nodes`. */
        storageClass: z
            .strictObject({
                name: k8sName,
                /** Size of each mountpath's PVC. */
                size: quantity,
                /** Mountpaths per target. @default 1 */
                mounts: z.number().int().min(1).max(32).default(1),
            })
            .optional(),
        /** Allow more than one target per node. @default false */
        disablePodAntiAffinity: z.boolean().default(false),
        /** Resources of each proxy. @default none (the operator's) */
        proxyResources: resources.optional(),
        /** Resources of each target. @default none (the operator's) */
        targetResources: resources.optional(),
        /** LoadBalancer Services for the proxy and every target (MetalLB; size + 1 addresses). @default false */
        externalLB: z.boolean().default(false),
        /** HTTPS with a certificate from the cert-manager ClusterIssuer. @default true */
        tls: z.boolean().default(true),
        /** Extra DNS names the certificate covers (e.g. the name clients use for the external address). @default [] */
        additionalDNSNames: z.array(dnsName).default([]),
        /** Run the ais-logs sidecar. @default false */
        logSidecar: z.boolean().default(false),
        /** Seconds `pulumi up` waits for the cluster to be Ready. @default 1800 */
        readyTimeoutSeconds: z.number().int().min(60).default(1800),
    })
    .superRefine((s, ctx) => {
        if ((s.nodes === undefined) === (s.storageClass === undefined)) {
            ctx.addIssue({
                code: "custom",
                path: ["nodes"],
                message:
                    "set exactly one of nodes (local disks) or storageClass (e.g. storageClass: { name: rook-ceph-block, size: 100Gi })",
            });
        }
        if (s.additionalDNSNames.length > 0 && !s.tls) {
            ctx.addIssue({
                code: "custom",
                path: ["additionalDNSNames"],
                message: "only applies with tls: true (remove it or turn tls on)",
            });
        }
    });

export type AistoreConfig = z.output<typeof aistoreSchema>;

/** Number of proxies and targets. */
export function clusterSize(s: Pick<AistoreConfig, "size" | "nodes">): number {
    return s.size ?? s.nodes?.length ?? 1;
}
