/**
 * The AI Hub licence as the release will see it: the chart's defaults < `aihub.valuesFile` < `aihub.values`, plus
 * `aihub.license`. The `license:` block is the same in every chart from 10.3.1 to 2026.0.2 (type `altair_unit` with
 * mode `altair_one` by default, or the legacy `rapidminer` type), so one rule serves every generation. `altair_one`
 * signs in to Altair One on the internet and cannot work in an air gap.
 */
import type { Problem } from "../lib/problems";
import type { CoreConfig } from "./schema";
import { getPath as get } from "../lib/merge";

/** The chart's own `license` defaults (values.yaml of every chart 10.3.1–2026.0.2). */
export const CHART_LICENSE_DEFAULTS = { type: "altair_unit", altair: { mode: "altair_one" } } as const;

/** A chart placeholder such as `<ALTAIR-LICENSE-MANAGER-HOST-PLACEHOLDER>`. */
export function isPlaceholder(v: unknown): boolean {
    return typeof v === "string" && v.includes("PLACEHOLDER");
}

/** Where the licence is configured, for messages. */
interface Layers {
    vendor: Record<string, unknown>;
    inline: Record<string, unknown>;
    valuesFile?: string;
}

/** The value at a values path after merging, the config key that set it (or where to set it), and from where. */
function lookup(l: Layers, dotted: string): { value: unknown; at: string; from: string } {
    const inline = get(l.inline, dotted);
    if (inline !== undefined) return { value: inline, at: `aihub.values.${dotted}`, from: "" };
    const vendor = get(l.vendor, dotted);
    if (vendor !== undefined) return { value: vendor, at: "aihub.valuesFile", from: ` in ${l.valuesFile}` };
    const chart = get({ license: CHART_LICENSE_DEFAULTS }, dotted);
    return { value: chart, at: `aihub.values.${dotted}`, from: chart === undefined ? "" : " (the chart's default)" };
}

const WHERE = "in aihub.valuesFile or aihub.values";

/** Problems with the licence the release would get. */
export function licenseProblems(l: Layers, hasLicense: boolean): { errors: Problem[]; warnings: Problem[] } {
    const errors: Problem[] = [];
    const warnings: Problem[] = [];
    const type = lookup(l, "license.type");
    if (type.value === "altair_unit") {
        const mode = lookup(l, "license.altair.mode");
        if (mode.value === "altair_one") {
            errors.push({
                path: mode.at,
                text: `license.altair.mode is altair_one${mode.from}, which signs in to Altair One on the internet and cannot work in an air gap (set license.altair.mode: on_prem and license.altair.onPrem.host/port of your Altair License Manager ${WHERE})`,
            });
        } else if (mode.value === "on_prem") {
            for (const key of ["host", "port"]) {
                const v = lookup(l, `license.altair.onPrem.${key}`);
                if (v.value === undefined || v.value === "" || isPlaceholder(v.value)) {
                    errors.push({
                        path: v.at,
                        text: `license.altair.onPrem.${key} is not set, and mode on_prem needs the Altair License Manager's ${key} (set it ${WHERE})`,
                    });
                }
            }
        } else {
            errors.push({
                path: mode.at,
                text: `license.altair.mode is ${JSON.stringify(mode.value)}${mode.from}, which the chart does not know (use on_prem)`,
            });
        }
        if (hasLicense) {
            errors.push({
                path: "aihub.license",
                text: "is a legacy RapidMiner license, but license.type is altair_unit, which ignores it (remove aihub.license, or set license.type: rapidminer)",
            });
        }
    } else if (type.value === "rapidminer") {
        const given = lookup(l, "license.rapidminer.licenseValue");
        if (given.value !== undefined && !isPlaceholder(given.value)) {
            errors.push({
                path: given.at,
                text: "sets license.rapidminer.licenseValue in plain text (remove it and run: pulumi config set --secret --path aihub.license < license.txt)",
            });
        } else if (!hasLicense) {
            errors.push({
                path: "aihub.license",
                text: "is not set, and license.type rapidminer needs it (pulumi config set --secret --path aihub.license < license.txt)",
            });
        }
        if (lookup(l, "panopticonVizapp.license.detached").value !== "true") {
            warnings.push({
                path: "aihub.values.panopticonVizapp.license.detached",
                text: 'the chart says a rapidminer license needs panopticonVizapp.license.detached: "true" and Panopticon licensing of its own (set it)',
            });
        }
    } else {
        errors.push({
            path: type.at,
            text: `license.type is ${JSON.stringify(type.value)}${type.from}, which the chart does not know (use altair_unit with mode on_prem, or rapidminer with aihub.license)`,
        });
    }
    return { errors, warnings };
}

/**
 * Licence problems of the `aihub` section over the parsed values file (`vendor`, undefined while the file is
 * missing or invalid, which is reported elsewhere: the check is then skipped).
 */
export function checkLicense(
    aihub: Pick<CoreConfig["aihub"], "values" | "valuesFile" | "license">,
    vendor: Record<string, unknown> | undefined,
): { errors: Problem[]; warnings: Problem[] } {
    if (aihub.valuesFile && !vendor) return { errors: [], warnings: [] };
    return licenseProblems(
        { vendor: vendor ?? {}, inline: aihub.values, valuesFile: aihub.valuesFile },
        aihub.license !== undefined,
    );
}
