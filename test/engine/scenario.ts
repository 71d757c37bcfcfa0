/**
 * One engine scenario: a simulated cluster, a private registry with a bundle to push, a throw-away project with a
 * stack made from one of the repository's stack files, and the questions the engine tests ask of all of it.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { GENERATED_SECRET_TYPE } from "../../k8s/generated-secret";
import { SELF_SIGNED_CERTIFICATE_TYPE } from "../../k8s/self-signed-certificate";
import { runPlan } from "../../platform/plan/run";
import { startSim, type SimHandle } from "../../testing/sim/cluster";
import type { DeclaredDisks } from "../../testing/sim/disks";
import type { TestRegistry } from "../helpers/registry";
import { ClusterView } from "./cluster";
import { engineKubeconfigs } from "./kubeconfigs";
import { initStack, makeProject, repoStackConfig, writePlain } from "./project";
import { PulumiCli, succeeded, type RunResult } from "./pulumi";
import { ArgvSampler } from "./argv";
import { bundleStackImages, siteCertificate, stackPodImages, stageCharts, startRegistries } from "./stage";

const USER = "engine";

/** A Kubernetes object the plan says the program creates. */
export interface PlannedObject {
    type: string;
    apiVersion: string;
    kind: string;
    name: string;
    namespace?: string;
}

/** Options of {@link EngineScenario.start}. */
export interface ScenarioOptions {
    /** The repository stack file the config starts from (`Pulumi.<base>.yaml`). */
    base: "lab" | "airgap";
    /** Changes to the plain config after the test wiring (registry, bundle, charts, certificate) is in. */
    adjust?: (plain: Record<string, Record<string, unknown>>, stage: ScenarioStage) => void;
    /** More secrets by config path (`addons.x.key`), set with `pulumi config set --secret`. @default none */
    secrets?: Record<string, string>;
    /** The real AI Hub chart version to install. @default the stack file's `aihub.version` */
    aihubVersion?: string;
    /** The real rook-ceph chart version to install. @default the stack file's `rook.version` */
    rookVersion?: string;
}

/** What `adjust` learns of the stage. */
export interface ScenarioStage {
    /** The scenario's work directory (removed by `stop()`). */
    work: string;
    /** The AI Hub domain and the site CA that issued its certificate. */
    domain: string;
    siteCa: string;
    /** Node names of the simulated cluster. */
    nodes: string[];
}

/** Everything one engine test file works with; `stop()` ends every process and removes the work directory. */
export class EngineScenario {
    readonly stack: string;
    plain: Record<string, Record<string, unknown>> = {};
    readonly secrets: Record<string, string> = {};
    private constructor(
        readonly work: string,
        readonly sim: SimHandle,
        readonly registry: TestRegistry,
        private readonly upstream: TestRegistry,
        readonly cli: PulumiCli,
        readonly view: ClusterView,
        readonly argv: ArgvSampler,
        base: string,
    ) {
        this.stack = base;
    }

    /** Starts the cluster and the registries, builds the bundle and makes the stack. */
    static async start(opts: ScenarioOptions): Promise<EngineScenario> {
        const work = fs.mkdtempSync(path.join(os.tmpdir(), `engine-${opts.base}-`));
        const plain = repoStackConfig(opts.base) as Record<string, Record<string, unknown>>;
        const aihubVersion = opts.aihubVersion ?? String(plain.aihub.version);
        const rookVersion = opts.rookVersion ?? String(plain.rook.version);
        const charts = stageCharts(path.join(work, "charts"), aihubVersion, rookVersion);
        const site = siteCertificate(path.join(work, "site"), String(plain.aihub.domain));
        const password = `Reg-${Math.random().toString(36).slice(2)}-pw`;
        const staged = await startRegistries(work, USER, password);
        const bundleDir = path.join(work, "bundle");
        const hostnames = (plain.ceph.nodes as { hostname: string }[]).map((n) => n.hostname);
        // Every declared disk as a real blank device recorded for the disk check (testing/sim/disks.ts).
        const disks = plain.ceph.nodes as DeclaredDisks[];
        // A sim that fails to start must not leave the registries running (they would keep the test process alive).
        const sim = await startSim({ hostnames, disks, dir: path.join(work, "sim"), killOnExit: true }).catch(
            async (e: unknown) => {
                await Promise.all([staged.registry.stop(), staged.upstream.stop()]);
                throw e;
            },
        );
        const kube = engineKubeconfigs(
            sim.kubeconfig,
            path.join(work, "stack-kubeconfig.yaml"),
            path.join(work, "env-kubeconfig.yaml"),
        );
        // The "system" temporary folder of every Pulumi run: the launcher makes the run's own folder elsewhere, so
        // anything found here leaked past it (and is removed with the work directory either way).
        const tmp = path.join(work, "tmp");
        fs.mkdirSync(tmp, { mode: 0o700 });
        const pass = `pass-${Math.random().toString(36).slice(2)}`;
        const cli = new PulumiCli(makeProject(work), pass, kube.envKubeconfig, tmp);
        const s = new EngineScenario(
            work,
            sim,
            staged.registry,
            staged.upstream,
            cli,
            new ClusterView(sim.client),
            new ArgvSampler(),
            opts.base,
        );
        try {
            plain.registry = { server: staged.registry.host, username: USER, caCert: staged.registry.caCert };
            plain.bundle = { path: bundleDir, platforms: ["linux/amd64"] };
            const { csiDriversChart: _unused, ...rook } = plain.rook; // eslint-disable-line @typescript-eslint/no-unused-vars
            plain.rook = {
                ...rook,
                version: rookVersion,
                chart: charts.rook,
                ...(charts.csi ? { csiDriversChart: charts.csi } : {}),
            };
            plain.aihub = { ...plain.aihub, version: aihubVersion, chart: charts.aihub };
            plain.ingress = { ...plain.ingress, tlsCert: site.cert, caCert: site.ca };
            // The cluster comes from the stack config; the environment's KUBECONFIG names only a decoy.
            plain.kubernetes = kube.kubernetes;
            opts.adjust?.(plain, { work, domain: String(plain.aihub.domain), siteCa: site.ca, nodes: hostnames });
            s.plain = plain;
            s.secrets["registry.password"] = password;
            // An add-on may drop the site certificate (the certManager add-on then issues one); its key goes with it.
            if (plain.ingress.tlsCert) s.secrets["ingress.tlsKey"] = site.key;
            Object.assign(s.secrets, opts.secrets ?? {});
            await initStack(cli, s.stack, plain, s.secrets);
            // The bundle holds an image under every name the stack's pods use (made once the stack exists to plan).
            const images = await stackPodImages(cli.projectDir, s.stack, staged.registry.host);
            await bundleStackImages(
                bundleDir,
                s.stack,
                images,
                staged.upstream,
                staged.registry,
                Object.values(charts).filter((c): c is string => c !== undefined),
            );
        } catch (e) {
            // Nothing of a half-made scenario may outlive the test (the sim, the registries).
            await s.stop();
            throw e;
        }
        return s;
    }

    /** Runs `pulumi <command> --stack <stack> …`, sampling every process's arguments meanwhile. */
    async pulumi(args: string[]): Promise<RunResult> {
        this.argv.start();
        try {
            return await this.cli.run([...args, "--stack", this.stack]);
        } finally {
            this.argv.stop();
        }
    }

    /** Like {@link pulumi}, failing with the engine's own output on a non-zero exit. */
    async pulumiOk(args: string[]): Promise<RunResult> {
        return succeeded(args, await this.pulumi(args));
    }

    /** Changes plain config keys in the stack file (a top-level section is merged, secrets kept). */
    async setPlain(patch: Record<string, unknown>): Promise<void> {
        await writePlain(this.cli.projectDir, this.stack, patch);
    }

    /** The Kubernetes objects the plan (the program under the mock runtime) registers for this stack, releases aside. */
    async plannedObjects(): Promise<PlannedObject[]> {
        const plan = await runPlan({ projectDir: this.cli.projectDir, stack: this.stack });
        if (plan.errors.length > 0)
            throw new Error(`plan failed:\n${plan.errors.map((e) => e.path + ": " + e.text).join("\n")}`);
        return plan.resources
            .filter((x) => x.type.startsWith("kubernetes:") && x.type !== "kubernetes:helm.sh/v3:Release")
            .map((x) => {
                const [, gv, type] = x.type.split(":");
                // A patch resource (the AI Hub scale steps) is there when the object it patches is.
                const kind = type.replace(/Patch$/, "");
                const apiVersion = gv.startsWith("core/") ? gv.slice(5) : gv;
                const meta = (x.inputs.metadata ?? {}) as { name?: string; namespace?: string };
                return {
                    type: x.type,
                    apiVersion,
                    kind,
                    name: meta.name ?? "",
                    ...(meta.namespace ? { namespace: meta.namespace } : {}),
                };
            });
    }

    /** Planned objects the API server does not have, as `kind namespace/name`. */
    async missing(objects: PlannedObject[]): Promise<string[]> {
        return (await this.presence(objects)).filter((o) => !o.present).map((o) => o.what);
    }

    /** Planned objects the API server still has. */
    async remaining(objects: PlannedObject[]): Promise<string[]> {
        return (await this.presence(objects)).filter((o) => o.present).map((o) => o.what);
    }

    private async presence(objects: PlannedObject[]): Promise<{ what: string; present: boolean }[]> {
        this.view.refresh();
        const out: { what: string; present: boolean }[] = [];
        for (const o of objects) {
            const present = (await this.view.get(o.apiVersion, o.kind, o.name, o.namespace)) !== undefined;
            out.push({ what: describe(o), present });
        }
        return out;
    }

    /** Every container image of every Pod, with the pod's name. */
    async podImages(): Promise<{ pod: string; image: string }[]> {
        const pods = await this.view.list("v1", "Pod");
        return pods.flatMap((p) => {
            const spec = p.spec as { containers?: { image: string }[]; initContainers?: { image: string }[] };
            const name = `${p.metadata.namespace}/${p.metadata.name}`;
            return [...(spec.containers ?? []), ...(spec.initContainers ?? [])].map((c) => ({
                pod: name,
                image: c.image,
            }));
        });
    }

    /** The helm releases the cluster holds as deployed (from Helm's own release Secrets). */
    async deployedReleases(): Promise<string[]> {
        const secrets = await this.view.list("v1", "Secret");
        return secrets
            .filter((s) => s.type === "helm.sh/release.v1" && s.metadata.labels?.status === "deployed")
            .map((s) => `${s.metadata.namespace}/${s.metadata.labels?.name}`)
            .sort();
    }

    /**
     * The secret values to look for: those set with `config set --secret` (the TLS key also line by line, less lines
     * that are public), every generated credential and every generated private key (also line by line), read
     * decrypted from `pulumi stack export --show-secrets`.
     */
    async secretValues(): Promise<string[]> {
        const r = await this.cli.ok(["stack", "export", "--show-secrets", "--stack", this.stack]);
        const found = new Set<string>();
        const generated: string[] = [];
        const doc = JSON.parse(r.stdout) as {
            deployment: { resources?: { type: string; outputs?: Record<string, unknown> }[] };
        };
        for (const res of doc.deployment.resources ?? []) {
            const out =
                res.type === GENERATED_SECRET_TYPE ? "value" : res.type === SELF_SIGNED_CERTIFICATE_TYPE ? "key" : "";
            const v = res.outputs?.[out] as { plaintext?: string } | undefined;
            if (v?.plaintext) generated.push(JSON.parse(v.plaintext));
        }
        for (const v of [...Object.values(this.secrets), ...generated]) {
            found.add(v);
            for (const line of v.split("\n")) {
                // An RSA private key also encodes the public modulus, so a base64 line of it can equal a line of the
                // (public) certificate; only lines that are not public count.
                const isPublic = JSON.stringify(this.plain).includes(line);
                if (line.length >= 16 && !line.startsWith("-----") && !isPublic) found.add(line);
            }
        }
        return [...found];
    }

    /** Every file under the project's backend directory (the state, its history and backups). */
    stateFiles(): string[] {
        const root = path.join(this.cli.projectDir, ".pulumi-state");
        const out: string[] = [];
        const walk = (d: string) => {
            for (const f of fs.readdirSync(d)) {
                const p = path.join(d, f);
                if (fs.statSync(p).isDirectory()) walk(p);
                else out.push(p);
            }
        };
        walk(root);
        return out;
    }

    /** Ends every process and removes the work directory. */
    async stop(): Promise<void> {
        await this.sim.stop().catch(() => undefined);
        await Promise.all([this.registry.stop(), this.upstream.stop()]);
        fs.rmSync(this.work, { recursive: true, force: true });
    }
}

function describe(o: PlannedObject): string {
    return `${o.kind} ${o.namespace ? `${o.namespace}/` : ""}${o.name}`;
}
