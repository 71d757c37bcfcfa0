import { defineAddOn } from "../shared/define";
import { gpuImages } from "./catalog";
import { GpuOperator } from "./component";
import { gpuRules } from "./rules";
import { gpuSchema } from "./schema";

/** `addons.gpu`: the NVIDIA GPU operator on the listed GPU workers. */
export const gpu = defineAddOn({
    name: "gpu",
    title: "NVIDIA GPU operator: drivers, container toolkit, device plugin and DCGM metrics on the GPU workers",
    requires: ["monitoring"],
    schema: gpuSchema,
    rules: (s) => gpuRules(s),
    charts: (s) => [{ key: "addons.gpu.chart", path: s.chart }],
    images: (s) => gpuImages(s),
    build(s, deps) {
        const component = new GpuOperator(
            "gpu",
            {
                section: s,
                registry: deps.cfg.registry,
                monitoring: deps.provided.monitoring,
                after: deps.mirror ? [deps.mirror] : [],
            },
            deps.kube,
        );
        return {
            component,
            provides: { gpu: { resourceName: "nvidia.com/gpu", ready: [component.release] } },
            outputs: { gpuNodes: s.nodes },
        };
    },
});
