/**
 * Images found by rendering a chart with `helm template` (default values plus the stack's), the third inventory
 * source next to the catalogs and config. Runs on the bastion only.
 */
import { execFileSync } from "node:child_process";
import { parseAllDocuments } from "yaml";
import { parseImageRef } from "../lib/imageref";

/** Every `image:` string of containers, init containers and ephemeral containers in rendered manifests. */
export function imagesInManifests(text: string): string[] {
    const found = new Set<string>();
    const walk = (v: unknown): void => {
        if (Array.isArray(v)) return v.forEach(walk);
        if (v === null || typeof v !== "object") return;
        const o = v as Record<string, unknown>;
        if (typeof o.image === "string" && typeof o.name === "string") {
            try {
                parseImageRef(o.image);
                found.add(o.image);
            } catch {
                // a templated or empty value is not an image reference
            }
        }
        Object.values(o).forEach(walk);
    };
    for (const doc of parseAllDocuments(text)) walk(doc.toJS());
    return [...found].sort();
}

/** Renders a chart file with helm and returns the images in it; throws with helm's message. */
export function renderChartImages(chart: string, helm = process.env.HELM ?? "helm", valuesFiles: string[] = []) {
    let out: string;
    try {
        out = execFileSync(helm, ["template", "inventory", chart, ...valuesFiles.flatMap((f) => ["-f", f])], {
            encoding: "utf8",
            maxBuffer: 64 << 20,
            stdio: ["ignore", "pipe", "pipe"],
        });
    } catch (e) {
        const err = (e as { stderr?: string }).stderr?.trim() || (e as Error).message;
        throw new Error(`helm template ${chart} failed: ${err}`);
    }
    return imagesInManifests(out);
}
