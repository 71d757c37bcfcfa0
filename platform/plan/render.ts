/**
 * `plan` renders the AI Hub release with helm, as the provider will, when the chart file is there and a helm binary
 * is found (`HELM`, else `helm` on PATH): the rendered objects and the chart's own defaults feed the render policies.
 * Values go to helm on stdin, never into a file or onto the command line.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { parse as parseYaml, parseAllDocuments, stringify } from "yaml";
import { isMapping } from "../../lib/merge";
import type { Checked } from "./policy";

/** The objects the release's post-renderer made of the render, or why it refused. */
export type PostRendered = { objects: Record<string, unknown>[] } | { failed: string };

/** The rendered release, or why there is none. */
export type ReleaseRender =
    | { objects: Record<string, unknown>[]; defaults: Record<string, unknown>; postRendered?: PostRendered }
    | { skipped: string }
    | { failed: string };

/** Runs helm; throws `ENOENT` style errors for the caller to turn into a skip. */
function run(helm: string, args: string[], input?: string): { ok: boolean; out: string; err: string } {
    const r = spawnSync(helm, args, { input, encoding: "utf8", maxBuffer: 64 << 20 });
    if (r.error) throw r.error;
    return { ok: r.status === 0, out: r.stdout, err: r.stderr.trim() };
}

/** The objects of a multi-document manifest. */
function parseObjects(manifest: string): Record<string, unknown>[] {
    return parseAllDocuments(manifest)
        .map((d) => d.toJS() as unknown)
        .filter((o): o is Record<string, unknown> => isMapping(o));
}

/** Runs the release's post-renderer (`inputs.postrender`, relative to the project) on the render, as Helm would. */
function postRendered(release: Checked, projectDir: string, manifest: string): PostRendered | undefined {
    if (typeof release.inputs.postrender !== "string") return undefined;
    const script = path.resolve(projectDir, release.inputs.postrender);
    const r = spawnSync(script, [], { input: manifest, encoding: "utf8", maxBuffer: 64 << 20 });
    if (r.error) return { failed: `post-renderer ${release.inputs.postrender}: ${r.error.message}` };
    if (r.status !== 0) return { failed: r.stderr.trim() };
    return { objects: parseObjects(r.stdout) };
}

/** Renders a recorded Helm release (`inputs.chart` relative to the project directory). */
export function renderRelease(release: Checked, projectDir: string, helm = process.env.HELM ?? "helm"): ReleaseRender {
    const unknown = (release.unknownInputs ?? []).filter((p) => /^(chart|values)([.[]|$)/.test(p));
    if (unknown.length > 0) return { skipped: `${unknown[0]} is not known before pulumi up` };
    const chart = path.resolve(projectDir, String(release.inputs.chart));
    if (!fs.existsSync(chart)) return { skipped: `chart ${String(release.inputs.chart)} is not present yet` };
    const values = isMapping(release.inputs.values) ? release.inputs.values : {};
    try {
        const show = run(helm, ["show", "values", chart]);
        if (!show.ok) return { failed: `helm show values ${chart}: ${show.err}` };
        const name = String(release.inputs.name ?? release.name);
        const ns = String(release.inputs.namespace ?? "default");
        const tpl = run(helm, ["template", name, chart, "--namespace", ns, "-f", "-"], stringify(values));
        if (!tpl.ok) return { failed: `helm template ${chart}: ${tpl.err}` };
        const defaults = parseYaml(show.out) as unknown;
        return {
            objects: parseObjects(tpl.out),
            defaults: isMapping(defaults) ? defaults : {},
            postRendered: postRendered(release, projectDir, tpl.out),
        };
    } catch (e) {
        if ((e as { code?: string }).code === "ENOENT") return { skipped: `no helm binary (install helm or set HELM)` };
        throw e;
    }
}
