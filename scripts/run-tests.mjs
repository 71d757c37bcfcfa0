// Runs every test file under the source folders and test/ with Node's test runner (Node 20 has no glob support for
// --test), inside a network namespace of its own with only loopback up (scripts/loopback-only.mjs): a test, the
// simulated cluster's API server or a chart's webhook can reach nothing but this machine's loopback.
import { spawn } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { loopbackOnly } from "./loopback-only.mjs";

function find(dir, suffix) {
    return readdirSync(dir).flatMap((f) => {
        const p = join(dir, f);
        return statSync(p).isDirectory() ? find(p, suffix) : p.endsWith(suffix) ? [p] : [];
    });
}

// --engine: the real-engine tests (*.engine.ts), one file at a time (each runs a cluster and the Pulumi CLI).
const engine = process.argv.includes("--engine");
const filter = process.argv.slice(2).filter((a) => a !== "--engine");
const files = ["test", "lib", "catalog", "config", "k8s", "modules", "addons", "platform", "pipeline", "ops", "testing"]
    .flatMap((d) => find(d, engine ? ".engine.ts" : ".test.ts"))
    .filter((f) => filter.length === 0 || filter.some((x) => f.includes(x)))
    .sort();
const concurrency = engine ? 1 : 2;
const [cmd, ...args] = loopbackOnly([
    process.execPath,
    "--import",
    "tsx",
    "--test",
    "--test-reporter=tap",
    `--test-concurrency=${concurrency}`,
    ...files,
]);
// Every skipped test or suite is counted from the TAP stream; with CI=true a skip fails the run (a missing tool must
// not turn into a green run), and the count is printed either way.
const child = spawn(cmd, args, {
    stdio: ["inherit", "pipe", "inherit"],
});
const skipped = [];
let partial = "";
child.stdout.on("data", (chunk) => {
    process.stdout.write(chunk);
    const lines = (partial + chunk).split("\n");
    partial = lines.pop() ?? "";
    for (const line of lines) if (/^\s*(?:not )?ok \d+ - .*# SKIP\b/.test(line)) skipped.push(line.trim());
});
child.on("close", (code) => {
    console.log(`# skipped tests and suites: ${skipped.length}`);
    for (const line of skipped) console.log(`#   ${line}`);
    if (skipped.length > 0 && process.env.CI === "true") {
        console.error("CI=true: a skipped test fails the run (build what it needs before the tests: see .ci/run)");
        process.exit(1);
    }
    process.exit(code ?? 1);
});
