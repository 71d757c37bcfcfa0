/**
 * Reads `Pulumi.<stack>.yaml` without the Pulumi CLI: plain values as they are, secure values as placeholders
 * (no passphrase needed) together with the list of paths that were stored encrypted.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { CONFIG_NAMESPACE, UNKNOWN_KEY, type Problem } from "../lib/problems";
import { parseYamlText, readRegularFile, YamlFileError } from "../lib/yamlfile";

/** What stands in for an encrypted value when the passphrase is not at hand. */
export const SECRET_PLACEHOLDER = "[secret]";

/** A stack file's config for this project. */
export interface StackFile {
    /** The file read. */
    file: string;
    /** Values by key without the `aihub-airgap:` prefix; secure values replaced by the placeholder. */
    values: Record<string, unknown>;
    /** Paths (`registry.password`) whose values are stored encrypted. */
    securePaths: Set<string>;
    /** Keys of other namespaces (`kubernetes:context`), kept as given. */
    otherKeys: Record<string, unknown>;
    /** Problems of the file itself (a key given twice, an empty secure value). */
    errors: Problem[];
    /** Doubtful keys (a namespace that looks like a typo of ours). */
    warnings: Problem[];
}

function isSecure(v: unknown): v is { secure: string } {
    return (
        typeof v === "object" &&
        v !== null &&
        !Array.isArray(v) &&
        Object.keys(v).length === 1 &&
        typeof (v as { secure?: unknown }).secure === "string"
    );
}

/** Replaces every `{secure: …}` leaf with the placeholder, recording its path (and whether it was empty). */
function stripSecure(v: unknown, at: string, secure: Set<string>, empty: Set<string>): unknown {
    if (isSecure(v)) {
        secure.add(at);
        if (v.secure.trim() === "") empty.add(at);
        return SECRET_PLACEHOLDER;
    }
    if (Array.isArray(v)) return v.map((x, i) => stripSecure(x, `${at}[${i}]`, secure, empty));
    if (v !== null && typeof v === "object") {
        return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, stripSecure(x, `${at}.${k}`, secure, empty)]));
    }
    return v;
}

/** The path of a stack's file inside a project directory. */
export function stackFilePath(projectDir: string, stack: string): string {
    return path.join(projectDir, `Pulumi.${stack}.yaml`);
}

/**
 * A top-level config value as the program sees it: Pulumi hands programs every value as a string and writes plain
 * top-level scalars back as strings (`pulumi config set protectData false` stores `"false"`), so a string that is
 * JSON (`false`, `3`, `{...}`) means that JSON value, as `pulumi.Config.getBoolean`/`getObject` read it.
 */
export function parseConfigValue(raw: unknown): unknown {
    if (typeof raw !== "string") return raw;
    try {
        return JSON.parse(raw);
    } catch {
        return raw;
    }
}

/** Names JavaScript objects inherit; as config keys they are never ours and must not reach a lookup. */
export const PROTOTYPE_KEYS: ReadonlySet<string> = new Set([
    ...Object.getOwnPropertyNames(Object.prototype),
    "prototype",
]);

/** Edit distance of two short strings (typo detection). */
function distance(a: string, b: string): number {
    let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
    for (let i = 1; i <= a.length; i++) {
        const cur = [i];
        for (let j = 1; j <= b.length; j++) {
            cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
        }
        prev = cur;
    }
    return prev[b.length];
}

/** True when a namespace looks like a misspelling of ours (`aihub-airgp`, `AIHUB-AIRGAP`). */
export function looksLikeOurNamespace(ns: string): boolean {
    return ns !== CONFIG_NAMESPACE && (ns.toLowerCase() === CONFIG_NAMESPACE || distance(ns, CONFIG_NAMESPACE) <= 2);
}

/** The last text parsed and its document: a plan reads the stack file three times (CLI, loader, program). */
let lastParsed: { text: string; file: string; doc: unknown } | undefined;

/** `parseYamlText`, once per text: a copy of the document parsed last when the text is the same. */
function parsedYaml(text: string, file: string): unknown {
    if (lastParsed?.text !== text || lastParsed.file !== file)
        lastParsed = { text, file, doc: parseYamlText(text, file) };
    return structuredClone(lastParsed.doc);
}

/** Parses a stack file's text. Throws a one-line YamlFileError with file and position on malformed YAML. */
export function parseStackFile(text: string, file: string): StackFile {
    const doc = parsedYaml(text, file);
    if (doc !== null && doc !== undefined && (typeof doc !== "object" || Array.isArray(doc))) {
        throw new YamlFileError(file, "the top level is not a mapping (a stack file holds `config:` and its keys)");
    }
    const config = (doc as { config?: unknown } | null)?.config ?? {};
    if (typeof config !== "object" || Array.isArray(config)) {
        throw new YamlFileError(
            file,
            '"config" is not a mapping (write one key per line: aihub-airgap:<key>: <value>)',
        );
    }
    const values: Record<string, unknown> = {};
    const otherKeys: Record<string, unknown> = {};
    const securePaths = new Set<string>();
    const emptySecure = new Set<string>();
    const errors: Problem[] = [];
    const warnings: Problem[] = [];
    const prefix = `${CONFIG_NAMESPACE}:`;
    for (const [key, value] of Object.entries(config as Record<string, unknown>)) {
        const name = key.startsWith(prefix) ? key.slice(prefix.length) : !key.includes(":") ? key : undefined;
        if (name === undefined) {
            const ns = key.slice(0, key.indexOf(":"));
            if (looksLikeOurNamespace(ns)) {
                warnings.push({
                    path: key,
                    absolute: true,
                    text: `namespace "${ns}" looks like a typo of ${CONFIG_NAMESPACE}, so no part of this program reads it (write ${prefix}${key.slice(ns.length + 1)})`,
                });
            }
            otherKeys[key] = value;
            continue;
        }
        if (PROTOTYPE_KEYS.has(name)) {
            errors.push({ path: name, text: UNKNOWN_KEY });
            continue;
        }
        if (Object.hasOwn(values, name)) {
            // Pulumi namespaces a bare key with the project name, in Go map order: which of the two wins is chance.
            errors.push({
                path: name,
                text: `is given twice, as "${name}" and as "${prefix}${name}" (keep only ${prefix}${name})`,
            });
            continue;
        }
        values[name] = parseConfigValue(stripSecure(value, name, securePaths, emptySecure));
    }
    for (const p of emptySecure) {
        errors.push({
            path: p,
            text: `is an empty secure value (set it again with: pulumi config set --secret --path ${p}, which prompts for it)`,
        });
    }
    return { file, values, securePaths, otherKeys, errors, warnings };
}

/** Reads `Pulumi.<stack>.yaml` from a project directory. Throws naming the file when it is missing or unreadable. */
export function readStackFile(projectDir: string, stack: string): StackFile {
    if (!isDirectory(projectDir)) throw new YamlFileError(projectDir, "is not a project directory (check --dir)");
    const file = stackFilePath(projectDir, stack);
    if (!fs.existsSync(file)) {
        throw new YamlFileError(
            file,
            `does not exist (create the stack with \`pulumi stack init ${stack}\`, or pick one of: ${listStacks(projectDir).join(", ") || "none"})`,
        );
    }
    return parseStackFile(readRegularFile(file), file);
}

function isDirectory(dir: string): boolean {
    try {
        return fs.statSync(dir).isDirectory();
    } catch {
        return false;
    }
}

/** Stack names that have a `Pulumi.<stack>.yaml` in the project directory. */
export function listStacks(projectDir: string): string[] {
    return fs
        .readdirSync(projectDir)
        .map((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1])
        .filter((s): s is string => !!s)
        .sort();
}
