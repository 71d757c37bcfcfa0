/**
 * Rules checked on the raw config values, before (and independent of) the section schemas: they must hold even
 * when a section fails to parse, or they look at what parsing hides (secret values become Outputs, record keys
 * named `__proto__` vanish, paths are compared after canonicalising).
 */
import { aihubLayout } from "../catalog/aihub-layout";
import { CREDENTIALS, credentialNameProblems, credentialValueProblem } from "../catalog/aihub-credentials";
import { canonicalDevicePath } from "../lib/devices";
import { joinPath, UNKNOWN_KEY, type Problem } from "../lib/problems";
import { PROTOTYPE_KEYS, SECRET_PLACEHOLDER } from "./stackfile";

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === "object" && !Array.isArray(v);

/** Every key anywhere in the config that is a prototype name (`__proto__`, `constructor`…). */
function prototypeKeys(v: unknown, at: PropertyKey[], out: Problem[]): void {
    if (Array.isArray(v)) v.forEach((x, i) => prototypeKeys(x, [...at, i], out));
    else if (isObj(v)) {
        for (const [k, x] of Object.entries(v)) {
            if (PROTOTYPE_KEYS.has(k)) out.push({ path: joinPath([...at, k]), text: UNKNOWN_KEY });
            else prototypeKeys(x, [...at, k], out);
        }
    }
}

/** The same device twice on one node, across the mon and OSD roles, compared after canonicalising the path. */
function duplicateDisks(ceph: unknown): Problem[] {
    const nodes = isObj(ceph) && Array.isArray(ceph.nodes) ? ceph.nodes : [];
    const problems: Problem[] = [];
    const seen = new Map<string, string>();
    nodes.forEach((node: unknown, i) => {
        if (!isObj(node) || typeof node.hostname !== "string") return;
        const disks: [string, unknown][] = [[`ceph.nodes[${i}].monDisk`, node.monDisk]];
        if (Array.isArray(node.osdDisks)) {
            node.osdDisks.forEach((d: unknown, j) => disks.push([`ceph.nodes[${i}].osdDisks[${j}]`, d]));
        }
        for (const [key, d] of disks) {
            if (!isObj(d) || typeof d.path !== "string" || !d.path.startsWith("/dev/")) continue;
            const dev = canonicalDevicePath(d.path);
            const id = `${node.hostname}\0${dev}`;
            const other = seen.get(id);
            if (other) {
                problems.push({
                    path: `${key}.path`,
                    text: `disk ${dev} on ${node.hostname} is already used by ${other} (give each mon and OSD its own device)`,
                });
            } else seen.set(id, key);
        }
    });
    return problems;
}

const PROMPT = "which prompts for it";

/** Credential overrides: known names, and (where the value is known, not a placeholder) the right shape. */
function credentialProblems(aihub: unknown, securePaths?: ReadonlySet<string>): Problem[] {
    const creds = isObj(aihub) && isObj(aihub.credentials) ? aihub.credentials : {};
    const names = Object.keys(creds).filter((n) => !PROTOTYPE_KEYS.has(n));
    const problems = credentialNameProblems(names);
    for (const n of names) {
        const v = creds[n];
        const placeholder = v === SECRET_PLACEHOLDER && securePaths?.has(`aihub.credentials.${n}`);
        if (typeof v !== "string" || placeholder) continue;
        const p = credentialValueProblem(n, v);
        if (p) {
            problems.push({
                ...p,
                text: p.text.replace(
                    "(set another value)",
                    `(set another: pulumi config set --secret --path ${p.path}, ${PROMPT})`,
                ),
            });
        }
    }
    return problems;
}

/** Values paths of every known credential, for any chart layout, with the key that should hold it instead. */
function knownSecretPaths(): Map<string, string> {
    const out = new Map<string, string>([["license.rapidminer.licenseValue", "aihub.license"]]);
    for (const version of ["10.3.1", "2024.0.1", "2026.0.2"]) {
        const l = aihubLayout(version);
        for (const c of CREDENTIALS) for (const p of c.paths(l)) out.set(p, `aihub.credentials.${c.name}`);
    }
    return out;
}
const SECRET_VALUE_PATHS = knownSecretPaths();

/** Passwords the chart takes, given in plain text through `aihub.values`. */
function inlineSecrets(aihub: unknown, securePaths?: ReadonlySet<string>): Problem[] {
    const values = isObj(aihub) && isObj(aihub.values) ? aihub.values : {};
    const problems: Problem[] = [];
    for (const [p, key] of SECRET_VALUE_PATHS) {
        let cur: unknown = values;
        for (const seg of p.split(".")) cur = isObj(cur) && Object.hasOwn(cur, seg) ? cur[seg] : undefined;
        const at = `aihub.values.${p}`;
        if (cur === undefined || cur === null || securePaths?.has(at)) continue;
        problems.push({
            path: at,
            text: `is a secret given in plain text (remove it from aihub.values and run: pulumi config set --secret --path ${key}, ${PROMPT})`,
        });
    }
    return problems;
}

/** The raw-input rules. */
export function checkInput(values: Obj, securePaths?: ReadonlySet<string>): Problem[] {
    const problems: Problem[] = [];
    prototypeKeys(values, [], problems);
    problems.push(...duplicateDisks(values.ceph));
    problems.push(...credentialProblems(values.aihub, securePaths));
    problems.push(...inlineSecrets(values.aihub, securePaths));
    return problems;
}

/** The fix for a secret key given in plain text: the prompting form, never the value on a command line. */
export function plainSecretText(p: string): string {
    return `is a secret given in plain text (remove it from the stack file and run: pulumi config set --secret --path ${p}, ${PROMPT})`;
}
