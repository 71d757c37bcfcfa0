/** Config helpers for an add-on's packaged chart: a version its image catalog knows, and a file that matches it. */
import * as path from "node:path";
import { z } from "zod";
import type { Problem } from "../../lib/problems";

/** A chart version listed in an add-on's catalog (`catalogFile` is where to add a new one). */
export function catalogVersion(known: readonly string[], catalogFile: string) {
    return z.string().refine((v) => known.includes(v), {
        error: `is not a known chart version (use one of: ${known.join(", ")}; or add it to ${catalogFile})`,
    });
}

/** A path to a packaged chart. */
export const chartPath = z
    .string({ error: "must be the path of a packaged chart (.tgz), relative to the project" })
    .regex(/\.tgz$/, { error: "must be a packaged chart (.tgz), e.g. ./bundle/charts/<name>-<version>.tgz" });

/** A problem when the chart file's name does not carry the declared version (a chart of another version). */
export function chartVersionProblems(at: string, file: string, version: string, example: string): Problem[] {
    const base = path.basename(file);
    if (base.includes(version)) return [];
    return [
        {
            path: at,
            text: `chart file "${base}" does not match the declared version ${version} (use ${example}, or change the version)`,
        },
    ];
}
