import { loadConfig } from "./config/program";
import { buildPlatform } from "./platform/platform";
import { PLATFORM_SPEC } from "./platform/spec";

// Validation throws before any resource is registered when the stack config is wrong.
export = buildPlatform(loadConfig(PLATFORM_SPEC));
