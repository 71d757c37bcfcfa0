import type { Problem } from "../../lib/problems";
import type { GpuConfig } from "./schema";

/** Duplicate GPU nodes. GPU workers need not give disks to Ceph, so they are not checked against `ceph.nodes`. */
export function gpuRules(s: GpuConfig): { errors: Problem[] } {
    const errors: Problem[] = [];
    s.nodes.forEach((n, i) => {
        if (s.nodes.indexOf(n) !== i)
            errors.push({ path: `addons.gpu.nodes[${i}]`, text: `${n} is listed twice (remove the copy)` });
    });
    return { errors };
}
