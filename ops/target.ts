/**
 * What the live-cluster commands (`preflight`, `status`, `backup`, `restore`) take from a stack: it is read and
 * validated by the program's own loader and schema (config/load.ts with the platform's spec), and the cluster to
 * talk to is chosen one way for all of them (`--kubeconfig`/`--context` flags over the stack's
 * `kubernetes: {kubeconfig, context}` over `KUBECONFIG` over ~/.kube/config).
 */
import * as os from "node:os";
import * as path from "node:path";
import { requireStack } from "../config/load";
import type { CephConfig } from "../config/schema";
import { ApiClient } from "../lib/kube-api";
import { publicUrl } from "../modules/aihub/values";
import type { PlatformConfig } from "../platform/contracts";
import { PLATFORM_SPEC } from "../platform/spec";

/** A stack as the live-cluster commands see it. */
export interface OpsTarget {
    stack: string;
    /** The whole validated config. */
    cfg: PlatformConfig;
    rookNamespace: string;
    aihubNamespace: string;
    url: string;
    running: boolean;
    backupConfigured: boolean;
    ceph: CephConfig;
    registry: { server: string; username: string; pullSecretName: string };
    kubernetes: { kubeconfig?: string; context?: string };
}

/** Reads and validates the stack file (secure values stay encrypted); throws a ConfigError naming every problem. */
export function loadOpsTarget(projectDir: string, stack: string): OpsTarget {
    const cfg = requireStack(PLATFORM_SPEC, { projectDir, stack }).config;
    return {
        stack,
        cfg,
        rookNamespace: cfg.rook.namespace,
        aihubNamespace: cfg.aihub.namespace,
        url: publicUrl(cfg.aihub.domain, cfg.ingress.mode),
        running: cfg.aihub.running,
        backupConfigured: cfg.backup !== undefined,
        ceph: cfg.ceph,
        registry: {
            server: cfg.registry.server,
            username: cfg.registry.username,
            pullSecretName: cfg.registry.pullSecretName,
        },
        kubernetes: cfg.kubernetes,
    };
}

/** The kubeconfig file and context to use: flags, then the stack's `kubernetes` key, then the usual defaults. */
export function clusterAccess(
    flags: { kubeconfig?: string; context?: string },
    target: Pick<OpsTarget, "kubernetes">,
    env: NodeJS.ProcessEnv = process.env,
): { kubeconfig: string; context?: string } {
    const kubeconfig =
        flags.kubeconfig ??
        target.kubernetes.kubeconfig ??
        env.KUBECONFIG?.split(path.delimiter)[0] ??
        path.join(os.homedir(), ".kube", "config");
    return { kubeconfig, context: flags.context ?? target.kubernetes.context };
}

/** An API client for the chosen cluster; the error names the file and the flag to fix it. */
export function clusterClient(access: { kubeconfig: string; context?: string }): ApiClient {
    try {
        return ApiClient.fromKubeconfig(access.kubeconfig, access.context);
    } catch (e) {
        throw new Error(
            `cannot use ${access.kubeconfig}${access.context ? ` (context ${access.context})` : ""}: ` +
                `${(e as Error).message} (pass --kubeconfig <file> and --context <name>, or set aihub-airgap:kubernetes)`,
        );
    }
}
