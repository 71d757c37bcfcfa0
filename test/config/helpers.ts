/** Helpers for config-rule tests: a valid base config, mutation, and validation with its problem lines. */
import { formatProblem } from "../../lib/problems";
import { validateConfig, type Validation } from "../../config/validate";
import type { PlatformConfig } from "../../platform/contracts";
import { PLATFORM_SPEC } from "../../platform/spec";
import { PROJECT_DIR, stackValues } from "../harness";
import { readStackFile } from "../../config/stackfile";

/** The airgap stack's values and secure paths, as a fresh copy. */
export function airgap(): { values: Record<string, unknown>; secure: Set<string> } {
    return { values: stackValues("airgap"), secure: new Set(readStackFile(PROJECT_DIR, "airgap").securePaths) };
}

/** Validates values (chart files missing only warn), returning the result and the error lines. */
export function check(
    values: Record<string, unknown>,
    secure: ReadonlySet<string> | undefined = airgap().secure,
): Validation<PlatformConfig> & { lines: string[] } {
    const v = validateConfig({ values, securePaths: secure }, { baseDir: PROJECT_DIR, missing: "warn" }, PLATFORM_SPEC);
    return { ...v, lines: v.errors.map(formatProblem) };
}

/** Shorthand for a section of the values as a mutable record. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function section(values: Record<string, unknown>, name: string): any {
    return values[name];
}
