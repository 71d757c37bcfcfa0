/**
 * The images of each ais-operator chart version (facts addons.md; NVIDIA/ais-k8s v3.4.0: the chart's
 * `controllerManager.manager.image`, and the AIS images of the project's ais-cluster chart, because the `AIStore`
 * resource's `nodeImage` and `initImage` have no operator default and the operator starts them at run time).
 */

/** Upstream images of one operator version, by role. */
export interface AistoreImages {
    /** The operator (chart `controllerManager.manager.image`). */
    operator: string;
    /** aisnode, the proxy and target daemon (`spec.nodeImage`). */
    node: string;
    /** ais-init, the init container of every AIS pod (`spec.initImage`, same version as aisnode). */
    init: string;
    /** The optional log sidecar (`spec.logSidecar.image`). */
    logs: string;
}

/** Catalog by chart version; its keys are the versions `addons.aistore.version` accepts. */
export const AISTORE_CATALOG: Record<string, AistoreImages> = {
    "3.4.0": {
        operator: "docker.io/aistorage/ais-operator:v3.4.0",
        node: "docker.io/aistorage/aisnode:v4.9",
        init: "docker.io/aistorage/ais-init:v4.9",
        logs: "docker.io/aistorage/ais-logs:v1.2",
    },
};

/** The images a stack runs: the log sidecar's only when it is on. */
export function aistoreImages(version: string, logSidecar: boolean): string[] {
    const c = AISTORE_CATALOG[version];
    return [c.operator, c.node, c.init, ...(logSidecar ? [c.logs] : [])];
}
