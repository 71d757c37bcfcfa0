/**
 * What an add-on gives the add-on engine test (test/engine/addons.engine.ts), from `addons/<name>/engine-fixture.ts`
 * (export `fixture`): its charts (the real vendor charts of ../shared/charts), the section that turns it on, its
 * secrets and its checks after `pulumi up`.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { helm } from "../helpers/helm";
import { vendorChart } from "../helpers/vendor-charts";
import { EngineScenario } from "./scenario";

/** What the stage hands an add-on's section builder. */
export interface AddOnStage {
    /** Packaged charts of this add-on, by the names `packageCharts` returned. */
    charts: Record<string, string>;
    /** The AI Hub domain and the site CA (PEM) of the engine stack. */
    domain: string;
    siteCa: string;
    /** Node names of the simulated cluster. */
    nodes: string[];
}

/** An add-on's part of the add-on engine test. */
export interface AddOnEngineFixture {
    /** The add-on's packaged charts (vendor charts, or fixtures packaged into `dir`); the .tgz paths by name. */
    packageCharts(dir: string): Record<string, string>;
    /** The `addons.<name>` section for the engine stack. */
    section(stage: AddOnStage): Record<string, unknown>;
    /**
     * Changes to the core sections of the engine stack the add-on needs (e.g. no `ingress.tlsCert`, so that the
     * certManager add-on issues AI Hub's certificate). Runs after every section is in. @default none
     */
    adjustCore?(plain: Record<string, Record<string, unknown>>, stage: AddOnStage): void;
    /** Secret values by path inside the section (set with `pulumi config set --secret --path`). @default none */
    secrets?: Record<string, string>;
    /** Helm releases (`namespace/name`) the add-on installs. */
    releases: string[];
    /** Checks after `pulumi up` (objects, statuses, outputs); throws with what is wrong. @default none */
    check?(s: EngineScenario): Promise<void>;
}

/**
 * Packages a fixture chart directory into `dir` with extra CRD files in its `crds/` (e.g. the real CRDs from
 * ../shared/ref, which the vendor chart installs and the fixture does not carry); returns the .tgz path.
 */
export function packageFixture(chartDir: string, dir: string, crdFiles: string[] = []): string {
    const src = path.join(dir, "src", path.basename(chartDir));
    fs.mkdirSync(path.dirname(src), { recursive: true });
    fs.cpSync(chartDir, src, { recursive: true });
    if (crdFiles.length > 0) {
        fs.mkdirSync(path.join(src, "crds"), { recursive: true });
        for (const f of crdFiles) fs.copyFileSync(f, path.join(src, "crds", path.basename(f)));
    }
    const line = helm(["package", src, "--destination", dir]).trim();
    return line.slice(line.lastIndexOf(" ") + 1);
}

/** The real vendor chart `file` of ../shared/charts (e.g. `kepler-0.11.4.tgz`); throws when it is missing. */
export { vendorChart };

/** The repository's ../shared/ref directory (real CRD schemas). */
export const SHARED_REF = path.resolve(__dirname, "..", "..", "..", "shared", "ref");

/** The engine fixture of add-on `name` (addons/<name in kebab case>/engine-fixture.ts, e.g. addons/cert-manager). */
export function addOnFixture(name: string): AddOnEngineFixture {
    const folder = name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
    return (
        require(path.resolve(__dirname, "..", "..", "addons", folder, "engine-fixture")) as {
            fixture: AddOnEngineFixture;
        }
    ).fixture;
}

/**
 * The route an `ExposedService` made for `name` in `ns`: its HTTPRoute on the shared Gateway when one exists, else its
 * Ingress (with the TLS Secret it names, which must exist). Returns host, path and back-end Service.
 */
export async function exposedRoute(
    s: EngineScenario,
    ns: string,
    name: string,
): Promise<{ via: "gateway" | "ingress"; host: string; path: string; service: string }> {
    const route = await s.view.get("gateway.networking.k8s.io/v1", "HTTPRoute", name, ns);
    if (route) {
        const spec = route.spec as {
            hostnames: string[];
            rules: { matches: { path: { value: string } }[]; backendRefs: { name: string }[] }[];
        };
        const r = spec.rules[0];
        return {
            via: "gateway",
            host: spec.hostnames[0],
            path: r.matches[0].path.value,
            service: r.backendRefs[0].name,
        };
    }
    const ingress = await s.view.get("networking.k8s.io/v1", "Ingress", name, ns);
    if (!ingress) throw new Error(`neither an HTTPRoute nor an Ingress ${ns}/${name}`);
    const spec = ingress.spec as {
        tls?: { secretName: string }[];
        rules: { host: string; http: { paths: { path: string; backend: { service: { name: string } } }[] } }[];
    };
    for (const t of spec.tls ?? []) {
        if (!(await s.view.get("v1", "Secret", t.secretName, ns)))
            throw new Error(`Secret ${ns}/${t.secretName} is missing`);
    }
    const p = spec.rules[0].http.paths[0];
    return { via: "ingress", host: spec.rules[0].host, path: p.path, service: p.backend.service.name };
}

/**
 * The engine scenario of the add-on test: the lab stack with every add-on of `names` on, their charts packaged and
 * their secrets set (`bench/up-profile.ts addons` starts the same one).
 */
export async function startAddOnScenario(
    names: readonly string[],
): Promise<{ s: EngineScenario; fixtures: [string, AddOnEngineFixture][] }> {
    const fixtures = names.map((n): [string, AddOnEngineFixture] => [n, addOnFixture(n)]);
    const s = await EngineScenario.start({
        base: "lab",
        adjust: (plain, stage) => {
            const stages = fixtures.map(([n, f]) => ({
                ...stage,
                charts: f.packageCharts(path.join(stage.work, "addon-charts", n)),
            }));
            plain.addons = Object.fromEntries(fixtures.map(([n, f], i) => [n, f.section(stages[i])]));
            fixtures.forEach(([, f], i) => f.adjustCore?.(plain, stages[i]));
        },
        secrets: Object.fromEntries(
            fixtures.flatMap(([n, f]) => Object.entries(f.secrets ?? {}).map(([k, v]) => [`addons.${n}.${k}`, v])),
        ),
    });
    return { s, fixtures };
}
