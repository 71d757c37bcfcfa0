/**
 * The gpu add-on under the real engine: NVIDIA's real gpu-operator chart (v26.7.0, with its CRDs, the NFD subchart and
 * the delete hooks that run on destroy).
 */
import { isInRegistry } from "../../lib/imageref";
import { vendorChart, type AddOnEngineFixture } from "../../test/engine/addon-fixture";
import { GPU_NODE_LABEL } from "./values";

export const fixture: AddOnEngineFixture = {
    packageCharts: () => ({ "gpu-operator": vendorChart("gpu-operator-v26.7.0.tgz") }),
    section: (stage) => ({
        chart: stage.charts["gpu-operator"],
        nodes: [stage.nodes[0]],
        driver: { version: "595.91.07", os: "ubuntu24.04", kernelVersion: "6.8.0-60-generic" },
    }),
    releases: ["gpu-operator/gpu-operator"],
    async check(s) {
        const policy = await s.view.get("nvidia.com/v1", "ClusterPolicy", "cluster-policy");
        if (!policy) throw new Error("no ClusterPolicy cluster-policy");
        const spec = policy.spec as Record<string, { repository?: string; image?: string; version?: string }>;
        const registry = String(s.plain.registry.server);
        const outside = Object.entries(spec)
            .filter(([, o]) => o?.repository && o.image)
            .map(([k, o]) => [k, `${o.repository}/${o.image}:${o.version}`])
            .filter(([, ref]) => !isInRegistry(ref, registry));
        if (outside.length) throw new Error(`ClusterPolicy operands outside the registry: ${JSON.stringify(outside)}`);
        const first = (s.plain.ceph.nodes as { hostname: string }[])[0].hostname;
        const node = await s.view.get("v1", "Node", first);
        if (node?.metadata.labels?.[GPU_NODE_LABEL] !== "true") throw new Error(`node not labelled ${GPU_NODE_LABEL}`);
    },
};
