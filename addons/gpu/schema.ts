import { z } from "zod";
import { checkedString, version } from "../../config/schema";
import { GPU_CATALOG } from "./catalog";

const HOSTNAME = /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const hostname = checkedString(
    (v) => (HOSTNAME.test(v) ? undefined : "is not a node name (write the node's kubernetes.io/hostname label)"),
    "must be a node name",
);
/** Driver image OS suffix as NVIDIA tags it, e.g. ubuntu24.04, rhel9.6. */
const driverOs = checkedString(
    (v) => (/^[a-z]+\d+(\.\d+)?$/.test(v) ? undefined : "is not a driver OS suffix (write it like ubuntu24.04)"),
    "must be the nodes' OS as the driver image tags it (e.g. ubuntu24.04)",
);

/** `addons.gpu`: the NVIDIA GPU operator on the listed GPU workers. */
export const gpuSchema = z.strictObject({
    /** Operator version; selects the image catalog. */
    version: version
        .refine((v) => v in GPU_CATALOG, {
            error: `has no image catalog (use ${Object.keys(GPU_CATALOG).join(", ")})`,
        })
        .default("v26.7.0"),
    /** Path of the packaged gpu-operator chart. */
    chart: z.string().min(1, { error: "must be the path of the gpu-operator chart .tgz" }),
    /** Namespace of the operator and its operands. @default gpu-operator */
    namespace: z.string().default("gpu-operator"),
    /** GPU workers (kubernetes.io/hostname); only these get the operands. */
    nodes: z.array(hostname).min(1, { error: "must list at least one GPU node" }),
    /** The kernel driver: a container built for the nodes' OS, or the one installed on the hosts. */
    driver: z.union([
        z.strictObject({ preinstalled: z.literal(true) }),
        z.strictObject({
            preinstalled: z.literal(false).default(false),
            /** Driver branch version, e.g. 595.91.07. */
            version: z.string().regex(/^\d+\.\d+(\.\d+)?$/, { error: "is not a driver version (e.g. 595.91.07)" }),
            /** The nodes' OS as the image tag names it, e.g. ubuntu24.04. */
            os: driverOs,
        }),
    ]),
});

export type GpuConfig = z.output<typeof gpuSchema>;
