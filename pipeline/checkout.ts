/**
 * The project checkout a bundle belongs to. The bastion records its commit and every tracked file with its sha256
 * (git lists them); inside the gap, verify compares the checkout it runs from, so a changed `cli/push.ts`,
 * `package.json` or `package-lock.json` is named before any of it runs. The admin's own files are left out: the
 * stack files `Pulumi.<stack>.yaml` and the vendor values under `values/`.
 */
import { execFileSync } from "node:child_process";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import type { Checkout } from "./manifest";

/** Tracked files the admin edits inside the gap, so not recorded. */
export function adminOwned(file: string): boolean {
    return (/^Pulumi\.[^/]+\.yaml$/.test(file) && file !== "Pulumi.yaml") || file.startsWith("values/");
}

/** sha256 of a `sha256sum`-format list of the files, in path order. */
export function checkoutHash(files: Checkout["files"]): string {
    const text = [...files]
        .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
        .map((f) => `${f.sha256}  ${f.path}\n`)
        .join("");
    return crypto.createHash("sha256").update(text).digest("hex");
}

function fileSha256(file: string): string {
    return crypto.createHash("sha256").update(fs.readFileSync(file)).digest("hex");
}

/** Records the git checkout at `projectDir`; throws naming the fix when it is not one. */
export function recordCheckout(projectDir: string): Checkout {
    const git = (args: string[]) => execFileSync("git", ["-C", projectDir, ...args], { encoding: "utf8" });
    let listed: string;
    let commit: string;
    try {
        commit = git(["rev-parse", "HEAD"]).trim();
        listed = git(["ls-files", "-z"]);
    } catch (e) {
        throw new Error(
            `${projectDir} is not a git checkout with a commit: the bundle records the checkout it was made from (commit and tracked files), so run it from a clone of the project (${(e as Error).message.split("\n")[0]})`,
        );
    }
    const files = listed
        .split("\0")
        .filter(
            (f) => f && !adminOwned(f) && fs.lstatSync(path.join(projectDir, f), { throwIfNoEntry: false })?.isFile(),
        )
        .map((f) => ({ path: f, sha256: fileSha256(path.join(projectDir, f)) }));
    const dirty = git(["status", "--porcelain", "--untracked-files=no"]).trim() !== "";
    return { commit, dirty, sha256: checkoutHash(files), files };
}

/** How the checkout at `dir` differs from the recorded one: one line per changed or missing file. */
export function checkoutChanges(dir: string, c: Checkout): string[] {
    const out: string[] = [];
    for (const f of c.files) {
        const file = path.join(dir, f.path);
        const st = fs.lstatSync(file, { throwIfNoEntry: false });
        if (!st) out.push(`${f.path}: missing`);
        else if (!st.isFile()) out.push(`${f.path}: not a regular file`);
        else if (fileSha256(file) !== f.sha256) out.push(`${f.path}: changed`);
    }
    return out;
}
