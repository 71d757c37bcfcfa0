/**
 * Reading the YAML files config names (stack file, vendor values file) as untrusted input: only a regular file of
 * bounded size is read (a device such as /dev/zero or a FIFO would exhaust memory or block), and YAML is parsed the
 * way Pulumi's reader (gopkg.in/yaml.v3) parses it: duplicate keys are errors, merge keys (`<<`) merge with the
 * mapping's own keys winning, with a bound on aliases and nesting. Every failure is one line with file and position.
 */
import * as fs from "node:fs";
import { parse as parseYaml } from "yaml";

/** Largest YAML file read, in bytes. */
export const MAX_YAML_BYTES = 4 * 2 ** 20;
/** Deepest nesting of mappings and lists accepted. */
export const MAX_YAML_DEPTH = 32;
/** Most alias expansions in one file (the yaml library's bound against alias bombs). */
export const MAX_YAML_ALIASES = 100;

/** A file that could not be read or parsed; the message is one line starting with the file (and position). */
export class YamlFileError extends Error {
    constructor(
        public readonly file: string,
        /** What is wrong, e.g. `is not a regular file`, `not valid YAML: Map keys must be unique`. */
        public readonly reason: string,
        /** `:line:column` when known, else "". */
        public readonly position = "",
    ) {
        super(`${file}${position}: ${reason}`);
        this.name = "YamlFileError";
    }
}

/** Reads a regular file of at most `maxBytes`; never opens a device or blocks on a FIFO. */
export function readRegularFile(file: string, maxBytes = MAX_YAML_BYTES): string {
    let fd: number;
    try {
        fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
    } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        const why =
            code === "ENOENT" ? "does not exist" : code === "EACCES" ? "is not readable" : `cannot be read (${code})`;
        throw new YamlFileError(file, why);
    }
    try {
        const st = fs.fstatSync(fd);
        if (!st.isFile()) throw new YamlFileError(file, "is not a regular file");
        if (st.size > maxBytes) {
            throw new YamlFileError(file, `is ${st.size} bytes, more than the ${maxBytes} a config file may have`);
        }
        const buf = Buffer.alloc(st.size);
        let n = 0;
        while (n < buf.length) {
            const r = fs.readSync(fd, buf, n, buf.length - n, n);
            if (r === 0) break;
            n += r;
        }
        return buf.subarray(0, n).toString("utf8");
    } catch (e) {
        if (e instanceof YamlFileError) throw e;
        throw new YamlFileError(file, `cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    } finally {
        fs.closeSync(fd);
    }
}

/** The deepest nesting of lists and mappings in a parsed value (iterative: the value may be deep). */
function depthOf(root: unknown): number {
    let max = 0;
    const stack: [unknown, number][] = [[root, 0]];
    while (stack.length) {
        const [v, d] = stack.pop()!;
        if (v === null || typeof v !== "object") continue;
        max = Math.max(max, d + 1);
        if (max > MAX_YAML_DEPTH) return max;
        for (const x of Object.values(v)) stack.push([x, d + 1]);
    }
    return max;
}

/** Parses YAML text as Pulumi's reader does; throws a YamlFileError naming the file and position. */
export function parseYamlText(text: string, file: string): unknown {
    let doc: unknown;
    try {
        doc = parseYaml(text, { merge: true, uniqueKeys: true, maxAliasCount: MAX_YAML_ALIASES, prettyErrors: true });
    } catch (e) {
        const err = e as Error & { linePos?: { line: number; col: number }[] };
        const at = err.linePos?.[0] ? `:${err.linePos[0].line}:${err.linePos[0].col}` : "";
        let what = err.message.split("\n")[0].replace(/ at line \d+, column \d+:?$/, "");
        if (/call stack/i.test(what)) what = `nesting is deeper than ${MAX_YAML_DEPTH} levels`;
        throw new YamlFileError(file, `not valid YAML: ${what}`, at);
    }
    if (depthOf(doc) > MAX_YAML_DEPTH) {
        throw new YamlFileError(file, `not valid YAML: nesting is deeper than ${MAX_YAML_DEPTH} levels`);
    }
    return doc;
}

/** Reads and parses a YAML file (regular, bounded). */
export function readYamlFile(file: string, maxBytes = MAX_YAML_BYTES): unknown {
    return parseYamlText(readRegularFile(file, maxBytes), file);
}
