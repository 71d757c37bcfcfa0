/**
 * The offline plan: validates a stack file and runs the real program under the mock runtime, with no cluster,
 * no Pulumi CLI and no passphrase.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { stackCharts, stackImages, type ChartNeed } from "../inventory";
import type { ImageMapping } from "../../lib/imageref";
import { loadConfig } from "../../config/program";
import { PLATFORM_SPEC } from "../spec";
import { buildPlatform } from "../platform";
import { CONFIG_NAMESPACE, type Problem } from "../../lib/problems";
import { loadStack } from "../../config/load";
import type { Finding } from "./policy";
import { planFindings } from "./checks";
import { Recorder, settle, type Registration } from "./recorder";

/** What a plan found. */
export interface PlanResult {
    stack: string;
    file: string;
    /** Config errors; when any, nothing else was run. */
    errors: Problem[];
    warnings: Problem[];
    resources: Registration[];
    images: ImageMapping[];
    charts: (ChartNeed & { present: boolean })[];
    findings: Finding[];
}

/** Options of {@link runPlan}. */
export interface PlanOptions {
    /** Project directory holding Pulumi.yaml and the stack files. */
    projectDir: string;
    stack: string;
    /**
     * Serialize the dynamic providers' code, as `pulumi up` does (default false: the plan drops it, and it is a
     * fifth of a plan's time). The plan lists the same resources in the same order either way.
     */
    providerCode?: boolean;
}

/** Runs the plan of one stack. */
export async function runPlan(opts: PlanOptions): Promise<PlanResult> {
    const v = loadStack(PLATFORM_SPEC, { projectDir: opts.projectDir, stack: opts.stack });
    const sf = v.file;
    const empty = { stack: opts.stack, file: sf.file, resources: [], images: [], charts: [], findings: [] };
    if (!v.config) return { ...empty, errors: v.errors, warnings: v.warnings };
    const cfg = v.config;

    const rec = await Recorder.install(CONFIG_NAMESPACE, opts.stack, { skipProviderCode: !opts.providerCode });
    const topLevelSecret = [...new Set([...sf.securePaths].map((p) => p.split(/[.[]/)[0]))];
    pulumi.runtime.setAllConfig(
        Object.fromEntries(
            Object.entries(sf.values).map(([k, val]) => [`${CONFIG_NAMESPACE}:${k}`, JSON.stringify(val)]),
        ),
        topLevelSecret.map((k) => `${CONFIG_NAMESPACE}:${k}`),
    );
    const cwd = process.cwd();
    try {
        // The program resolves the stack file and relative paths against the working directory, as under Pulumi.
        process.chdir(opts.projectDir);
        await pulumi.runtime.runInPulumiStack(async () =>
            buildPlatform(
                loadConfig(PLATFORM_SPEC, { projectDir: opts.projectDir, missingFiles: "warn", logWarnings: false }),
            ),
        );
        await settle();
    } finally {
        process.chdir(cwd);
    }
    const resources = rec.all();
    const charts = stackCharts(cfg).map((c) => ({
        ...c,
        present: fs.existsSync(path.resolve(opts.projectDir, c.path)),
    }));
    return {
        ...empty,
        errors: [],
        warnings: v.warnings,
        resources,
        images: stackImages(cfg),
        charts,
        findings: planFindings(resources, cfg, opts.projectDir),
    };
}
