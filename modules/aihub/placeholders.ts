/**
 * Chart placeholders that survive into the rendered AI Hub release. The vendor chart ships `<…-PLACEHOLDER>` strings
 * and default passwords (`changeit`, `changit`) in values.yaml and writes them into ConfigMaps, env vars and Secrets;
 * each one that reaches a rendered object is traced back to its values path and to the config key that sets it.
 */
import { stringLeaves } from "../../lib/leaves";
import { CREDENTIALS } from "../../catalog/aihub-credentials";
import type { AiHubLayout } from "../../catalog/aihub-layout";
import { deepMerge, isMapping } from "../../lib/merge";
import { SECRET_KEY } from "./values";

/** A values default the chart expects to be replaced. */
export function isChartPlaceholder(v: string): boolean {
    return v.includes("PLACEHOLDER") || v === "changeit" || v === "changit";
}

/** A placeholder found in the render. */
export interface SurvivingPlaceholder {
    /** Values path still at the chart's placeholder, e.g. `aihubDB.dbPass`; undefined when no path explains it. */
    valuePath?: string;
    value: string;
    /** Where it is rendered: `ConfigMap/aihub-config data.DB_PASSWORD`, `Deployment/x env DB_PASS`. */
    where: string[];
    /** The `aihub.credentials.<name>` that sets this path, if any. */
    credential?: string;
    /** True when the path holds a secret (a credential, password, token, licence). */
    secret: boolean;
}

type Obj = Record<string, unknown>;

/** String leaves of a rendered object, Secret `data` decoded, each labelled by kind, name and field (env by name). */
function renderedLeaves(o: Obj): { where: string; value: string }[] {
    const meta = isMapping(o.metadata) ? o.metadata : {};
    const label = `${String(o.kind)}/${String(meta.name)}`;
    const leaves = stringLeaves(o);
    const byPath = new Map(leaves.map((l) => [l.path, l.value]));
    return leaves.map((l) => {
        const value =
            o.kind === "Secret" && l.path.startsWith("data.") ? Buffer.from(l.value, "base64").toString() : l.value;
        const env = /^(.*env\[\d+\])\.value$/.exec(l.path);
        const name = env && byPath.get(`${env[1]}.name`);
        return { where: `${label} ${name ? `env ${name}` : l.path}`, value };
    });
}

/** Placeholders of `defaults` (the chart's values.yaml) that the release values leave in place and the render shows. */
export function survivingPlaceholders(
    defaults: Record<string, unknown>,
    values: Record<string, unknown>,
    objects: readonly Obj[],
    layout: AiHubLayout,
): SurvivingPlaceholder[] {
    const effective = new Map(stringLeaves(deepMerge(defaults, values)).map((l) => [l.path, l.value]));
    const candidates = stringLeaves(defaults).filter(
        (l) => isChartPlaceholder(l.value) && effective.get(l.path) === l.value,
    );
    const rendered = objects.flatMap(renderedLeaves);
    const shows = (placeholder: string, v: string) =>
        placeholder.includes("PLACEHOLDER") ? v.includes(placeholder) : v === placeholder;
    const found: SurvivingPlaceholder[] = candidates.flatMap((c) => {
        const where = rendered.filter((r) => shows(c.value, r.value)).map((r) => r.where);
        if (where.length === 0) return [];
        const credential = CREDENTIALS.find((k) => k.paths(layout).includes(c.path))?.name;
        const key = c.path.split(/[.[]/).pop() ?? "";
        return [{ valuePath: c.path, value: c.value, where, credential, secret: !!credential || SECRET_KEY.test(key) }];
    });
    const explained = new Set(found.flatMap((f) => f.where));
    const unexplained = rendered.filter((r) => r.value.includes("PLACEHOLDER") && !explained.has(r.where));
    return [
        ...found,
        ...unexplained.map((r) => ({ value: r.value, where: [r.where], secret: SECRET_KEY.test(r.where) })),
    ];
}

/** The fix for a surviving placeholder: the config key to set. */
export function placeholderFix(p: SurvivingPlaceholder): string {
    if (p.credential)
        return `pulumi config set --secret --path aihub.credentials.${p.credential}, which prompts for the value`;
    if (p.valuePath === "license.rapidminer.licenseValue")
        return "pulumi config set --secret --path aihub.license < license.txt";
    if (p.valuePath && p.secret)
        return `pulumi config set --secret --path aihub.values.${p.valuePath}, which prompts for the value`;
    if (p.valuePath) return `set ${p.valuePath} in aihub.valuesFile or aihub.values`;
    return "the chart writes it itself: override the template's value or report it";
}
