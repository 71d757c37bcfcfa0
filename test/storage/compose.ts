/** Runs the storage half of a stack under the recording mock runtime. */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { loadConfig } from "../../config/program";
import type { PlatformConfig } from "../../platform/contracts";
import { kubernetesProvider } from "../../k8s/provider";
import { buildStorage } from "../../platform/storage";
import { mockStack, PROJECT_DIR, settle, type Recorder } from "../harness";
import { PLATFORM_SPEC } from "../../platform/spec";

/** Records `buildStorage` for a stack's values (optionally after a stand-in mirror); returns the recorder, the config and the stack outputs. */
export async function composeStorage(
    stack: string,
    values: Record<string, unknown>,
    withMirror = false,
): Promise<{ rec: Recorder; cfg: PlatformConfig; outputs: Record<string, unknown> }> {
    const rec = await mockStack(stack, values, ["registry", "aihub", "ingress"]);
    let cfg: PlatformConfig | undefined;
    const outputs = await pulumi.runtime.runInPulumiStack(async () => {
        cfg = loadConfig(PLATFORM_SPEC, { projectDir: PROJECT_DIR, missingFiles: "warn", logWarnings: false });
        // Stands in for the issue-5 RegistryMirror: any resource the storage half must wait for.
        const mirror = withMirror ? new k8s.core.v1.ConfigMap("mirror", { data: {} }) : undefined;
        return buildStorage(cfg, { mirror, kube: kubernetesProvider(cfg.kubernetes).opts }).outputs;
    });
    await settle();
    return { rec, cfg: cfg!, outputs: outputs as Record<string, unknown> };
}
