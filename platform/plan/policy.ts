/** What a plan policy is: a check over the recorded registrations and the config, giving findings. */
import type { PlatformConfig } from "../contracts";
import type { Registration } from "./recorder";

/** One policy finding. */
export interface Finding {
    level: "error" | "warning";
    /** Short rule id, e.g. `image-outside-registry`. */
    rule: string;
    /** URN of the resource concerned. */
    resource?: string;
    text: string;
}

/** A policy check. */
export type Policy = (regs: readonly Registration[], cfg: PlatformConfig) => Finding[];
