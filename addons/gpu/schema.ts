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

/** A kernel release as `uname -r` prints it and the precompiled image tag carries it, e.g. 6.8.0-60-generic. */
const kernelVersion = checkedString(
    (v) =>
        /^\d+\.\d+(\.\d+)?[-._a-zA-Z0-9]*$/.test(v) && v.length <= 64
            ? undefined
            : "is not a kernel version (write the nodes' `uname -r`, e.g. 6.8.0-60-generic)",
    "must be the GPU nodes' kernel version (`uname -r`, e.g. 6.8.0-60-generic)",
);
/** A ConfigMap name (DNS-1123 subdomain). */
const configMapName = checkedString(
    (v) => (HOSTNAME.test(v) ? undefined : "is not a ConfigMap name (lower-case letters, digits, '-' and '.')"),
    "must be the name of a ConfigMap in the operator's namespace",
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
    /**
     * The kernel driver. In an air gap the ordinary driver container cannot start (it downloads OS packages first),
     * so exactly one of three is chosen (config rules, addons/gpu/rules.ts): drivers installed on the hosts
     * (`preinstalled: true`), a precompiled driver image for the nodes' kernel (`kernelVersion`), or the driver
     * container with a local package mirror (`repoConfigMap`).
     */
    driver: z.strictObject({
        /** True: drivers installed on the hosts (no driver container, no driver image carried). @default false */
        preinstalled: z.boolean().default(false),
        /** Driver version, e.g. 595.91.07; with `kernelVersion` only its branch (595) names the image. */
        version: z
            .string()
            .regex(/^\d+\.\d+(\.\d+)?$/, { error: "is not a driver version (e.g. 595.91.07)" })
            .optional(),
        /** The nodes' OS as the image tag names it, e.g. ubuntu24.04. */
        os: driverOs.optional(),
        /** The GPU nodes' kernel (`uname -r`, e.g. 6.8.0-60-generic): use the precompiled driver image. */
        kernelVersion: kernelVersion.optional(),
        /** Name of a ConfigMap in the operator's namespace with the package-manager config of a local mirror. */
        repoConfigMap: configMapName.optional(),
    }),
});

export type GpuConfig = z.output<typeof gpuSchema>;
