import type { Problem } from "../../lib/problems";
import { aihubPathProblems } from "../shared/aihub-paths";
import type { PlatformConfig } from "../../platform/contracts";
import type { JupyterHubConfig } from "./schema";

/**
 * The hub's path is not one AI Hub serves; GPU profiles need the gpu add-on; one default profile at most. User storage needs no rule: the core always builds
 * the CephFS (RWX) class (`ceph.storageClass`), which the homes use.
 */
export function jupyterhubRules(s: JupyterHubConfig, all: Partial<PlatformConfig>): { errors: Problem[] } {
    const errors: Problem[] = aihubPathProblems("addons.jupyterhub.path", s.path, all, "/addons/jupyterhub");
    const gpuOn = (all.addons as Record<string, unknown> | undefined)?.gpu !== undefined;
    s.profiles.forEach((p, i) => {
        if (p.gpus > 0 && !gpuOn)
            errors.push({
                path: `addons.jupyterhub.profiles[${i}].gpus`,
                text: `needs addons.gpu (turn the gpu add-on on or set gpus: 0)`,
            });
    });
    if (s.profiles.filter((p) => p.default).length > 1)
        errors.push({ path: "addons.jupyterhub.profiles", text: "has more than one default profile (keep one)" });
    return { errors };
}
