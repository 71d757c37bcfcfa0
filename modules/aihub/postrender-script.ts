/**
 * The script Helm runs as the AI Hub post-renderer. pulumi-kubernetes runs `postrender` with no arguments and the
 * CLI's environment, so a stack's options (its registry, `aihub.running`) reach the post-renderer only through the
 * path itself: one small script per set of options, named after a hash of them, written under the project's
 * `.aihub-airgap/` (git-ignored) on every run. The path is relative to the project directory, where Pulumi starts the
 * provider, so it is the same in every checkout and shows no diff.
 */
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { checkoutPath } from "../../lib/checkout";
import type { PostRenderOptions } from "./postrender";

/** The directory of generated files, relative to the project directory. */
export const GENERATED_DIR = ".aihub-airgap";

/**
 * The post-renderer script for `opts`: its path relative to the project directory, named after the options (so it
 * is the same in every checkout), and its content, which runs this checkout's post-renderer (cli/postrender.ts, from
 * its prebuilt bundle) by absolute path, so it runs from any project directory, `--dir` included.
 */
export function postRenderScript(opts: PostRenderOptions): { path: string; content: string } {
    const options = JSON.stringify({ registry: opts.registry, stopped: opts.stopped ?? false });
    const content = [
        "#!/usr/bin/env node",
        "// Written by aihub-airgap (modules/aihub/postrender-script.ts) on every run; the AI Hub release's Helm post-renderer.",
        `require(${JSON.stringify(checkoutPath("scripts", "cli-bundle.cjs"))})`,
        `    .runCommand("postrender", [${JSON.stringify(options)}])`,
        "    .catch((e) => {",
        "        console.error(e);",
        "        process.exit(1);",
        "    });",
        "",
    ].join("\n");
    const hash = crypto.createHash("sha256").update(options).digest("hex").slice(0, 12);
    return { path: `./${GENERATED_DIR}/postrender-${hash}.cjs`, content };
}

/** Writes the script (atomically, executable) under `projectDir`; returns its relative path. */
export function writePostRenderScript(projectDir: string, opts: PostRenderOptions): string {
    const script = postRenderScript(opts);
    const file = path.join(projectDir, script.path);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, script.content, { mode: 0o755 });
    fs.renameSync(tmp, file);
    return script.path;
}
