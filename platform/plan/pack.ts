/**
 * The plan's policies under the real engine: what the CrossGuard policy pack (policy/index.ts) runs as a stack
 * policy during `pulumi preview` and `pulumi up`. The engine hands the pack every resource of the stack; this turns
 * them into the resources the policies read (platform/plan/policy.ts) and runs the plan's own checks over them with
 * the stack's config, read from `Pulumi.<stack>.yaml` as `npm run plan` reads it.
 */
import * as path from "node:path";
import * as rpc from "@pulumi/pulumi/runtime/rpc";
import { loadStack } from "../../config/load";
import { formatProblem } from "../../lib/problems";
import { PLATFORM_SPEC } from "../spec";
import { planFindings } from "./checks";
import type { Checked, Finding } from "./policy";
import { unwrapSecrets } from "./recorder";

/**
 * What the pack reads of one resource of CrossGuard's `StackValidationArgs` (a structural subset of @pulumi/policy's
 * `PolicyResource`), and `engineProperties`: its properties as the engine sent them, secrets still marked.
 */
export interface EngineResource {
    urn: string;
    type: string;
    name: string;
    opts: { protect?: boolean };
    parent?: { urn: string };
    dependencies: { urn: string }[];
    /**
     * Its inputs as the engine marshalled them for the pack's resource policy (`Struct.toJavaScript()`: secret and
     * unknown sentinels included), the same inputs the plan records under the mock runtime.
     */
    engineProperties: Record<string, unknown>;
}

/** Removes the values that are not known yet (outputs of resources a preview has not created), noting their paths. */
function withoutUnknowns(v: unknown, at: string, unknown: string[]): unknown {
    if (v === rpc.unknownValue) {
        unknown.push(at);
        return undefined;
    }
    if (Array.isArray(v)) return v.map((x, i) => withoutUnknowns(x, `${at}[${i}]`, unknown));
    if (v !== null && typeof v === "object") {
        return Object.fromEntries(
            Object.entries(v)
                .map(([k, x]) => [k, withoutUnknowns(x, at ? `${at}.${k}` : k, unknown)] as const)
                .filter(([, x]) => x !== undefined),
        );
    }
    return v;
}

/** One engine resource as the policies read it: secrets unwrapped with their paths noted, unknown values left out. */
export function checkedOf(r: EngineResource): Checked {
    const secretInputs: string[] = [];
    const unknownInputs: string[] = [];
    const known = withoutUnknowns(r.engineProperties, "", unknownInputs);
    const inputs = unwrapSecrets(known, "", secretInputs) as Record<string, unknown>;
    return {
        urn: r.urn,
        type: r.type,
        name: r.name,
        parent: r.parent?.urn ?? "",
        inputs,
        secretInputs,
        deps: r.dependencies.map((d) => d.urn),
        protect: r.opts.protect === true,
        unknownInputs,
    };
}

/** The stack name in a URN (`urn:pulumi:<stack>::<project>::<type>::<name>`). */
export function stackOfUrn(urn: string): string {
    const m = /^urn:pulumi:([^:]+)::/.exec(urn);
    if (!m) throw new Error(`not a Pulumi URN: ${urn}`);
    return m[1];
}

/**
 * The plan's findings for the resources of one stack. `projectDir` holds `Pulumi.<stack>.yaml` (Pulumi runs the
 * pack in the project directory). A stack file that does not validate gives its config errors as findings. An error
 * about a resource some of whose inputs are not known yet is reported as a warning that says so.
 */
export function stackFindings(resources: EngineResource[], projectDir: string): Finding[] {
    if (resources.length === 0) return [];
    const stack = stackOfUrn(resources[0].urn);
    const loaded = loadStack(PLATFORM_SPEC, { projectDir, stack });
    if (!loaded.config) {
        return loaded.errors.map((e) => ({
            level: "error" as const,
            rule: "config",
            text: `${path.basename(loaded.file.file)}: ${formatProblem(e)}`,
        }));
    }
    const checked = resources.map(checkedOf);
    const unknown = new Map(checked.filter((c) => c.unknownInputs?.length).map((c) => [c.urn, c.unknownInputs ?? []]));
    return planFindings(checked, loaded.config, projectDir).map((f) => {
        const paths = f.resource === undefined ? undefined : unknown.get(f.resource);
        if (f.level !== "error" || !paths) return f;
        // A rule may find a value missing that is only not known yet (a preview before the resources it comes
        // from exist): reported, but it does not stop the preview. Once known (later previews, and the check at
        // the end of `pulumi up`) it is an error again.
        return {
            ...f,
            level: "warning" as const,
            text: `${f.text} (not certain yet: ${paths.slice(0, 3).join(", ")}${paths.length > 3 ? ", …" : ""} not known before pulumi up)`,
        };
    });
}
