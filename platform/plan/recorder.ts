/**
 * Runs the program under Pulumi's mock runtime and records every registration: type, name, URN, inputs (secrets
 * unwrapped, with the paths that were secret), parent, dependencies, and the options the engine would see.
 * Used by `npm run plan` and by the unit tests.
 */
import * as pulumi from "@pulumi/pulumi";
import * as rpc from "@pulumi/pulumi/runtime/rpc";
// The module object itself (not an ES namespace), whose serializer the plan may replace: RecorderOptions.
import closure = require("@pulumi/pulumi/runtime/closure/serializeClosure");
import * as settings from "@pulumi/pulumi/runtime/settings";
import { GENERATED_SECRET_TYPE } from "../../k8s/generated-secret";
import { SELF_SIGNED_CERTIFICATE_TYPE } from "../../k8s/self-signed-certificate";

/** One registered resource as the engine would receive it. */
export interface Registration {
    urn: string;
    type: string;
    name: string;
    /** True for custom resources, false for components. */
    custom: boolean;
    /** Parent URN ("" for the stack root). */
    parent: string;
    /** The explicit provider reference (`<provider URN>::<id>`), "" when the default provider would be used. */
    provider: string;
    /** Inputs with secrets unwrapped. */
    inputs: Record<string, unknown>;
    /** Paths of inputs (`stringData..dockerconfigjson`) that were marked secret. */
    secretInputs: string[];
    /** All dependency URNs (explicit `dependsOn`, expanded, plus data dependencies). */
    deps: string[];
    /** Data dependencies by input property. */
    propDeps: Record<string, string[]>;
    protect: boolean;
    retainOnDelete: boolean;
    deleteBeforeReplace: boolean;
    ignoreChanges: string[];
    replaceOnChanges: string[];
    additionalSecretOutputs: string[];
    customTimeouts?: { create?: string; update?: string; delete?: string };
    /** Outputs a component registered with `registerOutputs` (secrets unwrapped). */
    outputs?: Record<string, unknown>;
    /** Output names that were secret. */
    secretOutputs?: string[];
}

const SIG = rpc.specialSigKey;

function isSecretValue(v: unknown): v is { value: unknown } {
    return typeof v === "object" && v !== null && (v as Record<string, unknown>)[SIG] === rpc.specialSecretSig;
}

/** Unwraps secret sentinels, collecting the paths they stood at. */
export function unwrapSecrets(v: unknown, at: string, secrets: string[]): unknown {
    if (isSecretValue(v)) {
        secrets.push(at);
        return unwrapSecrets(v.value, at, []);
    }
    if (Array.isArray(v)) return v.map((x, i) => unwrapSecrets(x, `${at}[${i}]`, secrets));
    if (v !== null && typeof v === "object") {
        return Object.fromEntries(
            Object.entries(v).map(([k, x]) => [k, unwrapSecrets(x, at ? `${at}.${k}` : k, secrets)]),
        );
    }
    return v;
}

/**
 * A deterministic stand-in for a generated value of the shape a {@link GeneratedSecret} would produce, or for the
 * PEM texts of a SelfSignedCertificate (marked as stand-ins: they are made at `pulumi up`).
 */
function fakeGenerated(type: string, name: string, inputs: Record<string, unknown>): Record<string, unknown> {
    if (type === SELF_SIGNED_CERTIFICATE_TYPE) {
        const pem = (label: string) =>
            `-----BEGIN ${label}-----\n(made at pulumi up: ${name})\n-----END ${label}-----\n`;
        return { cert: pem("CERTIFICATE"), key: pem("PRIVATE KEY") };
    }
    if (type !== GENERATED_SECRET_TYPE) return {};
    const seed = [...name].reduce((h, c) => (h * 31 + c.charCodeAt(0)) >>> 0, 7);
    const hex = (n: number) =>
        Array.from({ length: n }, (_, i) => ((seed >> (i % 28)) ^ i) & 15)
            .map((d) => d.toString(16))
            .join("");
    if (inputs.shape === "hex64") return { value: hex(64) };
    if (inputs.shape === "uuid") {
        const h = hex(32);
        return {
            value: `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`,
        };
    }
    const alphabet = "Aa0";
    return { value: Array.from({ length: Number(inputs.length ?? 24) }, (_, i) => alphabet[(seed + i) % 3]).join("") };
}

/** The SDK's closure serializer, as loaded (the plan may stand in for it: {@link RecorderOptions}). */
const serializeFunction = closure.serializeFunction;

/** Options of {@link Recorder.install}. */
export interface RecorderOptions {
    /**
     * Leave the dynamic providers' code unserialized (default false). The plan drops it (`__provider`) anyway, and
     * Pulumi's closure serializer is about a fifth of a plan's time (an inspector session, TypeScript loaded to parse
     * each function); `test/plan/dynamic-providers.test.ts` serializes each provider as `pulumi up` does.
     */
    skipProviderCode?: boolean;
}

/** Records registrations made while the mock runtime is active. */
export class Recorder {
    readonly registrations = new Map<string, Registration>();

    /** Installs the mock runtime for a project/stack and starts recording. */
    static async install(project: string, stack: string, opts: RecorderOptions = {}): Promise<Recorder> {
        const rec = new Recorder();
        // The SDK reads the serializer off its module at each dynamic resource (dynamic/index.js, 3.248).
        closure.serializeFunction = opts.skipProviderCode
            ? async () => ({ text: "", containsSecrets: false }) as Awaited<ReturnType<typeof serializeFunction>>
            : serializeFunction;
        await pulumi.runtime.setMocks(
            {
                newResource: (args) => ({
                    id: args.custom ? `${args.name}-id` : undefined,
                    state: { ...args.inputs, ...fakeGenerated(args.type, args.name, args.inputs) },
                }),
                call: (args) => args.inputs,
            },
            project,
            stack,
            false,
        );
        rec.hook();
        return rec;
    }

    private hook(): void {
        // The mock monitor hides parent, dependencies and options from `newResource`; read them off the request.
        // eslint-disable-next-line @typescript-eslint/no-explicit-any
        const mon: any = pulumi.runtime.getMonitor();
        const register = mon.registerResource.bind(mon);
        // eslint-disable-next-line @typescript-eslint/no-explicit-any
        mon.registerResource = (req: any, cb: any) => {
            const urn: string = mon.newUrn(req.getParent(), req.getType(), req.getName());
            const secretInputs: string[] = [];
            const inputs = unwrapSecrets(rpc.deserializeProperties(req.getObject()), "", secretInputs) as Record<
                string,
                unknown
            >;
            // A dynamic resource's serialized provider code is not an input anyone reviews in a plan.
            delete inputs.__provider;
            const t = req.getCustomtimeouts();
            this.registrations.set(urn, {
                urn,
                type: req.getType(),
                name: req.getName(),
                custom: req.getCustom(),
                parent: req.getParent(),
                provider: req.getProvider(),
                inputs,
                secretInputs,
                deps: req.getDependenciesList(),
                propDeps: Object.fromEntries(
                    // eslint-disable-next-line @typescript-eslint/no-explicit-any
                    Array.from(req.getPropertydependenciesMap().entries()).map(([k, v]: any) => [k, v.getUrnsList()]),
                ),
                protect: req.getProtect() === true,
                retainOnDelete: req.getRetainondelete() === true,
                deleteBeforeReplace: req.getDeletebeforereplace() === true,
                ignoreChanges: req.getIgnorechangesList(),
                replaceOnChanges: req.getReplaceonchangesList(),
                additionalSecretOutputs: req.getAdditionalsecretoutputsList(),
                customTimeouts: t
                    ? {
                          create: t.getCreate() || undefined,
                          update: t.getUpdate() || undefined,
                          delete: t.getDelete() || undefined,
                      }
                    : undefined,
            });
            return register(req, cb);
        };
        const registerOutputs = mon.registerResourceOutputs.bind(mon);
        // eslint-disable-next-line @typescript-eslint/no-explicit-any
        mon.registerResourceOutputs = (req: any, cb: any) => {
            const r = this.registrations.get(req.getUrn());
            if (r && req.getOutputs()) {
                const secretOutputs: string[] = [];
                r.outputs = unwrapSecrets(rpc.deserializeProperties(req.getOutputs()), "", secretOutputs) as Record<
                    string,
                    unknown
                >;
                r.secretOutputs = secretOutputs;
            }
            return registerOutputs(req, cb);
        };
    }

    /** Every registration, in registration order. */
    all(): Registration[] {
        return [...this.registrations.values()];
    }

    /** Registrations of one type token. */
    ofType(type: string): Registration[] {
        return this.all().filter((r) => r.type === type);
    }

    /** The one registration with this logical name; throws when there is none or several. */
    byName(name: string): Registration {
        const found = this.all().filter((r) => r.name === name);
        if (found.length !== 1) throw new Error(`expected one resource named "${name}", found ${found.length}`);
        return found[0];
    }

    /** Children of a registration (by URN). */
    childrenOf(urn: string): Registration[] {
        return this.all().filter((r) => r.parent === urn);
    }

    /**
     * True when `from` depends on `to`, directly or through `to`'s custom descendants (what `dependsOn` on a
     * component expands to).
     */
    dependsOn(from: Registration, to: Registration): boolean {
        const targets = new Set([to.urn, ...this.descendants(to.urn).map((r) => r.urn)]);
        return from.deps.some((d) => targets.has(d));
    }

    /** All descendants of a URN. */
    descendants(urn: string): Registration[] {
        const kids = this.childrenOf(urn);
        return kids.flatMap((k) => [k, ...this.descendants(k.urn)]);
    }
}

/**
 * Waits until every registration the program started has reached the (mock) monitor: the SDK counts each resource
 * operation from its constructor until its RPC has returned, as Pulumi's run harness waits for them before it exits.
 */
export async function settle(): Promise<void> {
    // What `disconnect` awaits (runtime/settings.js, 3.248); marked internal, so not in the SDK's typings.
    await (settings as unknown as { waitForRPCs(): Promise<void> }).waitForRPCs();
}
