/**
 * What a stack of this platform is validated against: the core sections (config/), the add-on table and the checks
 * of the whole config. Every reader of a stack passes it to `loadStack` / `loadConfig`.
 */
import type { StackSpec } from "../config/validate";
import type { Problem } from "../lib/problems";
import type { PlatformConfig } from "./contracts";
import { stackImages } from "./inventory";
import { ADDONS } from "./registry";

/** No two upstream images of the stack may map to one private name (design §5); the error names both. */
export function imageMappingProblems(cfg: PlatformConfig): Problem[] {
    try {
        stackImages(cfg);
        return [];
    } catch (e) {
        return [{ path: "bundle.extraImages", text: (e as Error).message }];
    }
}

/** The platform's stack spec. */
export const PLATFORM_SPEC: StackSpec<PlatformConfig> = { addons: ADDONS, checks: [imageMappingProblems] };
