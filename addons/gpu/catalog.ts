/**
 * Images of the NVIDIA GPU operator per version: the chart's operator and NFD images, and the operands the operator
 * starts from its ClusterPolicy, keyed by the chart's value path (repository/image/version as the chart takes them).
 * The driver tag gets the nodes' OS (and for a precompiled driver the kernel) appended by the operator at run time,
 * so the bundle carries that tag ({@link driverImage}).
 */

/** One operand image split the way the ClusterPolicy takes it. */
export interface OperandImage {
    repository: string;
    image: string;
    version: string;
    /**
     * False for operands the values turn off (standalone DCGM, sandbox/vGPU/confidential-computing managers, GDS):
     * their references still appear in the ClusterPolicy, so they are mapped into the registry, but not carried.
     */
    started: boolean;
}

const NV = "nvcr.io/nvidia";
const CN = "nvcr.io/nvidia/cloud-native";
const on = (repository: string, image: string, version: string): OperandImage => ({
    repository,
    image,
    version,
    started: true,
});
const off = (repository: string, image: string, version: string): OperandImage => ({
    ...on(repository, image, version),
    started: false,
});

/** v26.7.0 (NVIDIA/gpu-operator deployments/gpu-operator/values.yaml at the tag; operator version stamped). */
export const GPU_CATALOG: Record<string, Record<string, OperandImage>> = {
    "v26.7.0": {
        operator: on(NV, "gpu-operator", "v26.7.0"),
        validator: on(NV, "gpu-operator", "v26.7.0"),
        "driver.manager": on(CN, "k8s-driver-manager", "v0.12.0"),
        toolkit: on(`${NV}/k8s`, "container-toolkit", "v1.20.0"),
        devicePlugin: on(NV, "k8s-device-plugin", "v0.20.0"),
        gfd: on(NV, "k8s-device-plugin", "v0.20.0"),
        dcgmExporter: on(`${NV}/k8s`, "dcgm-exporter", "4.6.0-4.8.3-distroless"),
        migManager: on(CN, "k8s-mig-manager", "v0.15.0"),
        dcgm: off(CN, "dcgm", "4.6.0-1-ubuntu24.04"),
        nodeStatusExporter: off(NV, "gpu-operator", "v26.7.0"),
        gds: off(CN, "nvidia-fs", "2.29.4"),
        gdrcopy: off(CN, "gdrdrv", "v2.6"),
        "vgpuManager.driverManager": off(CN, "k8s-driver-manager", "v0.12.0"),
        vfioManager: off(CN, "k8s-driver-manager", "v0.12.0"),
        "vfioManager.driverManager": off(CN, "k8s-driver-manager", "v0.12.0"),
        vgpuDeviceManager: off(CN, "vgpu-device-manager", "v0.5.0"),
        ccManager: off(CN, "k8s-cc-manager", "v0.4.3"),
        sandboxDevicePlugin: off(NV, "kubevirt-gpu-device-plugin", "v1.6.0"),
        kataSandboxDevicePlugin: off(CN, "nvidia-sandbox-device-plugin", "v0.0.5"),
    },
};

/** NFD subchart image (node-feature-discovery 0.19.0, appVersion v0.19.0). */
export const NFD_IMAGE = { repository: "registry.k8s.io/nfd/node-feature-discovery", tag: "v0.19.0" };
/** Driver image repository and name. */
export const DRIVER = { repository: NV, image: "driver" };

/** The catalog of a version, or an error naming the key. */
export function gpuCatalog(v: string): Record<string, OperandImage> {
    const c = GPU_CATALOG[v];
    if (!c)
        throw new Error(`addons.gpu.version: ${v} has no image catalog (use ${Object.keys(GPU_CATALOG).join(", ")})`);
    return c;
}

/** The driver branch of a driver version (595.91.07 → 595): the precompiled images are built per branch. */
export function driverBranch(version: string): string {
    return version.split(".")[0];
}

/**
 * The driver image the operator starts on the GPU nodes, or undefined without one (preinstalled drivers, or a section
 * the rules refuse). The operator appends to `driver.version` at run time: the OS for the driver container
 * (595.91.07 → 595.91.07-ubuntu24.04), the kernel and the OS for a precompiled one, whose version is the branch
 * (595 → 595-6.8.0-60-generic-ubuntu24.04, NVIDIA's `<driver-branch>-<linux-kernel-version>-<os-tag>`).
 */
export function driverImage(d: {
    preinstalled: boolean;
    version?: string;
    os?: string;
    kernelVersion?: string;
}): string | undefined {
    if (d.preinstalled || d.version === undefined || d.os === undefined) return undefined;
    const tag =
        d.kernelVersion !== undefined
            ? `${driverBranch(d.version)}-${d.kernelVersion}-${d.os}`
            : `${d.version}-${d.os}`;
    return `${DRIVER.repository}/${DRIVER.image}:${tag}`;
}

/**
 * Every upstream image the operator starts, the driver's (see {@link driverImage}) included unless preinstalled.
 * Takes the fields of the validated section (schema.ts) it reads, so the catalog does not depend on the schema that
 * reads it.
 */
export function gpuImages(s: { version: string; driver: Parameters<typeof driverImage>[0] }): string[] {
    const refs = Object.values(gpuCatalog(s.version))
        .filter((i) => i.started)
        .map((i) => `${i.repository}/${i.image}:${i.version}`);
    refs.push(`${NFD_IMAGE.repository}:${NFD_IMAGE.tag}`);
    const driver = driverImage(s.driver);
    if (driver) refs.push(driver);
    return [...new Set(refs)];
}
