/**
 * A throw-away project directory for one engine test: the program's files linked from the repository, the local
 * file backend inside it, and a stack made the way an admin makes one (`pulumi stack init`, plain keys in the stack
 * file, every secret through `pulumi config set --secret` on stdin).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import YAML from "yaml";
import { PulumiCli } from "./pulumi";

const ROOT = path.resolve(__dirname, "..", "..");
/**
 * What the program needs at run time: its code, its dependencies, the vendor values file, the push and wait CLIs, and
 * the loader package.json names as the program (scripts/program.cjs).
 */
const LINKED = [
    "index.ts",
    "package.json",
    "tsconfig.json",
    "node_modules",
    "lib",
    "catalog",
    "config",
    "k8s",
    "modules",
    "addons",
    "platform",
    "pipeline",
    "ops",
    "cli",
    "scripts",
    "values",
    "policy",
];

/** Creates the project directory (with `.pulumi-state/`, the backend of Pulumi.yaml) under `work`. */
export function makeProject(work: string): string {
    const dir = path.join(work, "project");
    fs.mkdirSync(path.join(dir, ".pulumi-state"), { recursive: true });
    fs.copyFileSync(path.join(ROOT, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
    for (const f of LINKED) fs.symlinkSync(path.join(ROOT, f), path.join(dir, f));
    return dir;
}

/** The repository's stack file as plain config, without its placeholder secrets and salt. */
export function repoStackConfig(stack: string): Record<string, unknown> {
    const doc = YAML.parse(fs.readFileSync(path.join(ROOT, `Pulumi.${stack}.yaml`), "utf8"));
    const config: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(doc.config as Record<string, unknown>)) {
        config[key.replace(/^aihub-airgap:/, "")] = withoutSecure(value);
    }
    return config;
}

function withoutSecure(v: unknown): unknown {
    if (Array.isArray(v)) return v.map(withoutSecure);
    if (v && typeof v === "object") {
        return Object.fromEntries(
            Object.entries(v as Record<string, unknown>)
                .filter(([, x]) => !(x && typeof x === "object" && "secure" in (x as object)))
                .map(([k, x]) => [k, withoutSecure(x)]),
        );
    }
    return v;
}

/**
 * `pulumi stack init`, then the plain keys written into the stack file next to the salt it made, then each secret
 * by `pulumi config set --secret --path` with the value on stdin.
 */
export async function initStack(
    cli: PulumiCli,
    stack: string,
    plain: Record<string, unknown>,
    secrets: Record<string, string>,
): Promise<void> {
    await cli.ok(["stack", "init", stack, "--secrets-provider", "passphrase"]);
    await writePlain(cli.projectDir, stack, plain);
    for (const [key, value] of Object.entries(secrets)) {
        await cli.ok(["config", "set", "--secret", "--path", `aihub-airgap:${key}`, "--stack", stack], value);
    }
}

/** Replaces the plain (non-secret) keys of the stack file, keeping the salt and every `secure:` value. */
export async function writePlain(projectDir: string, stack: string, plain: Record<string, unknown>): Promise<void> {
    const file = path.join(projectDir, `Pulumi.${stack}.yaml`);
    const doc = fs.existsSync(file) ? (YAML.parse(fs.readFileSync(file, "utf8")) ?? {}) : {};
    const config = (doc.config ?? {}) as Record<string, unknown>;
    for (const [key, value] of Object.entries(plain)) {
        config[`aihub-airgap:${key}`] = merge(config[`aihub-airgap:${key}`], value);
    }
    doc.config = config;
    fs.writeFileSync(file, YAML.stringify(doc));
}

/** Deep merge where `b` wins, except that a `secure:` leaf of `a` is kept when `b` has no value there. */
function merge(a: unknown, b: unknown): unknown {
    if (!isObject(a) || !isObject(b)) return b;
    const out: Record<string, unknown> = { ...a };
    for (const [k, v] of Object.entries(b)) out[k] = merge(a[k], v);
    return out;
}

function isObject(v: unknown): v is Record<string, unknown> {
    return !!v && typeof v === "object" && !Array.isArray(v) && !("secure" in v);
}
