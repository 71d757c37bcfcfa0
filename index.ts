import { loadConfig } from "./config/program";
import { buildPlatform } from "./platform/platform";

// Validation throws before any resource is registered when the stack config is wrong.
export = buildPlatform(loadConfig());
