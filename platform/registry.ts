/**
 * The add-on table: every optional component the stack can turn on under `aihub-airgap:addons`, in build order
 * (an add-on may use what an earlier one provides). Adding an add-on means adding its folder and one line here.
 */
import { aistore } from "../addons/aistore";
import { certManager } from "../addons/cert-manager";
import { gateway } from "../addons/gateway/addon";
import { gpu } from "../addons/gpu";
import { jupyterhub } from "../addons/jupyterhub";
import { kepler } from "../addons/kepler";
import { metallb } from "../addons/metallb";
import { monitoring } from "../addons/monitoring";
import type { AddOn } from "./contracts";

/** Every add-on, in build order. */
export const ADDONS = [
    metallb,
    certManager,
    gateway,
    aistore,
    monitoring,
    kepler,
    gpu,
    jupyterhub,
] as const satisfies readonly AddOn[];

type Registered = (typeof ADDONS)[number];

/** The name of a registered add-on. */
export type AddOnName = Registered["name"];

/** An add-on of the table with its section, for code that iterates without knowing which add-on it holds. */
export interface EnabledAddOn {
    addon: AddOn;
    section: unknown;
}

/** The add-ons `addons` turns on, in table order; none when the section did not parse (`undefined`). */
export function enabledAddOns(
    addons: Record<string, unknown> | undefined,
    table: readonly AddOn[] = ADDONS,
): EnabledAddOn[] {
    return table
        .filter((a) => addons?.[a.name] !== undefined)
        .map((addon) => ({ addon, section: addons?.[addon.name] }));
}
