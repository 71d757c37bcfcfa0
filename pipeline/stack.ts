/** What the artifact commands read from a stack file (no Pulumi CLI, no passphrase: secure values stay encrypted). */
import { requireStack } from "../config/load";
import { PLATFORM_SPEC } from "../platform/spec";
import { readStackFile } from "../config/stackfile";
import type { PlatformConfig } from "../platform/contracts";
import { bundleSchema, registrySchema } from "../config/schema";
import { ConfigError } from "../lib/problems";

/** The whole validated config of a stack; chart files that are not there yet only warn (the bundle fetches them). */
export function stackConfig(projectDir: string, stack: string): PlatformConfig {
    return requireStack(PLATFORM_SPEC, { projectDir, stack }).config;
}

/** The registry settings push needs; only `registry` is read, so a push-only stack file may hold nothing else. */
export function stackRegistry(projectDir: string, stack: string) {
    const sf = readStackFile(projectDir, stack);
    const r = registrySchema
        .omit({ password: true })
        .safeParse(
            Object.fromEntries(Object.entries((sf.values.registry ?? {}) as object).filter(([k]) => k !== "password")),
        );
    if (!r.success) {
        throw new ConfigError(
            r.error.issues.map((i) => ({ path: ["registry", ...i.path].join("."), text: i.message })),
        );
    }
    return r.data;
}

/** The stack's `bundle.publicKey` (PEM), checked; undefined when unset. */
export function stackBundleKey(projectDir: string, stack: string): string | undefined {
    const sf = readStackFile(projectDir, stack);
    const v = (sf.values.bundle as { publicKey?: unknown } | undefined)?.publicKey;
    if (v === undefined) return undefined;
    const r = bundleSchema.shape.publicKey.safeParse(v);
    if (!r.success) throw new ConfigError(r.error.issues.map((i) => ({ path: "bundle.publicKey", text: i.message })));
    return r.data;
}
