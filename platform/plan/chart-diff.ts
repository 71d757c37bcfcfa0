/**
 * `plan --diff-chart <new chart>`: what an AI Hub chart upgrade changes in the rendered objects (images, PVCs,
 * Jobs, ConfigMap keys, values keys), rendered with real helm and the values the program computes for each
 * version, and which changes need a manual step (Postgres major move, changed Job templates, removed values keys
 * the stack still sets). Credentials are placeholders: only key names and non-secret fields are compared.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as YAML from "yaml";
import { CREDENTIALS } from "../../catalog/aihub-credentials";
import { aihubLayout } from "../../catalog/aihub-layout";
import { isMapping } from "../../lib/merge";
import { releaseValues } from "../../modules/aihub/values";
import type { PlatformConfig } from "../contracts";

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- rendered YAML

/** Added and removed members of a set. */
export interface SetDiff {
    added: string[];
    removed: string[];
}

/** The upgrade's changes and the manual steps it needs. */
export interface ChartDiff {
    from: string;
    to: string;
    images: SetDiff;
    pvcs: SetDiff & { changed: string[] };
    jobs: { changed: string[] };
    configKeys: SetDiff & { changed: string[] };
    removedValuesKeys: string[];
    manualSteps: string[];
}

const setDiff = (a: Iterable<string>, b: Iterable<string>): SetDiff => {
    const A = new Set(a);
    const B = new Set(b);
    return { added: [...B].filter((x) => !A.has(x)).sort(), removed: [...A].filter((x) => !B.has(x)).sort() };
};

function podSpecs(objs: Obj[]): Obj[] {
    return objs.filter((o) => o.spec?.template?.spec).map((o) => o.spec.template.spec);
}

function images(objs: Obj[]): string[] {
    return podSpecs(objs).flatMap((s) => [...(s.initContainers ?? []), ...(s.containers ?? [])].map((c) => c.image));
}

/** Every claim the release makes: PVC objects and StatefulSet claim templates, as name → "class size modes". */
function claims(objs: Obj[]): Map<string, string> {
    const out = new Map<string, string>();
    const add = (name: string, spec: Obj) =>
        out.set(
            name,
            `${spec.storageClassName ?? "-"} ${spec.resources?.requests?.storage ?? "-"} ${(spec.accessModes ?? []).join(",")}`,
        );
    for (const o of objs) {
        if (o.kind === "PersistentVolumeClaim") add(o.metadata.name, o.spec);
        if (o.kind === "StatefulSet") {
            for (const t of o.spec.volumeClaimTemplates ?? []) add(`${t.metadata.name}-${o.metadata.name}-<n>`, t.spec);
        }
    }
    return out;
}

/**
 * What becomes of a claim of the old release that the new one no longer makes: a StatefulSet's claims are never
 * deleted by Helm (the StatefulSet controller keeps them: `persistentVolumeClaimRetentionPolicy` defaults to Retain),
 * a PVC object stays only with `helm.sh/resource-policy: keep` (chart 10.3.x sets none), else the upgrade deletes it.
 */
function claimFate(objs: Obj[], claim: string): string {
    const pvc = objs.find((o) => o.kind === "PersistentVolumeClaim" && o.metadata.name === claim);
    if (!pvc) return "the StatefulSet controller keeps the claims it made";
    return pvc.metadata.annotations?.["helm.sh/resource-policy"] === "keep"
        ? "helm.sh/resource-policy: keep"
        : "deleted";
}

function configKeys(objs: Obj[]): Map<string, string> {
    const out = new Map<string, string>();
    for (const o of objs.filter((x) => x.kind === "ConfigMap")) {
        for (const [k, v] of Object.entries((o.data ?? {}) as Record<string, string>))
            out.set(`${o.metadata.name}.${k}`, v);
    }
    return out;
}

/** Dotted paths of every leaf in a values tree (lists are leaves). */
export function valuesKeys(v: unknown, at = ""): string[] {
    if (!isMapping(v)) return at ? [at] : [];
    return Object.entries(v).flatMap(([k, x]) => valuesKeys(x, at ? `${at}.${k}` : k));
}

const postgresMajors = (objs: Obj[]) =>
    [...new Set(images(objs).flatMap((i) => /\/postgres-(\d+):/.exec(i)?.[1] ?? []))].sort();

/** The diff of two renderings; `userKeys` are the values paths the stack sets itself (vendor file, inline). */
export function diffRendered(
    from: { version: string; objects: Obj[]; defaults: unknown },
    to: { version: string; objects: Obj[]; defaults: unknown },
    userKeys: readonly string[],
): ChartDiff {
    const oldClaims = claims(from.objects);
    const newClaims = claims(to.objects);
    const oldJobs = new Map(from.objects.filter((o) => o.kind === "Job").map((o) => [o.metadata.name as string, o]));
    const changedJobs = to.objects
        .filter((o) => o.kind === "Job" && oldJobs.has(o.metadata.name))
        .filter((o) => JSON.stringify(o.spec.template) !== JSON.stringify(oldJobs.get(o.metadata.name)!.spec.template))
        .map((o) => o.metadata.name);
    const oldCfg = configKeys(from.objects);
    const newCfg = configKeys(to.objects);
    const newDefaults = new Set(valuesKeys(to.defaults));
    const removedValuesKeys = valuesKeys(from.defaults).filter((k) => !newDefaults.has(k));
    const manualSteps: string[] = [];
    const [pgOld, pgNew] = [postgresMajors(from.objects), postgresMajors(to.objects)];
    if (pgOld.join() !== pgNew.join()) {
        manualSteps.push(
            `PostgreSQL moves from ${pgOld.join(", ")} to ${pgNew.join(", ")}: a data directory does not start on a new major. ` +
                `Before the upgrade take a backup (npm run backup), scale AI Hub down, then after the upgrade restore the dumps ` +
                `into the new, empty databases (npm run restore -- --from <backup>), as in docs/aihub.md, "Upgrades"`,
        );
    }
    for (const j of changedJobs) {
        manualSteps.push(
            `Job ${j} changes its pod template, which Kubernetes does not allow in place: the program's post-renderer ` +
                `names it after a hash of its spec so Helm replaces it; without that, delete job/${j} before pulumi up`,
        );
    }
    for (const c of setDiff(oldClaims.keys(), newClaims.keys()).removed) {
        const fate = claimFate(from.objects, c);
        manualSteps.push(
            fate === "deleted"
                ? `claim ${c} is no longer made by chart ${to.version} and has no helm.sh/resource-policy: keep, so the ` +
                      `upgrade deletes it with its data; take a backup (npm run backup) first and restore what it holds ` +
                      `into its successor after the upgrade`
                : `claim ${c} is no longer made by chart ${to.version}: its data stays (${fate}) but nothing mounts it; ` +
                      `copy what it holds to its successor after the upgrade, then delete it`,
        );
    }
    const userSet = userKeys.filter((k) => removedValuesKeys.some((r) => k === r || k.startsWith(`${r}.`)));
    for (const k of userSet) {
        manualSteps.push(
            `values key ${k} is gone from chart ${to.version}: the stack still sets it (aihub.valuesFile or aihub.values); move it to the new key or drop it`,
        );
    }
    return {
        from: from.version,
        to: to.version,
        images: setDiff(images(from.objects), images(to.objects)),
        pvcs: {
            ...setDiff(oldClaims.keys(), newClaims.keys()),
            changed: [...newClaims]
                .filter(([n, d]) => oldClaims.has(n) && oldClaims.get(n) !== d)
                .map(([n, d]) => `${n}: ${oldClaims.get(n)} -> ${d}`),
        },
        jobs: { changed: changedJobs },
        configKeys: {
            ...setDiff(oldCfg.keys(), newCfg.keys()),
            changed: [...newCfg].filter(([k, v]) => oldCfg.has(k) && oldCfg.get(k) !== v).map(([k]) => k),
        },
        removedValuesKeys,
        manualSteps,
    };
}

/** The chart version from its Chart.yaml (`helm show chart`). */
export function chartVersion(helm: string, chart: string): string {
    const meta = YAML.parse(execFileSync(helm, ["show", "chart", chart], { encoding: "utf8" })) as { version?: string };
    if (!meta?.version) throw new Error(`${chart}: Chart.yaml has no version`);
    return meta.version;
}

/** Renders a chart (without the post-renderer: the chart's own Job names) with the values the program computes. */
export function renderForStack(helm: string, cfg: PlatformConfig, chart: string, version: string): Obj[] {
    const credentials = Object.fromEntries(CREDENTIALS.map((c) => [c.name, "[secret]"]));
    const values = releaseValues(
        {
            layout: aihubLayout(version),
            domain: cfg.aihub.domain,
            namespace: cfg.aihub.namespace,
            registry: cfg.registry.server,
            pullSecretName: cfg.registry.pullSecretName,
            rwxStorageClass: cfg.ceph.storageClass,
            rwoStorageClass: cfg.ceph.blockStorageClass ?? cfg.ceph.storageClass,
            mode: cfg.ingress.mode,
            credentials,
        },
        cfg.aihub.vendorValues,
        cfg.aihub.values,
    );
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "aihub-diff-"));
    try {
        const file = path.join(dir, "values.yaml");
        fs.writeFileSync(file, YAML.stringify(values), { mode: 0o600 });
        const raw = execFileSync(
            helm,
            ["template", cfg.aihub.releaseName, chart, "--namespace", cfg.aihub.namespace, "-f", file],
            {
                encoding: "utf8",
                maxBuffer: 64 << 20,
            },
        );
        return YAML.parseAllDocuments(raw, { uniqueKeys: false })
            .map((d) => d.toJSON() as Obj)
            .filter((o) => o);
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

/** The diff from the stack's chart (`aihub.chart`) to `newChart`. */
export function chartDiffForStack(helm: string, cfg: PlatformConfig, newChart: string, baseDir: string): ChartDiff {
    const oldChart = path.resolve(baseDir, cfg.aihub.chart);
    if (!fs.existsSync(oldChart)) {
        throw new Error(
            `aihub-airgap:aihub.chart: ${cfg.aihub.chart} does not exist (the diff needs the current chart: put it there)`,
        );
    }
    if (!fs.existsSync(newChart)) throw new Error(`--diff-chart ${newChart}: no such chart file or directory`);
    const side = (chart: string) => {
        const version = chartVersion(helm, chart);
        const defaults = YAML.parse(execFileSync(helm, ["show", "values", chart], { encoding: "utf8" }));
        return { version, defaults, objects: renderForStack(helm, cfg, chart, version) };
    };
    const userKeys = [...valuesKeys(cfg.aihub.vendorValues), ...valuesKeys(cfg.aihub.values)];
    return diffRendered(side(oldChart), side(newChart), userKeys);
}

/** The diff as text. */
export function renderChartDiff(d: ChartDiff): string {
    const lines = [`AI Hub chart ${d.from} -> ${d.to}`];
    const set = (title: string, s: SetDiff & { changed?: string[] }) => {
        lines.push(`${title}:`);
        for (const x of s.added) lines.push(`  + ${x}`);
        for (const x of s.removed) lines.push(`  - ${x}`);
        for (const x of s.changed ?? []) lines.push(`  ~ ${x}`);
        if (!s.added.length && !s.removed.length && !(s.changed ?? []).length) lines.push("  (none)");
    };
    set("images", d.images);
    set("PVCs", d.pvcs);
    set("Jobs with a changed template", { added: [], removed: [], changed: d.jobs.changed });
    set("config keys (ConfigMap.key; values not shown)", d.configKeys);
    set("values keys removed from the chart", { added: [], removed: d.removedValuesKeys });
    lines.push("manual steps:");
    lines.push(...(d.manualSteps.length ? d.manualSteps.map((s) => `  ! ${s}`) : ["  (none)"]));
    return lines.join("\n");
}
