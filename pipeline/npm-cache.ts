/**
 * What `npm ci --offline` needs inside the gap: an npm cache filled on the bastion from the project's lockfile
 * (`npm ci --cache <bundle>/npm`, run in a scratch copy so the project's node_modules stay untouched).
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { hashFile } from "../lib/digest";

/** Fills `cacheDir` with every package of `projectDir`'s package-lock.json. Install scripts are not run. */
export function fillNpmCache(projectDir: string, cacheDir: string, npm = process.env.NPM ?? "npm"): void {
    const lock = path.join(projectDir, "package-lock.json");
    if (!fs.existsSync(lock)) throw new Error(`${lock} is missing: npm ci needs it (run npm install once)`);
    const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "aihub-npm-"));
    try {
        fs.copyFileSync(path.join(projectDir, "package.json"), path.join(scratch, "package.json"));
        fs.copyFileSync(lock, path.join(scratch, "package-lock.json"));
        fs.mkdirSync(cacheDir, { recursive: true });
        execFileSync(npm, ["ci", "--cache", path.resolve(cacheDir), "--ignore-scripts", "--no-audit", "--no-fund"], {
            cwd: scratch,
            stdio: ["ignore", "ignore", "pipe"],
        });
    } finally {
        fs.rmSync(scratch, { recursive: true, force: true });
    }
}

/** Every file under `dir` with its sha256 and size, paths relative to `dir` and sorted. */
export async function listFiles(dir: string): Promise<{ path: string; sha256: string; size: number }[]> {
    const out: { path: string; sha256: string; size: number }[] = [];
    const walk = async (sub: string) => {
        for (const e of fs.readdirSync(path.join(dir, sub), { withFileTypes: true })) {
            const rel = path.join(sub, e.name);
            if (e.isDirectory()) await walk(rel);
            else if (e.isFile()) out.push({ path: rel, ...(await hashFile(path.join(dir, rel))) });
        }
    };
    if (fs.existsSync(dir)) await walk("");
    return out.sort((a, b) => a.path.localeCompare(b.path));
}
