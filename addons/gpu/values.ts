/**
 * Helm values of the gpu-operator chart: every image reference the chart renders (operator, NFD and each ClusterPolicy
 * operand, started or not) in the private registry, NFD workers only on the labelled GPU nodes, the DCGM exporter's
 * ServiceMonitor carrying the monitoring add-on's labels when it is on.
 */
import { DRIVER, driverBranch, gpuCatalog, NFD_IMAGE } from "./catalog";
import type { GpuConfig } from "./schema";

/** Label the add-on puts on the configured GPU nodes; NFD workers run only there, so only they get operands. */
export const GPU_NODE_LABEL = "aihub-airgap.io/gpu";

/** Inputs of {@link gpuValues}. */
export interface GpuValuesInput {
    section: GpuConfig;
    /** Private registry `host[:port][/project]`. */
    registry: string;
    pullSecretName: string;
    /** Labels a ServiceMonitor needs to be picked up; absent when the monitoring add-on is off. */
    monitorLabels?: Record<string, string>;
}

type Values = Record<string, Record<string, unknown>>;

/** `nvcr.io/nvidia/k8s` → `<registry>/nvidia/k8s` (design §5: the host is replaced, the path kept). */
function privateRepo(repository: string, registry: string): string {
    return `${registry}/${repository.split("/").slice(1).join("/")}`;
}

/** Sets `value` under a dotted path, merging with what is there. */
function put(target: Values, dotted: string, value: Record<string, unknown>): void {
    const keys = dotted.split(".");
    let o: Record<string, unknown> = target;
    for (const k of keys.slice(0, -1)) o = (o[k] ??= {}) as Record<string, unknown>;
    const last = keys[keys.length - 1];
    o[last] = { ...(o[last] as object | undefined), ...value };
}

/** The chart's values. */
export function gpuValues(i: GpuValuesInput): Values {
    const R = i.registry;
    const pull = [i.pullSecretName];
    const v: Values = {
        // Sandbox (VM passthrough, vGPU, Kata, confidential computing) operands stay off; standalone DCGM too.
        sandboxWorkloads: { enabled: false },
        dcgm: { enabled: false },
        driver: i.section.driver.preinstalled ? { enabled: false } : { enabled: true },
        dcgmExporter: {
            serviceMonitor: i.monitorLabels
                ? { enabled: true, additionalLabels: i.monitorLabels, honorLabels: false }
                : // The chart's default is on; without the monitoring add-on there is no ServiceMonitor CRD.
                  { enabled: false },
        },
        nfd: { enabled: true },
        "node-feature-discovery": {
            image: { repository: privateRepo(NFD_IMAGE.repository, R), tag: NFD_IMAGE.tag },
            imagePullSecrets: pull.map((name) => ({ name })),
            worker: { nodeSelector: { [GPU_NODE_LABEL]: "true" } },
        },
    };
    for (const [path, img] of Object.entries(gpuCatalog(i.section.version))) {
        const nested = path.includes(".");
        put(v, path, {
            repository: privateRepo(img.repository, R),
            image: img.image,
            version: img.version,
            // Nested driver managers take the operand's pull secrets.
            ...(nested ? {} : { imagePullSecrets: pull }),
        });
    }
    const drv = i.section.driver;
    if (!drv.preinstalled && drv.version !== undefined) {
        const precompiled = drv.kernelVersion !== undefined;
        // The operator appends the node OS (-ubuntu24.04) to the version itself, and for a precompiled image the
        // kernel before it (595-6.8.0-60-generic-ubuntu24.04): a precompiled image is named by the branch.
        put(v, "driver", {
            repository: privateRepo(DRIVER.repository, R),
            image: DRIVER.image,
            version: precompiled ? driverBranch(drv.version) : drv.version,
            usePrecompiled: precompiled,
            imagePullSecrets: pull,
            // The driver container installs its OS packages from the admin's mirror, not the internet.
            ...(drv.repoConfigMap !== undefined ? { repoConfig: { configMapName: drv.repoConfigMap } } : {}),
        });
    }
    return v;
}
