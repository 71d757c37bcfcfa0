/**
 * The one reader of `Pulumi.<stack>.yaml` outside a Pulumi program: `plan`, the bundle and push commands, the
 * live-cluster commands and the tests read a stack through it. Secure values stay encrypted (they appear as
 * placeholders), so no passphrase is needed; the program itself reads its decrypted config with `loadConfig`
 * (program.ts), against the same schema and rules.
 */
import { ConfigError } from "../lib/problems";
import type { StackConfig } from "./schema";
import { readStackFile, type StackFile } from "./stackfile";
import { validateConfig, type StackSpec, type Validation } from "./validate";
import type { FileCheck } from "./rules";

/** Where the stack is and how missing files count. */
export interface StackRef {
    /** Project directory: holds `Pulumi.<stack>.yaml`; relative paths in config resolve against it. */
    projectDir: string;
    /** Stack name. */
    stack: string;
    /** How a chart or values file that is not there counts. @default "warn" (the bundle may not be there yet) */
    missing?: FileCheck["missing"];
}

/** A stack file and its validation. */
export type LoadedStack<C> = Validation<C> & { file: StackFile };

/** Reads and validates a stack file; never throws for config problems (they are in `errors`). */
export function loadStack<C extends StackConfig<object>>(spec: StackSpec<C>, ref: StackRef): LoadedStack<C> {
    const file = readStackFile(ref.projectDir, ref.stack);
    const v = validateConfig(
        { values: file.values, securePaths: file.securePaths, file },
        { baseDir: ref.projectDir, missing: ref.missing ?? "warn" },
        spec,
    );
    return { ...v, file };
}

/** Reads and validates a stack file; throws a ConfigError listing every problem. */
export function requireStack<C extends StackConfig<object>>(
    spec: StackSpec<C>,
    ref: StackRef,
): LoadedStack<C> & { config: C } {
    const s = loadStack(spec, ref);
    if (!s.config) throw new ConfigError(s.errors);
    return s as LoadedStack<C> & { config: C };
}
