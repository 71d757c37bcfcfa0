/**
 * The composition: turns validated config into components, in the order of design §3
 * (images in the registry → Rook operator → CephCluster → CephFilesystem → StorageClass → add-ons → AI Hub →
 * Ingress).
 */
import * as pulumi from "@pulumi/pulumi";
import { DataGuard } from "../k8s/data-guard";
import { buildAddOns } from "./addons";
import { buildApplication } from "./application";
import { buildBackup } from "./backup";
import { buildMirror } from "./mirror";
import { kubernetesProvider } from "../k8s/provider";
import type { PlatformConfig } from "./contracts";
import { buildStorage } from "./storage";

/** What the stack exports. */
export interface PlatformOutputs {
    [key: string]: pulumi.Input<unknown>;
}

/** Builds every component of the platform from validated config. */
export function buildPlatform(cfg: PlatformConfig): PlatformOutputs {
    const mirror = buildMirror(cfg);
    const kube = kubernetesProvider(cfg.kubernetes).opts;
    const storage = buildStorage(cfg, { mirror, kube });
    const addons = buildAddOns(cfg, { mirror, storage, kube, projectDir: process.cwd() });
    const app = buildApplication(cfg, { mirror, storage, kube, provided: addons.provided });
    const backup = buildBackup(cfg, { storage, app, kube });
    const parts = [
        mirror,
        storage.operator,
        storage.preflight,
        storage.cluster,
        storage.filesystem,
        storage.blockPool,
        app.aihub,
        app.scale,
        app.ingress,
        backup,
        ...addons.components,
    ];
    new DataGuard(
        "data-guard",
        {
            namespace: cfg.aihub.namespace,
            protect: cfg.protectData,
            guards: parts.filter((p): p is NonNullable<typeof p> => p !== undefined),
        },
        kube,
    );
    return {
        registry: cfg.registry.server,
        ...storage.outputs,
        ...app.outputs,
        ...addons.outputs,
        ...(backup ? { backupCronJob: backup.cronJobName } : {}),
    };
}
