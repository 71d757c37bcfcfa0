/* eslint-disable @typescript-eslint/no-explicit-any -- tests walk untyped manifests and edit raw stack values */
/** Validated configs of the committed stacks (and variants) for pure storage tests. */
import { PROJECT_DIR, stackValues } from "../harness";
import type { PlatformConfig } from "../../platform/contracts";
import { validateConfig, type Validation } from "../../config/validate";
import { PLATFORM_SPEC } from "../../platform/spec";

/** Validates stack values (files may be missing: the bundle is not in the repository). */
export function validate(values: Record<string, unknown>): Validation {
    return validateConfig({ values }, { baseDir: PROJECT_DIR, missing: "warn" }, PLATFORM_SPEC);
}

/** The validated config of a committed stack, optionally edited first; throws listing problems. */
export function stackConfig(stack: string, edit?: (v: Record<string, any>) => void): PlatformConfig {
    const values = stackValues(stack);
    edit?.(values);
    const v = validate(values);
    if (!v.config) throw new Error(JSON.stringify(v.errors));
    return v.config;
}

/** A v1.9.8 variant of the airgap stack (Ceph v17 image, no CSI drivers chart). */
export function airgapV198(): PlatformConfig {
    return stackConfig("airgap", (v) => {
        v.rook.version = "v1.9.8";
        v.rook.chart = "./bundle/charts/rook-ceph-v1.9.8.tgz";
        delete v.rook.csiDriversChart;
        v.ceph.image = "quay.io/ceph/ceph:v17.2.6";
    });
}
