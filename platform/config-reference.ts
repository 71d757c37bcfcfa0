/**
 * The stack-config reference, generated from the zod schemas so it cannot drift from what validation accepts: the
 * core sections (`sectionSchemas`, config/schema.ts) and every add-on's section (`ADDONS`, platform/registry.ts).
 * One Markdown table row per key path, with its type and default from the schema and its meaning from `KEY_DOCS`
 * (config-reference-text.ts). Pure: it reads schemas only, so it runs without the Pulumi engine or a stack.
 * `npm run docs:config` writes the result into docs/configuration.md; config-reference.test.ts checks it is current.
 */
import { z } from "zod";
import { SECRET_PATHS, sectionSchemas } from "../config/schema";
import { KEY_DOCS } from "./config-reference-text";
import { ADDONS } from "./registry";

/** The part of JSON Schema that `z.toJSONSchema` emits for our schemas. */
interface JsonSchema {
    type?: string | string[];
    format?: string;
    enum?: unknown[];
    const?: unknown;
    default?: unknown;
    properties?: Record<string, JsonSchema>;
    required?: string[];
    items?: JsonSchema;
    additionalProperties?: JsonSchema | boolean;
    propertyNames?: JsonSchema;
    anyOf?: JsonSchema[];
    oneOf?: JsonSchema[];
}

/** One key of the reference. */
export interface KeyRow {
    /** Path below `aihub-airgap:`, arrays as `[]`, e.g. `ceph.nodes[].monDisk.size`. */
    path: string;
    /** What the value is, e.g. `list of object`, `string, secret`. */
    type: string;
    /** The default as Markdown (`` `true` ``), or `required`, or `—` (optional, no default). */
    default: string;
}

/** One table of the reference: a core section or an add-on. */
export interface ReferenceSection {
    /** Heading: the section's key path, e.g. `ceph` or `addons.gateway`. */
    title: string;
    rows: KeyRow[];
}

/**
 * Input and output JSON Schemas of one zod schema. The input side is what a stack file holds (a size is a number or
 * a string, a secret a string); zod leaves defaults out of it where the schema transforms (a size's default, an
 * object holding one), so those come from the output side.
 */
function jsonSchemas(schema: z.ZodType): { input: JsonSchema; output: JsonSchema } {
    const of = (io: "input" | "output") => z.toJSONSchema(schema, { io, unrepresentable: "any" }) as JsonSchema;
    return { input: of("input"), output: of("output") };
}

/** True when `path` matches a secret pattern (`*` matches one key). */
function matches(patterns: readonly string[], path: string): boolean {
    return patterns.some((p) => {
        const a = p.split(".");
        const b = path.split(".");
        return a.length === b.length && a.every((seg, i) => seg === "*" || seg === b[i]);
    });
}

/** A default value as YAML flow text, e.g. `[linux/amd64]`, `{enabled: true, timeout: 3600}`. */
function flow(v: unknown): string {
    if (typeof v === "string") return /^[\w./:-]+$/.test(v) ? v : JSON.stringify(v);
    if (Array.isArray(v)) return `[${v.map(flow).join(", ")}]`;
    if (v !== null && typeof v === "object") {
        return `{${Object.entries(v)
            .map(([k, x]) => `${k}: ${flow(x)}`)
            .join(", ")}}`;
    }
    return String(v);
}

const code = (s: string) => `\`${s}\``;

/** The variants of a union (`anyOf`/`oneOf`), or none. */
const variants = (s: JsonSchema | undefined): JsonSchema[] => s?.anyOf ?? s?.oneOf ?? [];

/** The type of a value as words. */
function typeOf(s: JsonSchema, secret: boolean): string {
    const mark = secret ? ", secret" : "";
    if (s.const !== undefined) return code(flow(s.const));
    if (s.enum) return `one of ${s.enum.map((e) => code(flow(e))).join(", ")}`;
    const union = variants(s);
    if (union.length > 0) {
        if (union.every((v) => v.type === "object")) return `object, one of ${union.length} forms`;
        return union.map((v) => typeOf(v, false)).join(" or ") + mark;
    }
    const types = Array.isArray(s.type) ? s.type : s.type ? [s.type] : [];
    if (types.length === 0) return "any";
    if (types.length > 1) return types.join(" or ") + mark;
    switch (types[0]) {
        case "array":
            return `list of ${s.items ? typeOf(s.items, false) : "any"}${mark}`;
        case "object": {
            if (s.properties) return "object";
            const values = typeof s.additionalProperties === "object" ? typeOf(s.additionalProperties, false) : "any";
            const keys = s.propertyNames?.enum ? s.propertyNames.enum.map((e) => code(flow(e))).join(", ") : "name";
            return `map of ${keys} to ${values}${mark}`;
        }
        default:
            return `${types[0]}${s.format ? ` (${s.format})` : ""}${mark}`;
    }
}

/** The properties of an object schema, or of every form of a union of objects (merged by name). */
function propertiesOf(s: JsonSchema): {
    name: string;
    forms: { schema: JsonSchema; required: boolean; index: number }[];
}[] {
    const union = variants(s);
    const forms = union.length > 0 ? union : [s];
    const out = new Map<string, { schema: JsonSchema; required: boolean; index: number }[]>();
    forms.forEach((form, index) => {
        for (const [name, schema] of Object.entries(form.properties ?? {})) {
            const list = out.get(name) ?? [];
            list.push({ schema, required: form.required?.includes(name) ?? false, index });
            out.set(name, list);
        }
    });
    return [...out].map(([name, f]) => ({ name, forms: f }));
}

/**
 * The key that tells a union's forms apart (a constant in every form), e.g. `type` of `addons.jupyterhub.auth`,
 * or none.
 */
function discriminator(s: JsonSchema): string | undefined {
    const union = variants(s);
    if (union.length < 2) return undefined;
    return Object.keys(union[0].properties ?? {}).find((k) =>
        union.every((v) => v.properties?.[k]?.const !== undefined),
    );
}

/** Rows for `path` (its schema `s`) and every key below it. `out` is the output-side schema at the same path. */
function walk(
    path: string,
    s: JsonSchema,
    out: JsonSchema | undefined,
    required: boolean,
    secrets: readonly string[],
    rows: KeyRow[],
    formsNote = "",
): void {
    const secret = matches(secrets, path) || (typeOf(s, false).startsWith("map of") && matches(secrets, `${path}.*`));
    const def = s.default !== undefined ? s.default : out?.default;
    rows.push({
        path,
        type: typeOf(s, secret) + formsNote,
        default: def !== undefined ? code(flow(def)) : required ? "required" : "—",
    });
    // A list of objects: its keys as `path[].key`.
    const element = s.type === "array" && s.items ? s.items : undefined;
    const node = element ?? s;
    const outNode = element ? out?.items : out;
    const prefix = element ? `${path}[]` : path;
    const union = variants(node);
    if (!node.properties && (union.length === 0 || !union.every((v) => v.properties))) return;
    const key = discriminator(node);
    for (const { name, forms } of propertiesOf(node)) {
        const first = forms[0];
        const outForm = union.length > 0 ? variants(outNode)[first.index] : outNode;
        const consts = forms.map((f) => f.schema.const);
        const merged: JsonSchema =
            forms.length > 1 && consts.every((c) => c !== undefined)
                ? { type: first.schema.type, enum: consts }
                : { ...first.schema };
        merged.default = forms.find((f) => f.schema.default !== undefined)?.schema.default;
        const only =
            key && name !== key && forms.length < union.length
                ? ` (with ${key}: ${forms.map((f) => flow(union[f.index].properties?.[key]?.const)).join(", ")})`
                : "";
        walk(
            `${prefix}.${name}`,
            merged,
            outForm?.properties?.[name],
            forms.every((f) => f.required),
            secrets,
            rows,
            only,
        );
    }
}

/** The reference as data: one section per core key and per add-on, in the order validation reads them. */
export function referenceSections(): ReferenceSection[] {
    const sections: ReferenceSection[] = [];
    for (const [name, schema] of Object.entries(sectionSchemas)) {
        const { input, output } = jsonSchemas(schema as z.ZodType);
        const rows: KeyRow[] = [];
        walk(name, input, output, !(schema as z.ZodType).safeParse(undefined).success, SECRET_PATHS, rows);
        sections.push({ title: name, rows });
    }
    // `addons` is not in sectionSchemas: validation reads it through the add-on table and adds `enabled` itself.
    sections.push({
        title: "addons",
        rows: [
            { path: "addons", type: "object", default: "—" },
            { path: "addons.<name>.enabled", type: "boolean", default: code("true") },
        ],
    });
    for (const addon of ADDONS) {
        const path = `addons.${addon.name}`;
        const { input, output } = jsonSchemas(addon.schema);
        const rows: KeyRow[] = [];
        const secrets = (addon.secretPaths ?? []).map((p) => `${path}.${p}`);
        walk(path, input, output, false, secrets, rows);
        sections.push({ title: path, rows });
    }
    return sections;
}

/** Every key path the reference lists. */
export function configKeyPaths(): string[] {
    return referenceSections().flatMap((s) => s.rows.map((r) => r.path));
}

/** A table cell: pipes escaped, one line. */
const cell = (s: string) => s.replace(/\|/g, "\\|").replace(/\s*\n\s*/g, " ");

/**
 * The reference as Markdown: a `###` heading and a table per section. A key without a description in `KEY_DOCS` is
 * printed with `(undocumented)`, which the test refuses.
 */
export function configReference(docs: Record<string, string> = KEY_DOCS): string {
    return referenceSections()
        .map((section) => {
            const rows = section.rows.map(
                (r) =>
                    `| ${cell(code(r.path))} | ${cell(r.type)} | ${cell(r.default)} | ${cell(docs[r.path] ?? "(undocumented)")} |`,
            );
            return [
                `### ${code(section.title)}`,
                "",
                "| key | type | default | meaning |",
                "| --- | --- | --- | --- |",
                ...rows,
            ].join("\n");
        })
        .join("\n\n")
        .concat("\n");
}

/** The markers around the generated part of docs/configuration.md. */
export const BEGIN_MARKER = "<!-- generated:config-reference -->";
export const END_MARKER = "<!-- /generated -->";

/** The generated part of a Markdown text: what lies between `BEGIN_MARKER` + blank line and blank line + `END_MARKER`. */
export function generatedSection(markdown: string): string {
    const begin = markdown.indexOf(BEGIN_MARKER);
    const end = markdown.indexOf(END_MARKER);
    if (begin < 0 || end < begin) throw new Error(`${BEGIN_MARKER} … ${END_MARKER} not found`);
    const inner = markdown.slice(begin + BEGIN_MARKER.length, end);
    if (!inner.startsWith("\n\n") || !inner.endsWith("\n\n")) {
        throw new Error(`the markers must stand on their own lines with one blank line inside them`);
    }
    return inner.slice(2, -1);
}

/** `markdown` with its generated part replaced by `reference`. */
export function withGeneratedSection(markdown: string, reference: string): string {
    const begin = markdown.indexOf(BEGIN_MARKER);
    const end = markdown.indexOf(END_MARKER);
    if (begin < 0 || end < begin) throw new Error(`${BEGIN_MARKER} … ${END_MARKER} not found`);
    return `${markdown.slice(0, begin)}${BEGIN_MARKER}\n\n${reference}\n${markdown.slice(end)}`;
}
