/**
 * Running skopeo (no Docker daemon on either side) and the registry access it needs: an auth file with mode 0600
 * instead of `--creds` on the command line (argv is visible in `ps` and logs), and a cert dir holding the CA.
 */
import { RegistryError } from "./registry-error";
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { scratchDir, trackChild } from "./scratch";

/** What a failed skopeo run says about the registry, most specific first. */
export type SkopeoFailure = "usage" | "project" | "denied" | "credentials" | "tls" | "missing" | "transient";

const KINDS: [SkopeoFailure, RegExp][] = [
    // An older skopeo than the flags we pass (e.g. --preserve-digests before 1.6): retrying cannot help.
    ["usage", /unknown (shorthand )?flag|unknown command|flag needs an argument|invalid argument/i],
    // Harbor names a missing project, after "unauthorized:" (not a credentials problem).
    ["project", /project \S+ not found/i],
    // Harbor and Artifactory answer DENIED for a repository the user may not push to or that has no project.
    ["denied", /requested access to the resource is denied|\bdenied:/i],
    ["credentials", /unauthorized|authentication required|incorrect username or password/i],
    ["tls", /x509|certificate|tls: /i],
    ["missing", /manifest unknown|name unknown|not found|invalid (reference|image name)|no such file or directory/i],
];

/** Classifies skopeo's stderr. */
export function classify(stderr: string): SkopeoFailure {
    return KINDS.find(([, r]) => r.test(stderr))?.[0] ?? "transient";
}

/** True for errors a retry may fix (connection reset, 5xx, timeouts); false for usage, auth, TLS, missing images. */
export function isTransient(stderr: string): boolean {
    return classify(stderr) === "transient";
}

/** The oldest skopeo with `--preserve-digests` (1.6.0), which keeps upstream digests in the bundle and the push. */
export const MIN_SKOPEO = [1, 6, 0];

const checked = new Map<string, Promise<string>>();

/** Checks once per binary that skopeo runs and is new enough; resolves with its version, rejects saying why. */
export function checkSkopeo(bin = process.env.SKOPEO ?? "skopeo"): Promise<string> {
    let p = checked.get(bin);
    if (!p) {
        p = skopeo(["--version"], undefined, bin).then((out) => {
            const v = /version (\d+)\.(\d+)\.(\d+)/.exec(out);
            if (!v) throw new RegistryError(`cannot read the version of ${bin} from "${out.trim()}"`, out, false);
            const n = v.slice(1).map(Number);
            const old = n[0] - MIN_SKOPEO[0] || n[1] - MIN_SKOPEO[1] || n[2] - MIN_SKOPEO[2];
            if (old < 0) {
                throw new RegistryError(
                    `skopeo ${n.join(".")} (${bin}) is too old: ${MIN_SKOPEO.join(".")} or newer is needed for --preserve-digests, which keeps the upstream digests (install a newer skopeo, or point SKOPEO at one)`,
                    out,
                    false,
                );
            }
            return n.join(".");
        });
        checked.set(bin, p);
    }
    return p;
}

/** The last `level=fatal msg="…"` line of skopeo's stderr, or its last line. */
export function skopeoMessage(stderr: string): string {
    const fatal = [...stderr.matchAll(/level=fatal msg="((?:[^"\\]|\\.)*)"/g)].pop();
    if (fatal) return fatal[1].replace(/\\"/g, '"');
    return stderr.trim().split("\n").pop() ?? "";
}

/** Runs skopeo; resolves with stdout, calls `onLine` for each stderr/stdout line, rejects with a RegistryError. */
export function skopeo(args: string[], onLine?: (line: string) => void, bin = process.env.SKOPEO ?? "skopeo") {
    return new Promise<string>((resolve, reject) => {
        const child = spawn(bin, args, { stdio: ["ignore", "pipe", "pipe"] });
        trackChild(child);
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
            reject(new RegistryError(`cannot run ${bin}: ${e.message} (install skopeo)`, "", false)),
        );
        child.on("close", (code) => {
            if (code === 0) return resolve(out);
            const msg = skopeoMessage(err) || `exit code ${code}`;
            reject(new RegistryError(`skopeo ${args[0]} failed: ${msg}`, err, isTransient(err)));
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
    /** PEM client certificate for registries that require one (mutual TLS; the direct push only). */
    clientCert?: string;
    /** PEM private key of `clientCert`. */
    clientKey?: string;
}

/** Writes the auth file (mode 0600) and cert dir into a private temp dir, removed also on SIGINT/SIGTERM. */
export function registryAccess(o: AccessOptions): RegistryAccess {
    const scratch = scratchDir("aihub-registry-");
    const dir = scratch.dir;
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
        cleanup: scratch.remove,
    };
}
