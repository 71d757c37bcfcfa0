// Runs every test file under test/ with Node's test runner (Node 20 has no glob support for --test).
import { spawnSync } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";

function find(dir) {
    return readdirSync(dir).flatMap((f) => {
        const p = join(dir, f);
        return statSync(p).isDirectory() ? find(p) : p.endsWith(".test.ts") ? [p] : [];
    });
}

const filter = process.argv.slice(2);
const files = find("test")
    .filter((f) => filter.length === 0 || filter.some((x) => f.includes(x)))
    .sort();
const r = spawnSync(process.execPath, ["--import", "tsx", "--test", "--test-concurrency=2", ...files], {
    stdio: "inherit",
});
process.exit(r.status ?? 1);
