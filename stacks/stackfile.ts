/**
 * Reads `Pulumi.<stack>.yaml` without the Pulumi CLI: plain values as they are, secure values as placeholders
 * (no passphrase needed) together with the list of paths that were stored encrypted.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parse as parseYaml } from "yaml";
import { CONFIG_NAMESPACE } from "./problems";

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

/** Replaces every `{secure: …}` leaf with the placeholder, recording its path. */
function stripSecure(v: unknown, at: string, secure: Set<string>): unknown {
    if (isSecure(v)) {
        secure.add(at);
        return SECRET_PLACEHOLDER;
    }
    if (Array.isArray(v)) return v.map((x, i) => stripSecure(x, `${at}[${i}]`, secure));
    if (v !== null && typeof v === "object") {
        return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, stripSecure(x, `${at}.${k}`, secure)]));
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

/** Parses a stack file's text. Throws with the file name on malformed YAML. */
export function parseStackFile(text: string, file: string): StackFile {
    let doc: unknown;
    try {
        doc = parseYaml(text);
    } catch (e) {
        throw new Error(`${file}: not valid YAML: ${(e as Error).message.split("\n")[0]}`);
    }
    const config = (doc as { config?: unknown } | null)?.config ?? {};
    if (typeof config !== "object" || Array.isArray(config)) throw new Error(`${file}: "config" is not a mapping`);
    const values: Record<string, unknown> = {};
    const otherKeys: Record<string, unknown> = {};
    const securePaths = new Set<string>();
    for (const [key, value] of Object.entries(config as Record<string, unknown>)) {
        const prefix = `${CONFIG_NAMESPACE}:`;
        if (key.startsWith(prefix)) {
            const name = key.slice(prefix.length);
            values[name] = parseConfigValue(stripSecure(value, name, securePaths));
        } else if (!key.includes(":")) {
            // Pulumi reads a key without namespace as belonging to the project.
            values[key] = parseConfigValue(stripSecure(value, key, securePaths));
        } else otherKeys[key] = value;
    }
    return { file, values, securePaths, otherKeys };
}

/** Reads `Pulumi.<stack>.yaml` from a project directory. Throws naming the file when it is missing. */
export function readStackFile(projectDir: string, stack: string): StackFile {
    const file = stackFilePath(projectDir, stack);
    if (!fs.existsSync(file)) {
        throw new Error(
            `${file} does not exist (create the stack with \`pulumi stack init ${stack}\`, or pick one of: ${listStacks(projectDir).join(", ") || "none"})`,
        );
    }
    return parseStackFile(fs.readFileSync(file, "utf8"), file);
}

/** Stack names that have a `Pulumi.<stack>.yaml` in the project directory. */
export function listStacks(projectDir: string): string[] {
    return fs
        .readdirSync(projectDir)
        .map((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1])
        .filter((s): s is string => !!s)
        .sort();
}
