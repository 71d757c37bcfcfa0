import type { Problem } from "../../lib/problems";
import type { GpuConfig } from "./schema";

const D = "addons.gpu.driver";
const CHOICES =
    `set ${D}.kernelVersion to the nodes' \`uname -r\` (precompiled driver image), ` +
    `${D}.repoConfigMap to a ConfigMap with a local package mirror, or ${D}.preinstalled: true`;

/**
 * How the driver gets onto the GPU nodes: installed on the hosts, a precompiled image for the nodes' kernel, or the
 * driver container with a local package mirror. Undefined when the section chooses none or more than one
 * ({@link gpuRules} names the keys).
 */
export function driverMode(d: GpuConfig["driver"]): "preinstalled" | "precompiled" | "mirror" | undefined {
    const chosen = [
        d.preinstalled && ("preinstalled" as const),
        d.kernelVersion !== undefined && ("precompiled" as const),
        d.repoConfigMap !== undefined && ("mirror" as const),
    ].filter((m) => m !== false);
    return chosen.length === 1 ? chosen[0] : undefined;
}

/**
 * Duplicate GPU nodes, and the driver: exactly one of preinstalled, precompiled (`kernelVersion`) or a package mirror
 * (`repoConfigMap`); the last two need `version` and `os`. GPU workers need not give disks to Ceph, so they are not
 * checked against `ceph.nodes`.
 */
export function gpuRules(s: GpuConfig): { errors: Problem[] } {
    const errors: Problem[] = [];
    s.nodes.forEach((n, i) => {
        if (s.nodes.indexOf(n) !== i)
            errors.push({ path: `addons.gpu.nodes[${i}]`, text: `${n} is listed twice (remove the copy)` });
    });
    const d = s.driver;
    const set = [
        d.preinstalled ? `${D}.preinstalled` : undefined,
        d.kernelVersion !== undefined ? `${D}.kernelVersion` : undefined,
        d.repoConfigMap !== undefined ? `${D}.repoConfigMap` : undefined,
    ].filter((k): k is string => k !== undefined);
    if (set.length === 0)
        errors.push({
            path: D,
            text:
                "the driver container downloads OS packages before it installs, which fails without internet " +
                `(${CHOICES})`,
        });
    else if (set.length > 1)
        errors.push({ path: set[1], text: `${set.join(" and ")} are both set (choose one: ${CHOICES})` });
    if (d.preinstalled) {
        for (const k of ["version", "os"] as const)
            if (d[k] !== undefined)
                errors.push({ path: `${D}.${k}`, text: `is not used with preinstalled drivers (remove it)` });
    } else if (set.length === 1) {
        const how = d.kernelVersion !== undefined ? "the precompiled driver image" : "the driver container";
        if (d.version === undefined)
            errors.push({ path: `${D}.version`, text: `${how} needs the driver version (e.g. version: "595.91.07")` });
        if (d.os === undefined)
            errors.push({
                path: `${D}.os`,
                text: `${how} needs the nodes' OS as the image tag names it (e.g. os: ubuntu24.04)`,
            });
    }
    return { errors };
}
