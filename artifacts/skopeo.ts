/**
 * Running skopeo (no Docker daemon on either side) and the registry access it needs: an auth file with mode 0600
 * instead of `--creds` on the command line (argv is visible in `ps` and logs), and a cert dir holding the CA.
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

/** Failure of one skopeo run; `transient` is false for errors retrying cannot fix. */
export class SkopeoError extends Error {
    constructor(
        message: string,
        readonly stderr: string,
        readonly transient: boolean,
    ) {
        super(message);
    }
}

const PERMANENT = [
    /unauthorized|authentication required|incorrect username or password|denied/i,
    /x509|certificate|tls: /i,
    /manifest unknown|name unknown|not found/i,
    /invalid (reference|image name)|no such file or directory/i,
];

/** True for errors a retry may fix (connection reset, 5xx, timeouts); false for auth, TLS and missing images. */
export function isTransient(stderr: string): boolean {
    return !PERMANENT.some((r) => r.test(stderr));
}

/** The last `level=fatal msg="…"` line of skopeo's stderr, or its last line. */
export function skopeoMessage(stderr: string): string {
    const fatal = [...stderr.matchAll(/level=fatal msg="((?:[^"\\]|\\.)*)"/g)].pop();
    if (fatal) return fatal[1].replace(/\\"/g, '"');
    return stderr.trim().split("\n").pop() ?? "";
}

/** Runs skopeo; resolves with stdout, calls `onLine` for each stderr/stdout line, rejects with a SkopeoError. */
export function skopeo(args: string[], onLine?: (line: string) => void, bin = process.env.SKOPEO ?? "skopeo") {
    return new Promise<string>((resolve, reject) => {
        const child = spawn(bin, args, { stdio: ["ignore", "pipe", "pipe"] });
        let out = "";
        let err = "";
        const lines = (chunk: string) => {
            if (onLine) for (const l of chunk.split("\n")) if (l.trim()) onLine(l.trim());
        };
        child.stdout.setEncoding("utf8").on("data", (c: string) => {
            out += c;
            if (args[0] === "copy") lines(c);
        });
        child.stderr.setEncoding("utf8").on("data", (c: string) => {
            err += c;
        });
        child.on("error", (e) =>
            reject(new SkopeoError(`cannot run ${bin}: ${e.message} (install skopeo)`, "", false)),
        );
        child.on("close", (code) => {
            if (code === 0) return resolve(out);
            const msg = skopeoMessage(err) || `exit code ${code}`;
            reject(new SkopeoError(`skopeo ${args[0]} failed: ${msg}`, err, isTransient(err)));
        });
    });
}

/** The registry host (with port) of a server setting that may carry a project path. */
export function registryHost(server: string): string {
    return server.split("/")[0];
}

/** Temporary credentials and CA for one registry; `cleanup` removes them. */
export interface RegistryAccess {
    /** skopeo flags for the given side (`src` or `dest`; `""` for `inspect`). */
    flags(side: "src" | "dest" | ""): string[];
    cleanup(): void;
}

/** Options of {@link registryAccess}. */
export interface AccessOptions {
    server: string;
    username?: string;
    password?: string;
    /** PEM CA certificate of the registry; without it the system CAs apply. */
    caCert?: string;
    /** Verify TLS. @default true */
    tlsVerify?: boolean;
}

/** Writes the auth file (mode 0600) and cert dir into a private temp dir. */
export function registryAccess(o: AccessOptions): RegistryAccess {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "aihub-registry-"));
    fs.chmodSync(dir, 0o700);
    const auth = path.join(dir, "auth.json");
    if (o.username !== undefined) {
        const token = Buffer.from(`${o.username}:${o.password ?? ""}`).toString("base64");
        fs.writeFileSync(auth, JSON.stringify({ auths: { [registryHost(o.server)]: { auth: token } } }), {
            mode: 0o600,
        });
    }
    const certs = path.join(dir, "certs");
    if (o.caCert) {
        fs.mkdirSync(certs);
        fs.writeFileSync(path.join(certs, "ca.crt"), o.caCert);
    }
    return {
        flags(side) {
            const p = side ? `--${side}-` : "--";
            const f: string[] = [];
            f.push(o.username !== undefined ? `${p}authfile=${auth}` : `${p}no-creds`);
            if (o.caCert) f.push(`${p}cert-dir=${certs}`);
            f.push(`${p}tls-verify=${o.tlsVerify === false ? "false" : "true"}`);
            return f;
        },
        cleanup() {
            fs.rmSync(dir, { recursive: true, force: true });
        },
    };
}
