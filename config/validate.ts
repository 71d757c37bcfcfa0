/**
 * Validation of the whole stack config: schemas per section, the secret-in-plain-text rule, and the
 * cross-field rules. Every problem is collected before anything is reported, so one run lists them all.
 */
import type { z } from "zod";
import { checkLicense } from "./license";
import { ConfigError, formatProblem, joinPath, UNKNOWN_KEY, type Problem } from "../lib/problems";
import { checkRules, type FileCheck, type Sections } from "./rules";
import { checkInput, plainSecretText } from "./rules-input";
import { SECRET_PATHS, sectionSchemas, type CoreConfig, type SectionName, type StackConfig } from "./schema";
import { checkTls } from "./tls";

/**
 * What validation needs of an add-on: its section's name, schema, secret paths and rules (the platform's add-on
 * table, platform/registry.ts, holds these and more).
 */
export interface ConfigAddOn {
    /** Key under `aihub-airgap:addons`, e.g. `metallb`. */
    name: string;
    /** Schema of the section without `enabled`. */
    schema: z.ZodType;
    /** Paths of secret values inside the section (`ca.key`, `*` matches one key). @default none */
    secretPaths?: readonly string[];
    /** Rules comparing the section with the rest of the config. @default none */
    rules?(section: never, all: Partial<StackConfig<never>>): { errors: Problem[]; warnings?: Problem[] };
}

/**
 * What a stack is validated against besides the core sections: the add-on table and checks of the whole config.
 * `C` is the config type the caller gets back (the platform's `PlatformConfig`).
 */
export interface StackSpec<C extends StackConfig<object> = StackConfig> {
    /** The add-on table, in build order. */
    addons: readonly ConfigAddOn[];
    /**
     * Checks of a config whose core sections and add-on sections parsed and passed the core rules (e.g. that no two
     * images map to one private name). @default none
     */
    checks?: readonly ((cfg: C) => Problem[])[];
}

/** Input to validation: the config values and what is known of their secret-ness. */
export interface RawConfig {
    /** Values by key without the `aihub-airgap:` prefix, as plain JSON (secure values decrypted or placeholders). */
    values: Record<string, unknown>;
    /**
     * Paths (`registry.password`) whose values were stored encrypted. Undefined when unknown, which skips the
     * plain-text check.
     */
    securePaths?: ReadonlySet<string>;
    /** Problems found in the stack file itself (see StackFile). @default none */
    file?: { errors: Problem[]; warnings: Problem[] };
}

/** The outcome of validation. */
export interface Validation<C = StackConfig> {
    /** The validated config; set only when there are no errors. */
    config?: C;
    errors: Problem[];
    warnings: Problem[];
}

function describe(v: unknown): string {
    if (v === null) return "null";
    if (Array.isArray(v)) return "a list";
    return typeof v === "object" ? "a mapping" : typeof v;
}

function valueAt(root: unknown, segs: readonly PropertyKey[]): unknown {
    let cur = root;
    for (const s of segs) {
        if (cur === null || typeof cur !== "object") return undefined;
        cur = (cur as Record<PropertyKey, unknown>)[s];
    }
    return cur;
}

const MISSING = "is missing (set it in Pulumi.<stack>.yaml)";

/** Turns zod's issues into problems with a key path and a fix. */
function zodProblems(section: string, input: unknown, error: z.ZodError): Problem[] {
    return error.issues.flatMap((issue): Problem[] => {
        const segs = [section, ...issue.path];
        const at = joinPath(segs);
        if (issue.code === "unrecognized_keys") {
            return issue.keys.map((k) => ({ path: joinPath([...segs, k]), text: UNKNOWN_KEY }));
        }
        if (issue.code === "invalid_type") {
            const got = valueAt(input, issue.path);
            // A schema may say what to set (backup.target names its choices); else the generic fix.
            if (got === undefined) {
                const text = issue.message.startsWith("is missing (") ? issue.message : MISSING;
                return [{ path: at, text }];
            }
            if (issue.message.includes("(")) return [{ path: at, text: issue.message }];
            return [{ path: at, text: `must be ${issue.expected}, not ${describe(got)} (fix the value's type)` }];
        }
        // A record key's own check (e.g. bundle.upstreamMirrors hosts) is nested under zod's "Invalid key in record".
        const message = issue.code === "invalid_key" ? (issue.issues[0]?.message ?? issue.message) : issue.message;
        const text = message.includes("(") ? message : `${message} (fix the value)`;
        return [{ path: at, text }];
    });
}

/** Every path in `values` that matches a secret pattern (core or an add-on's) and holds a value. */
function secretValuePaths(values: Record<string, unknown>, table: readonly ConfigAddOn[]): string[] {
    const found: string[] = [];
    const addonPaths = table.flatMap((a) => (a.secretPaths ?? []).map((p) => `addons.${a.name}.${p}`));
    for (const pattern of [...SECRET_PATHS, ...addonPaths]) {
        const parts = pattern.split(".");
        const walk = (node: unknown, i: number, at: string[]): void => {
            if (i === parts.length) {
                if (node !== undefined && node !== null) found.push(at.join("."));
                return;
            }
            if (node === null || typeof node !== "object") return;
            const keys = parts[i] === "*" ? Object.keys(node) : [parts[i]];
            for (const k of keys) walk((node as Record<string, unknown>)[k], i + 1, [...at, k]);
        };
        walk(values, 0, []);
    }
    return found;
}

const isMapping = (v: unknown): v is Record<string, unknown> =>
    v !== null && typeof v === "object" && !Array.isArray(v);

/**
 * Parses `addons`: one section per add-on of the table; a present section is on unless `enabled: false`.
 * Returns the enabled sections (parsed) and their problems.
 */
function parseAddOns(
    input: unknown,
    table: readonly ConfigAddOn[],
): { sections: Record<string, unknown>; errors: Problem[] } {
    const sections: Record<string, unknown> = {};
    const errors: Problem[] = [];
    if (input === undefined) return { sections, errors };
    const known = table.map((a) => a.name).join(", ") || "none";
    if (!isMapping(input)) {
        const text = `must be a mapping of add-on sections (known add-ons: ${known}; e.g. addons: { <name>: { ... } })`;
        return { sections, errors: [{ path: "addons", text }] };
    }
    for (const key of Object.keys(input)) {
        if (!table.some((a) => a.name === key)) {
            errors.push({ path: `addons.${key}`, text: `is not a known add-on (known add-ons: ${known})` });
        }
    }
    for (const a of table.filter((x) => input[x.name] !== undefined)) {
        const at = `addons.${a.name}`;
        const value = input[a.name];
        if (!isMapping(value)) {
            errors.push({ path: at, text: `must be a mapping of the add-on's keys (write {} for its defaults)` });
            continue;
        }
        const { enabled = true, ...rest } = value;
        if (typeof enabled !== "boolean") {
            errors.push({
                path: `${at}.enabled`,
                text: "must be true or false (false keeps the section but installs nothing)",
            });
            continue;
        }
        if (!enabled) continue;
        const result = a.schema.safeParse(rest);
        if (result.success) sections[a.name] = result.data;
        else errors.push(...zodProblems(at, rest, result.error));
    }
    return { sections, errors };
}

/** The rules of each parsed add-on against the rest of the config. */
function addOnRules(
    sections: Partial<StackConfig>,
    table: readonly ConfigAddOn[],
): { errors: Problem[]; warnings: Problem[] } {
    const out = { errors: [] as Problem[], warnings: [] as Problem[] };
    const addons = (sections.addons ?? {}) as Record<string, unknown>;
    for (const a of table) {
        if (addons[a.name] === undefined || !a.rules) continue;
        const r = a.rules(addons[a.name] as never, sections as Partial<StackConfig<never>>);
        out.errors.push(...r.errors);
        out.warnings.push(...(r.warnings ?? []));
    }
    return out;
}

/** True when `addons.gateway` is present and not `enabled: false` (whether or not its keys parsed). */
function gatewayOn(addons: unknown): boolean {
    const g = isMapping(addons) ? addons.gateway : undefined;
    return g !== undefined && !(isMapping(g) && g.enabled === false);
}

/**
 * `ingress.mode` defaults to `gateway` when the gateway add-on is on and is required otherwise; `gateway` needs the
 * add-on. Sets the resolved mode on the parsed ingress section.
 */
function resolveIngressMode(sections: Record<string, unknown>, addons: unknown): Problem[] {
    const ingress = sections.ingress as { mode?: string } | undefined;
    if (!ingress) return [];
    const on = gatewayOn(addons);
    if (ingress.mode === undefined) {
        if (on) ingress.mode = "gateway";
        else
            return [
                {
                    path: "ingress.mode",
                    text: "is missing (set http, https or https-custom-ca, or turn on addons.gateway: its mode gateway is then the default)",
                },
            ];
    } else if (ingress.mode === "gateway" && !on) {
        return [
            {
                path: "ingress.mode",
                text: "gateway needs addons.gateway (turn it on: addons: { gateway: {} }, or choose an Ingress mode)",
            },
        ];
    }
    return [];
}

/** Validates a stack config against the core sections and `spec`; never throws. */
export function validateConfig<C extends StackConfig<object>>(
    raw: RawConfig,
    files: FileCheck,
    spec: StackSpec<C>,
): Validation<C> {
    const table = spec.addons;
    const errors: Problem[] = [...(raw.file?.errors ?? [])];
    const sections: Record<string, unknown> = {};
    for (const name of Object.keys(sectionSchemas) as SectionName[]) {
        const input = raw.values[name];
        const result = sectionSchemas[name].safeParse(input);
        if (result.success) sections[name] = result.data;
        else errors.push(...zodProblems(name, input, result.error));
    }
    const addons = parseAddOns(raw.values.addons, table);
    errors.push(...addons.errors);
    if (addons.errors.length === 0) sections.addons = addons.sections;
    errors.push(...resolveIngressMode(sections, raw.values.addons));
    for (const key of Object.keys(raw.values)) {
        if (!Object.hasOwn(sectionSchemas, key) && key !== "addons") errors.push({ path: key, text: UNKNOWN_KEY });
    }
    if (raw.securePaths) {
        for (const p of secretValuePaths(raw.values, table)) {
            if (!raw.securePaths.has(p)) {
                errors.push({ path: p, text: plainSecretText(p) });
            }
        }
    }
    errors.push(...checkInput(raw.values, raw.securePaths));
    const rules = checkRules(sections as Sections, files);
    errors.push(...rules.errors);
    // `addons` is missing when an add-on section failed to parse (its problems are reported already).
    const s = sections as Sections;
    if (rules.errors.length === 0 && s.registry && s.rook && s.ceph && s.aihub && s.addons) {
        for (const check of spec.checks ?? []) errors.push(...check(sections as C));
    }
    // The add-on rules read the AI Hub values (the paths the chart serves), the values file's included.
    const aihub = sections.aihub as CoreConfig["aihub"] | undefined;
    if (aihub) aihub.vendorValues = rules.vendorValues ?? {};
    const addonRules = addOnRules(sections as Sections, table);
    errors.push(...addonRules.errors);
    // The TLS key is read here, before the schema turns it into a secret Output; it never enters a message.
    const tlsKey = (raw.values.ingress as { tlsKey?: unknown } | undefined)?.tlsKey;
    const tls = checkTls({ ...(sections as Sections), tlsKey });
    errors.push(...tls.errors);
    const license = aihub ? checkLicense(aihub, rules.vendorValues) : undefined;
    errors.push(...(license?.errors ?? []));
    const unique = [...new Map(errors.map((e) => [formatProblem(e), e])).values()];
    const config = unique.length === 0 ? (sections as C) : undefined;
    const warnings = [
        ...(raw.file?.warnings ?? []),
        ...rules.warnings,
        ...addonRules.warnings,
        ...tls.warnings,
        ...(license?.warnings ?? []),
    ];
    return { config, errors: unique, warnings };
}

/** Validates and returns the config, or throws a ConfigError listing every problem. */
export function requireValidConfig<C extends StackConfig<object>>(
    raw: RawConfig,
    files: FileCheck,
    spec: StackSpec<C>,
): Validation<C> & { config: C } {
    const v = validateConfig(raw, files, spec);
    if (!v.config) throw new ConfigError(v.errors);
    return v as Validation<C> & { config: C };
}
