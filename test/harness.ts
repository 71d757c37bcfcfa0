/**
 * Test harness for the mock runtime: installs mocks with recording, sets stack config, runs the real
 * composition, and gives the recorded registrations to assert on.
 */
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { Recorder, settle } from "../platform/plan/recorder";
import { loadConfig } from "../config/program";
import { buildPlatform } from "../platform/platform";
import { CONFIG_NAMESPACE } from "../lib/problems";
import type { PlatformConfig } from "../platform/contracts";
import { readStackFile } from "../config/stackfile";
import { PLATFORM_SPEC } from "../platform/spec";

export { Recorder, settle };
export type { Registration } from "../platform/plan/recorder";

/** The project directory. */
export const PROJECT_DIR = path.resolve(__dirname, "..");

/** Installs the mock runtime and sets the config of a stack (values without prefix; secret top-level keys). */
export async function mockStack(
    stack: string,
    values: Record<string, unknown>,
    secretKeys: string[] = [],
): Promise<Recorder> {
    const rec = await Recorder.install(CONFIG_NAMESPACE, stack);
    pulumi.runtime.setAllConfig(
        Object.fromEntries(Object.entries(values).map(([k, v]) => [`${CONFIG_NAMESPACE}:${k}`, JSON.stringify(v)])),
        secretKeys.map((k) => `${CONFIG_NAMESPACE}:${k}`),
    );
    return rec;
}

/** The config values of a committed stack file (secure values as placeholders). */
export function stackValues(stack: string): Record<string, unknown> {
    return structuredClone(readStackFile(PROJECT_DIR, stack).values);
}

/** Resolves an Output's value (mocks run with preview=false, so values are known). */
export function unwrap<T>(o: pulumi.Output<T>): Promise<T> {
    return new Promise((resolve) => o.apply(resolve));
}

/** Runs the whole platform for stack values under the recording mocks; `secretKeys` are top-level secret keys. */
export async function composePlatform(
    stack: string,
    values: Record<string, unknown>,
    secretKeys: string[] = ["registry", "aihub", "ingress"],
): Promise<{ rec: Recorder; cfg: PlatformConfig }> {
    const rec = await mockStack(stack, values, secretKeys);
    let cfg: PlatformConfig | undefined;
    await pulumi.runtime.runInPulumiStack(async () => {
        cfg = loadConfig(PLATFORM_SPEC, { projectDir: PROJECT_DIR, missingFiles: "warn", logWarnings: false });
        return buildPlatform(cfg);
    });
    await settle();
    return { rec, cfg: cfg! };
}
