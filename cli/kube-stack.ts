/** What the cluster commands (backup, restore) share: the validated stack and a kubectl aimed at its cluster. */
import { Kubectl } from "../lib/kubectl";
import { clusterAccess } from "../ops/target";
import { formatProblem } from "../lib/problems";
import type { PlatformConfig } from "../platform/contracts";
import { loadStack } from "../config/load";
import { PLATFORM_SPEC } from "../platform/spec";
import { CLUSTER_OPTIONS, projectDirOf, STACK_OPTIONS } from "./run";

/** The options every cluster command takes. */
export const KUBE_OPTIONS = { ...STACK_OPTIONS, ...CLUSTER_OPTIONS } as const;

/** The `--timeout` seconds (default `fallback`), or undefined after printing the problem with the usage line. */
export function timeoutSeconds(text: string | undefined, fallback: number, usage: string): number | undefined {
    const n = Number(text ?? fallback);
    if (Number.isInteger(n) && n > 0) return n;
    console.error(`--timeout ${text}: not a whole number of seconds (e.g. --timeout ${fallback})\n${usage}`);
    return undefined;
}

/** Reads and validates `Pulumi.<stack>.yaml` (secure values stay encrypted) and aims kubectl at its cluster. */
export function openStack(args: {
    stack: string;
    dir?: string;
    kubeconfig?: string;
    context?: string;
}): { cfg: PlatformConfig; kubectl: Kubectl } | { errors: string[] } {
    const projectDir = projectDirOf(args.dir);
    const v = loadStack(PLATFORM_SPEC, { projectDir, stack: args.stack });
    if (!v.config) return { errors: v.errors.map(formatProblem) };
    return { cfg: v.config, kubectl: new Kubectl(clusterAccess(args, v.config)) };
}
