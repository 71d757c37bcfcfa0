import { loadConfig } from "./stacks/config";
import { buildPlatform } from "./stacks/platform";

// Validation throws before any resource is registered when the stack config is wrong.
export = buildPlatform(loadConfig());
