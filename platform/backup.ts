/** The backup half: the Backup component after AI Hub and the snapshot classes, when `backup` is configured. */
import type * as pulumi from "@pulumi/pulumi";
import { BACKUP_TOOLS_IMAGE } from "../catalog/backup";
import { mapImage } from "../lib/imageref";
import { Backup } from "../modules/backup/backup";
import type { Application } from "./application";
import type { PlatformConfig } from "./contracts";
import type { Storage } from "./contracts";

/** Builds the Backup component, or nothing when `backup` is not set; `kube` carries the explicit provider. */
export function buildBackup(
    cfg: PlatformConfig,
    deps: { storage: Storage; app: Application; kube: pulumi.ComponentResourceOptions },
): Backup | undefined {
    if (!cfg.backup) return undefined;
    return new Backup(
        "backup",
        {
            backup: cfg.backup,
            namespace: cfg.aihub.namespace,
            values: deps.app.aihub.values,
            chartVersion: cfg.aihub.version,
            toolsImage: mapImage(BACKUP_TOOLS_IMAGE, cfg.registry.server),
            pullSecretName: cfg.registry.pullSecretName,
            snapshotClasses: deps.storage.snapshotClasses,
            shallowClasses: deps.storage.shallowClasses,
            defaultTargetClass: deps.storage.rwxStorageClass,
            after: [deps.app.aihub.release, ...deps.storage.snapshotClassResources],
            protect: cfg.protectData,
        },
        deps.kube,
    );
}
