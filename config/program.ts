/**
 * Loads the stack config inside a Pulumi program (real engine or mock runtime): reads every `aihub-airgap:` key,
 * learns which values were stored encrypted from the stack file, validates, and throws before any resource is
 * registered when anything is wrong.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as pulumi from "@pulumi/pulumi";
import { CONFIG_NAMESPACE, formatProblem } from "../lib/problems";
import { parseConfigValue, parseStackFile, stackFilePath } from "./stackfile";
import type { FileCheck } from "./rules";
import { requireValidConfig, type StackSpec } from "./validate";
import { readRegularFile } from "../lib/yamlfile";
import { inPrivateTmpdir } from "../lib/private-tmp";
import type { KubernetesConfig, StackConfig } from "./schema";

/** Options for loading config. */
export interface LoadOptions {
    /** Where relative file paths resolve and where `Pulumi.<stack>.yaml` lives. @default process.cwd() */
    projectDir?: string;
    /** How a chart or values file that is not there counts. @default "error" */
    missingFiles?: FileCheck["missing"];
    /** Send config warnings to the Pulumi log; `plan` prints them itself. @default true */
    logWarnings?: boolean;
}

/** Reads, validates against `spec` and returns the stack config; warnings go to the Pulumi log. */
export function loadConfig<C extends StackConfig<object>>(spec: StackSpec<C>, opts: LoadOptions = {}): C {
    const projectDir = opts.projectDir ?? process.cwd();
    const prefix = `${CONFIG_NAMESPACE}:`;
    const values: Record<string, unknown> = {};
    for (const [key, raw] of Object.entries(pulumi.runtime.allConfig())) {
        // defineProperty: a key named `__proto__` stays a plain (unknown) key instead of replacing the prototype.
        if (key.startsWith(prefix)) {
            const value = parseConfigValue(raw);
            Object.defineProperty(values, key.slice(prefix.length), { value, enumerable: true, writable: true });
        }
    }
    const file = stackFilePath(projectDir, pulumi.getStack());
    const sf = fs.existsSync(file) ? parseStackFile(readRegularFile(file), file) : undefined;
    if (!sf && opts.logWarnings !== false) {
        pulumi.log.warn(`${file} not found: cannot check that secret keys are stored encrypted`);
    }
    const v = requireValidConfig(
        { values, securePaths: sf?.securePaths, file: sf },
        { baseDir: projectDir, missing: opts.missingFiles ?? "error" },
        spec,
    );
    if (opts.logWarnings !== false) {
        for (const w of v.warnings) pulumi.log.warn(formatProblem(w));
        const copy = kubeconfigCopyWarning(v.config.kubernetes);
        if (copy) pulumi.log.warn(copy);
    }
    return v.config;
}

/**
 * The warning for a run with an explicit kubeconfig outside a private temporary folder: the kubernetes provider
 * (4.25.0) writes a copy of that kubeconfig, client key included, into the temporary folder every time it is
 * configured and never removes it. `npm run pulumi` (cli/pulumi.ts) gives the run a folder of its own and removes it.
 */
export function kubeconfigCopyWarning(
    kubernetes: KubernetesConfig,
    env: NodeJS.ProcessEnv = process.env,
    tmpdir: string = os.tmpdir(),
): string | undefined {
    if (kubernetes.kubeconfig === undefined || inPrivateTmpdir(env, tmpdir)) return undefined;
    return (
        `${CONFIG_NAMESPACE}:kubernetes.kubeconfig is set and this run's temporary folder ${tmpdir} is not private: ` +
        "the kubernetes provider leaves a copy of the kubeconfig, client key included, in it on every run " +
        "(kubeconfig<digits>, never removed). Run pulumi as `npm run pulumi -- <command>` (e.g. `npm run pulumi -- up " +
        "--stack <stack>`), which gives each run a private folder and removes it, or with TMPDIR set to a folder only " +
        `you can read that you remove afterwards; delete the kubeconfig<digits> files earlier runs left in ${tmpdir}.`
    );
}
