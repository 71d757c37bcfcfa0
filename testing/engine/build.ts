/**
 * Builds the engine's binaries from Go modules into the cache (testing/engine/paths.ts), only those missing, printing each
 * one's time. A binary is written under a temporary name and renamed, so an interrupted build leaves nothing half-made.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { go } from "./go";
import { absentBinaries, engineBinDir, engineDir } from "./paths";
import { installKubernetesPlugin } from "./plugin";
import { KUBERNETES_PROVIDER, PULUMI_VERSION, RECIPES, type Recipe } from "./recipes";

const MODULES = path.join(__dirname, "modules");

/** One line of the summary. */
export interface Built {
    name: string;
    seconds: number;
    cached: boolean;
}

/** Fails unless package.json pins the npm packages at the versions the binaries are built from. */
export function checkPins(pkg: { dependencies?: Record<string, string> }): void {
    const want: Record<string, string> = {
        "@pulumi/pulumi": PULUMI_VERSION,
        "@pulumi/kubernetes": KUBERNETES_PROVIDER.release,
    };
    const wrong = Object.entries(want).filter(([n, v]) => pkg.dependencies?.[n] !== v);
    if (wrong.length > 0) {
        const list = wrong.map(([n, v]) => `${n} is ${pkg.dependencies?.[n] ?? "missing"}, the engine builds ${v}`);
        throw new Error(`package.json and testing/engine/recipes.ts disagree: ${list.join("; ")} (move both together)`);
    }
}

/** Copies a wrapper module into the work area, where generated files may be added. */
function workCopy(recipe: Recipe): string {
    const dir = path.join(engineDir(), "work", recipe.module);
    fs.mkdirSync(dir, { recursive: true });
    for (const f of fs.readdirSync(path.join(MODULES, recipe.module))) {
        fs.copyFileSync(path.join(MODULES, recipe.module, f), path.join(dir, f));
    }
    return dir;
}

/** The kubernetes provider embeds its schema with the release version set, and its terraform mapping. */
async function generateKubernetesSchema(dir: string): Promise<void> {
    const mod = JSON.parse(await go(["list", "-m", "-json", "github.com/pulumi/pulumi-kubernetes/provider/v4"], dir));
    const src = path.join(mod.Dir, "cmd", "pulumi-resource-kubernetes");
    const schema = JSON.parse(fs.readFileSync(path.join(src, "schema.json"), "utf8"));
    schema.version = KUBERNETES_PROVIDER.release;
    fs.writeFileSync(path.join(dir, "schema-embed.json"), JSON.stringify(schema));
    const mapping = JSON.parse(fs.readFileSync(path.join(src, "terraform-mapping.json"), "utf8"));
    fs.writeFileSync(path.join(dir, "terraform-mapping-embed.json"), JSON.stringify(mapping));
}

/** `go build` arguments for one recipe, writing to `out`. */
function buildArgs(recipe: Recipe, out: string): string[] {
    const ldflags = ["-s", "-w", ...recipe.stamps.map((s) => `-X ${s}`)].join(" ");
    const tags = recipe.tags?.length ? ["-tags", recipe.tags.join(",")] : [];
    return ["build", "-trimpath", ...tags, "-ldflags", ldflags, "-o", out, recipe.pkg];
}

/** Builds what is missing; `log` receives progress lines. */
export async function buildEngine(log: (line: string) => void): Promise<Built[]> {
    const bin = engineBinDir();
    fs.mkdirSync(bin, { recursive: true });
    const absent = absentBinaries(
        RECIPES.map((r) => r.name),
        bin,
    );
    const todo = RECIPES.filter((r) => absent.includes(r.name));
    log(`engine: ${engineDir()}`);
    log(`engine: ${RECIPES.length - todo.length} of ${RECIPES.length} binaries cached, ${todo.length} to build`);

    const dirs = new Map<string, string>();
    for (const r of todo) dirs.set(r.module, dirs.get(r.module) ?? workCopy(r));
    if (dirs.size > 0) {
        const t0 = Date.now();
        log(`engine: downloading modules for ${[...dirs.keys()].join(", ")}`);
        await Promise.all([...dirs.values()].map((d) => go(["mod", "download"], d)));
        log(`engine: modules ready in ${seconds(t0)}s`);
    }

    const done: Built[] = RECIPES.filter((r) => !todo.includes(r)).map((r) => ({
        name: r.name,
        seconds: 0,
        cached: true,
    }));
    for (const [i, r] of todo.entries()) {
        const t0 = Date.now();
        log(`engine: [${i + 1}/${todo.length}] building ${r.name} (${Object.values(r.versions).join(", ")})`);
        const dir = dirs.get(r.module)!;
        if (r.generate === "kubernetes-provider-schema") await generateKubernetesSchema(dir);
        const tmp = path.join(bin, `.${r.name}.partial`);
        await go(buildArgs(r, tmp), dir);
        fs.renameSync(tmp, path.join(bin, r.name));
        done.push({ name: r.name, seconds: seconds(t0), cached: false });
        log(`engine: [${i + 1}/${todo.length}] ${r.name} built in ${seconds(t0)}s`);
    }
    writeDynamicProviderHost(bin);
    await installKubernetesPlugin(log);
    return done;
}

/**
 * The plugin that serves dynamic resources (components/dynamic/), next to `pulumi` where release archives put it: it
 * starts the dynamic-provider host of the project's own @pulumi/pulumi, resolved from the working directory.
 */
export const DYNAMIC_PROVIDER_HOST = "pulumi-resource-pulumi-nodejs";

function writeDynamicProviderHost(bin: string): void {
    const script = [
        "#!/bin/sh",
        "# Serves Pulumi dynamic resources with the @pulumi/pulumi of the project in the working directory.",
        `host=$(node -p 'require.resolve("@pulumi/pulumi/cmd/dynamic-provider")') || exit 1`,
        'exec node "$host" "$@"',
        "",
    ].join("\n");
    fs.writeFileSync(path.join(bin, DYNAMIC_PROVIDER_HOST), script, { mode: 0o755 });
}

function seconds(t0: number): number {
    return Math.round((Date.now() - t0) / 100) / 10;
}
