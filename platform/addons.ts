/**
 * The add-on half of the composition: builds every enabled add-on in table order after the storage half, handing
 * each what the earlier ones provide, and collects their stack outputs.
 */
import type * as pulumi from "@pulumi/pulumi";
import { ADDONS, enabledAddOns } from "./registry";
import type { AddOn, AddOnDeps, Provided } from "./contracts";
import type { PlatformConfig } from "./contracts";

/** The built add-ons. */
export interface AddOns {
    /** Top components of the enabled add-ons, in build order. */
    components: pulumi.ComponentResource[];
    /** What they provide to the application. */
    provided: Provided;
    /** Their stack outputs. */
    outputs: Record<string, pulumi.Input<unknown>>;
}

/** Builds the enabled add-ons; throws when two add-ons export the same output name (a bug, not a config error). */
export function buildAddOns(
    cfg: PlatformConfig,
    deps: Omit<AddOnDeps, "cfg" | "provided">,
    table: readonly AddOn[] = ADDONS,
): AddOns {
    const built: AddOns = { components: [], provided: {}, outputs: {} };
    for (const { addon, section } of enabledAddOns(cfg.addons, table)) {
        const b = addon.build(section, { ...deps, cfg, provided: { ...built.provided } });
        built.components.push(b.component);
        Object.assign(built.provided, b.provides ?? {});
        for (const [k, v] of Object.entries(b.outputs ?? {})) {
            if (Object.hasOwn(built.outputs, k))
                throw new Error(`add-on ${addon.name}: output ${k} is already exported`);
            built.outputs[k] = v;
        }
    }
    return built;
}
