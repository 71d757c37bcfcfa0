/**
 * A project directory holding one of the repository's stacks as an admin would have it — its `Pulumi.<stack>.yaml`
 * (secure values stay encrypted placeholders) and the `values/` folder it names — with some keys replaced. Commands
 * that read the stack (plan, status, preflight, backup) validate it in full, as on a real project.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import YAML from "yaml";

const ROOT = path.resolve(__dirname, "..", "..");

/** A config key path below the namespace, e.g. `["ceph", "nodes"]`, and its new value. */
export type StackEdit = [path: (string | number)[], value: unknown];

/** Writes `Pulumi.<stack>.yaml` (with `edits` applied) and `values/` into `dir`; returns `dir`. */
export function stackProject(dir: string, stack: string, edits: StackEdit[] = []): string {
    fs.mkdirSync(dir, { recursive: true });
    fs.cpSync(path.join(ROOT, "values"), path.join(dir, "values"), { recursive: true });
    const doc = YAML.parseDocument(fs.readFileSync(path.join(ROOT, `Pulumi.${stack}.yaml`), "utf8"));
    for (const [[section, ...rest], value] of edits) doc.setIn(["config", `aihub-airgap:${section}`, ...rest], value);
    fs.writeFileSync(path.join(dir, `Pulumi.${stack}.yaml`), doc.toString());
    return dir;
}
