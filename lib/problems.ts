/** A config problem, reported as `aihub-airgap:<path>: <what is wrong> (<how to fix>)`. */
export interface Problem {
    /** Key path below the `aihub-airgap:` namespace, e.g. `ceph.nodes[1].monDisk.path`. */
    path: string;
    /** What is wrong and, in parentheses, how to fix it. */
    text: string;
    /** The path is a whole key of another namespace (`aihub-airgp:registry`), printed without our prefix. */
    absolute?: boolean;
}

/** The text of an unknown key. */
export const UNKNOWN_KEY = "is not a known key (remove it or fix the spelling; see docs/configuration.md)";

/** The config namespace: the Pulumi project name. */
export const CONFIG_NAMESPACE = "aihub-airgap";

/** Formats a problem as one line. */
export function formatProblem(p: Problem): string {
    return `${p.absolute ? "" : `${CONFIG_NAMESPACE}:`}${p.path}: ${p.text}`;
}

/** Joins path segments the way `pulumi config set --path` writes them: `a.b[0].c`. */
export function joinPath(segments: readonly PropertyKey[]): string {
    return segments.map((s, i) => (typeof s === "number" ? `[${s}]` : i === 0 ? String(s) : `.${String(s)}`)).join("");
}

/** Thrown when the stack config is invalid; carries every problem found. */
export class ConfigError extends Error {
    constructor(public readonly problems: Problem[]) {
        super(
            `invalid stack config (${problems.length} problem${problems.length === 1 ? "" : "s"}):\n` +
                problems.map((p) => `  - ${formatProblem(p)}`).join("\n"),
        );
        this.name = "ConfigError";
    }
}
