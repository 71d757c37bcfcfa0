/** What the artifact commands read from a stack file (no Pulumi CLI, no passphrase: secure values stay encrypted). */
import { requireValidConfig } from "../config/validate";
import { readStackFile } from "../config/stackfile";
import { registrySchema, type PlatformConfig } from "../config/schema";
import { ConfigError } from "../lib/problems";

/** The whole validated config of a stack; chart files that are not there yet only warn (the bundle fetches them). */
export function stackConfig(projectDir: string, stack: string): PlatformConfig {
    const sf = readStackFile(projectDir, stack);
    return requireValidConfig(
        { values: sf.values, securePaths: sf.securePaths, file: sf },
        { baseDir: projectDir, missing: "warn" },
    ).config;
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
