/** What a plan policy is: a check over the registered resources and the config, giving findings. */
import type { PlatformConfig } from "../contracts";
import type { Registration } from "./recorder";

/**
 * What a policy reads of a resource: the fields both sources have, the plan's recorder (Registration) and the
 * engine's view that the CrossGuard pack receives (platform/plan/pack.ts).
 */
export type Checked = Pick<
    Registration,
    "urn" | "type" | "name" | "parent" | "inputs" | "secretInputs" | "deps" | "protect"
> & {
    /** Paths of inputs not known yet (during `pulumi preview`; the plan's mocks know every value), left out of inputs. */
    unknownInputs?: string[];
};

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
export type Policy = (regs: readonly Checked[], cfg: PlatformConfig) => Finding[];
