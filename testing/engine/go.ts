/** Runs the Go toolchain for the engine build: offline-safe settings, output captured for error messages. */
import { spawn } from "node:child_process";

/**
 * The environment every go command gets. GOTOOLCHAIN=local: a too-new `go` line fails instead of fetching a
 * toolchain. GOSUMDB=off: the checksum database does not know the versions the proxy here serves, so the committed
 * go.sum of each wrapper module is the integrity check, and -mod=readonly makes a missing entry an error.
 */
function goEnv(): NodeJS.ProcessEnv {
    return {
        ...process.env,
        GOTOOLCHAIN: "local",
        GOSUMDB: "off",
        GOFLAGS: "-mod=readonly -buildvcs=false",
        CGO_ENABLED: "0",
    };
}

/** Runs `go <args>` in `cwd`; resolves with stdout, rejects with the command and its last output lines. */
export function go(args: string[], cwd: string): Promise<string> {
    return new Promise((resolve, reject) => {
        const p = spawn("go", args, { cwd, env: goEnv(), stdio: ["ignore", "pipe", "pipe"] });
        let out = "";
        let err = "";
        p.stdout.on("data", (d) => (out += d));
        p.stderr.on("data", (d) => (err += d));
        p.on("error", (e) => reject(new Error(`go ${args[0]}: ${e.message} (is Go 1.26 on PATH?)`)));
        p.on("close", (code) => {
            if (code === 0) return resolve(out);
            const tail = err.trim().split("\n").slice(-15).join("\n");
            reject(new Error(`go ${args.join(" ")} (in ${cwd}) exited ${code}:\n${tail}`));
        });
    });
}
