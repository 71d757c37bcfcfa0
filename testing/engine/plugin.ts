/** Installs the built kubernetes provider into the engine's own PULUMI_HOME, at its exact version. */
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { promisify } from "node:util";
import { engineBinary, engineDir } from "./paths";
import { KUBERNETES_PROVIDER } from "./recipes";

/** The PULUMI_HOME the engine tests use (plugins, workspace settings); never the user's ~/.pulumi. */
export function pulumiHome(): string {
    return path.join(engineDir(), "pulumi-home");
}

/** True when the provider plugin is in the plugin cache at the pinned version. */
export function kubernetesPluginInstalled(): boolean {
    const dir = path.join(pulumiHome(), "plugins", `resource-kubernetes-v${KUBERNETES_PROVIDER.release}`);
    return fs.existsSync(path.join(dir, "pulumi-resource-kubernetes"));
}

/** `pulumi plugin install resource kubernetes <v> --file <binary>`: the engine then never tries a download. */
export async function installKubernetesPlugin(log: (line: string) => void): Promise<void> {
    if (kubernetesPluginInstalled()) return;
    const args = ["plugin", "install", "resource", "kubernetes", KUBERNETES_PROVIDER.release];
    args.push("--file", engineBinary("pulumi-resource-kubernetes"));
    await promisify(execFile)(engineBinary("pulumi"), args, {
        env: { ...process.env, PULUMI_HOME: pulumiHome(), PULUMI_SKIP_UPDATE_CHECK: "true" },
    });
    log(`engine: plugin kubernetes ${KUBERNETES_PROVIDER.release} installed in ${pulumiHome()}`);
}
