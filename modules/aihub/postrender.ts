/**
 * Helm post-renderer for the AI Hub release: reads the rendered manifests on stdin and writes them to stdout with
 * - every container image outside the private registry relocated into it by the design §5 rule (`mapImage`), so an
 *   image a chart hard-codes (2025.1.1's `busybox:latest`) is pulled from where the bundle pushed it; a reference
 *   that cannot be relocated fails the render, naming it, instead of a pod that can never pull;
 * - the chart's non-hook `deployment-init-job` renamed to `deployment-init-job-<hash of its spec>`: a Job's pod
 *   template is immutable, so with the content-addressed name an upgrade replaces the Job instead of failing on it;
 * - `spec.replicas` removed from every Deployment and StatefulSet: the scale steps (modules/aihub/aihub-scale.ts) own
 *   the replica counts, so a Helm upgrade never starts what `aihub.running: false` stopped;
 * - with `stopped` (while `aihub.running` is false) the init Job left out.
 * Every other document is passed through byte for byte. Helm runs it through the per-stack script that
 * modules/aihub/postrender-script.ts writes (the provider passes the post-renderer no arguments).
 */
import * as crypto from "node:crypto";
import { parseDocument, type Document } from "yaml";
import { isInRegistry, mapImage } from "../../lib/imageref";

/** The chart's init Job. */
export const INIT_JOB = "deployment-init-job";
const SCALED = new Set(["Deployment", "StatefulSet"]);
const CONTAINER_LISTS = ["initContainers", "containers", "ephemeralContainers"];

/** What the post-renderer does for one stack. */
export interface PostRenderOptions {
    /** The private registry `host[:port][/project]` every image must come from. */
    registry: string;
    /** `aihub.running` is false: leave the init Job out. @default false */
    stopped?: boolean;
}

/** Where the pod spec of a workload kind sits, or undefined for kinds without one. */
function podSpecPath(kind: string): string[] | undefined {
    if (kind === "Pod") return ["spec"];
    if (kind === "CronJob") return ["spec", "jobTemplate", "spec", "template", "spec"];
    if (["Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job"].includes(kind)) {
        return ["spec", "template", "spec"];
    }
    return undefined;
}

/** The container images of a rendered object (plain JS), with where they sit, e.g. `Deployment x: containers[0]`. */
export function containerImages(obj: Record<string, unknown>): { where: string; image: string }[] {
    const pod = podSpecPath(String(obj.kind));
    if (!pod) return [];
    let spec: unknown = obj;
    for (const k of pod) spec = (spec as Record<string, unknown> | undefined)?.[k];
    const name = `${String(obj.kind)} ${String((obj.metadata as { name?: unknown } | undefined)?.name)}`;
    return CONTAINER_LISTS.flatMap((list) => {
        const items = (spec as Record<string, unknown> | undefined)?.[list];
        if (!Array.isArray(items)) return [];
        return items.map((c: { image?: unknown }, i) => ({ where: `${name}: ${list}[${i}]`, image: String(c?.image) }));
    });
}

/** Relocates the images of one document in place; returns whether anything changed. Throws on a bad reference. */
function relocate(doc: Document, kind: string, registry: string, bad: string[]): boolean {
    const pod = podSpecPath(kind);
    if (!pod) return false;
    let changed = false;
    for (const list of CONTAINER_LISTS) {
        const containers = doc.getIn([...pod, list]);
        const items = (containers as { items?: unknown[] } | undefined)?.items ?? [];
        items.forEach((_, i) => {
            const image = doc.getIn([...pod, list, i, "image"]);
            if (typeof image !== "string" || isInRegistry(image, registry)) return;
            try {
                doc.setIn([...pod, list, i, "image"], mapImage(image, registry));
                changed = true;
            } catch (e) {
                bad.push(`${kind} ${String(doc.getIn(["metadata", "name"]))}: ${(e as Error).message}`);
            }
        });
    }
    return changed;
}

/** Applies the rules above to a multi-document manifest. */
export function postRender(manifest: string, opts: PostRenderOptions): string {
    const bad: string[] = [];
    // Split on document separators only; each piece is parsed just to find the objects to change.
    const out = manifest
        .split(/^---[ \t]*$/m)
        .map((text) => {
            const doc = parseDocument(text, { uniqueKeys: false });
            const obj = doc.toJSON() as { kind?: string; metadata?: { name?: string }; spec?: object } | null;
            if (!obj || !obj.metadata || !obj.kind) return text;
            let changed = relocate(doc, obj.kind, opts.registry, bad);
            if (obj.kind === "Job" && obj.metadata.name === INIT_JOB) {
                if (opts.stopped) return undefined;
                // The spec as relocated: a registry change is a new Job, like any other change of its template.
                const spec = JSON.stringify((doc.toJSON() as { spec?: object }).spec);
                const hash = crypto.createHash("sha256").update(spec).digest("hex").slice(0, 10);
                doc.setIn(["metadata", "name"], `${INIT_JOB}-${hash}`);
                changed = true;
            }
            if (SCALED.has(obj.kind) && obj.spec && "replicas" in obj.spec) {
                doc.deleteIn(["spec", "replicas"]);
                changed = true;
            }
            return changed ? `\n${doc.toString({ lineWidth: 0 })}` : text;
        })
        .filter((t) => t !== undefined)
        .join("---");
    if (bad.length) {
        throw new Error(`images that cannot be relocated into ${opts.registry}:\n  ${bad.join("\n  ")}`);
    }
    return out;
}

/** Reads stdin, writes the post-rendered manifest to stdout; a failure goes to stderr with exit code 1. */
export function main(opts: PostRenderOptions): void {
    let input = "";
    process.stdin.setEncoding("utf8");
    process.stdin.on("data", (c) => (input += c));
    process.stdin.on("end", () => {
        try {
            process.stdout.write(postRender(input, opts));
        } catch (e) {
            process.stderr.write(`aihub-airgap post-renderer: ${(e as Error).message}\n`);
            process.exitCode = 1;
        }
    });
}
