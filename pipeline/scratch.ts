/**
 * Private temp dirs (the registry auth file lives in one) that are removed on normal exit and also when the process
 * is interrupted (SIGINT, SIGTERM, SIGHUP): Node's default signal handling exits without running `finally` blocks.
 * Child processes still running (skopeo) are stopped first, so none keeps using a removed file.
 */
import type { ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

const dirs = new Set<string>();
const children = new Set<ChildProcess>();
const SIGNALS = { SIGINT: 2, SIGTERM: 15, SIGHUP: 1 } as const;
let installed = false;

function removeAll() {
    for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
    dirs.clear();
}

function install() {
    if (installed) return;
    installed = true;
    process.on("exit", removeAll);
    for (const [sig, n] of Object.entries(SIGNALS)) {
        process.once(sig, () => {
            for (const c of children) c.kill("SIGTERM");
            removeAll();
            process.exit(128 + n);
        });
    }
}

/** Creates a mode-0700 temp dir that is removed by `remove`, at exit, or on an interrupting signal. */
export function scratchDir(prefix: string): { dir: string; remove(): void } {
    install();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
    fs.chmodSync(dir, 0o700);
    dirs.add(dir);
    return {
        dir,
        remove() {
            fs.rmSync(dir, { recursive: true, force: true });
            dirs.delete(dir);
        },
    };
}

/** Tracks a child so an interrupting signal stops it before the scratch dirs go. */
export function trackChild(c: ChildProcess): void {
    install();
    children.add(c);
    c.once("exit", () => children.delete(c));
}
