/**
 * The policies `npm run plan` applies, as a local CrossGuard policy pack (`pulumi preview --policy-pack ./policy`,
 * `pulumi up --policy-pack ./policy`): one stack policy reports the plan's errors (mandatory: preview fails and up
 * stops before changing anything), one its warnings (advisory). Both run the plan's own checks
 * (platform/plan/pack.ts), so the pack and the plan cannot disagree.
 *
 * The plan checks what the program registers (its inputs); a stack policy gets each resource's outputs instead (a
 * component's are what it registered as outputs: the stack's `dashboardPasswordCommand` output is no secret input).
 * So a resource policy, which the engine calls with every resource's inputs before it acts on it, keeps them, and the
 * stack policies check those.
 */
import { PolicyPack, type PolicyResource, type ReportViolation, type StackValidationArgs } from "@pulumi/policy";
import { stackFindings, type EngineResource } from "../platform/plan/pack";
import type { Finding } from "../platform/plan/policy";

/**
 * @pulumi/policy gives a stack policy each resource's properties with every secret unwrapped and no mark left
 * (deserialize.js with `proxySecrets` false), but the plaintext-secret rule must know which values were secret. So
 * the pack keeps what the engine sent (`Struct.toJavaScript()`, secret sentinels included) beside the properties, by
 * wrapping the SDK's deserializer, which its server calls through the module object on every request.
 */
const ENGINE_PROPERTIES = Symbol("engine properties");
type Deserializer = (struct: { toJavaScript(): Record<string, unknown> }, proxySecrets: boolean) => object;
const deserializeModule = require("@pulumi/policy/deserialize") as { deserializeProperties: Deserializer };
const deserialize = deserializeModule.deserializeProperties;
deserializeModule.deserializeProperties = (struct, proxySecrets) => {
    const props = deserialize(struct, proxySecrets);
    Object.defineProperty(props, ENGINE_PROPERTIES, { value: struct.toJavaScript() });
    return props;
};

/** The properties the engine sent for a resource, read below @pulumi/policy's unknown-checking proxy. */
function engineProperties(urn: string, props: Record<string, unknown>): Record<string, unknown> {
    const target = ((props as Record<string, unknown>).__getSpecialProxyTarget ?? props) as Record<symbol, unknown>;
    const kept = target[ENGINE_PROPERTIES] as Record<string, unknown> | undefined;
    if (!kept) {
        throw new Error(
            `${urn}: the engine's properties were not kept (the @pulumi/policy deserializer this pack wraps changed; see policy/index.ts)`,
        );
    }
    return kept;
}

/** Each resource's inputs by URN, as the engine gave them to the resource policy in this run. */
const registered = new Map<string, Record<string, unknown>>();

/** One resource of the stack with the inputs kept for it. */
function engineResource(r: PolicyResource): EngineResource {
    // A resource the engine did not analyze in this run (outside --target) is checked by its outputs; a component
    // (no provider) has no inputs the plan would check.
    const inputs = registered.get(r.urn) ?? (r.provider ? engineProperties(r.urn, r.props) : {});
    return {
        urn: r.urn,
        type: r.type,
        name: r.name,
        opts: { protect: r.opts.protect },
        parent: r.parent && { urn: r.parent.urn },
        dependencies: r.dependencies.map((d) => ({ urn: d.urn })),
        engineProperties: inputs,
    };
}

/** The findings of the last resources seen: each `AnalyzeStack` call runs both policies over the same resources. */
let last: { key: string; findings: Finding[] } | undefined;
function findings(args: StackValidationArgs): Finding[] {
    const resources = args.resources.map(engineResource);
    const key = JSON.stringify(resources);
    if (last?.key !== key) last = { key, findings: stackFindings(resources, process.cwd()) };
    return last.findings;
}

/** Reports the findings of one level, each with its rule id and the resource it is about. */
function report(level: Finding["level"]) {
    return (args: StackValidationArgs, reportViolation: ReportViolation) => {
        for (const f of findings(args).filter((x) => x.level === level))
            reportViolation(`[${f.rule}] ${f.text}`, f.resource);
    };
}

new PolicyPack("aihub-airgap", {
    policies: [
        {
            name: "registered-inputs",
            description: "Keeps each resource's inputs for the two policies below (reports nothing itself).",
            enforcementLevel: "advisory",
            validateResource: (args) => {
                registered.set(args.urn, engineProperties(args.urn, args.props));
            },
        },
        {
            name: "plan-errors",
            description:
                "The errors npm run plan reports: images outside the private registry, plaintext secrets, chart placeholders, unprotected stateful resources, …",
            enforcementLevel: "mandatory",
            validateStack: report("error"),
        },
        {
            name: "plan-warnings",
            description: "The warnings npm run plan reports: Ceph over-committed, charts not rendered, a wipe armed, …",
            enforcementLevel: "advisory",
            validateStack: report("warning"),
        },
    ],
});
