/**
 * Real registries for the artifact tests: `docker-registry` (distribution) on 127.0.0.1 at a free port, plain HTTP
 * or TLS with a test CA made by openssl, optionally with htpasswd (bcrypt) auth. `stop()` ends the process.
 */
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as https from "node:https";
import * as http from "node:http";
import * as net from "node:net";
import * as path from "node:path";

/** A running registry. */
export interface TestRegistry {
    /** `127.0.0.1:<port>`. */
    host: string;
    /** PEM of the CA that signed its certificate (TLS only). */
    caCert?: string;
    /** A directory holding `ca.crt`, for skopeo's `--*-cert-dir`. */
    certDir?: string;
    /** Its storage directory. */
    storage: string;
    /** Access log lines (method and path of each request), for counting uploads. */
    requests(): string[];
    stop(): Promise<void>;
    /** SIGKILLs the registry process (no graceful shutdown), as a crash or an OOM kill would. */
    kill(): Promise<void>;
    /** Starts the registry again on the same port, storage and config; its access log goes on in the same file. */
    restart(): Promise<void>;
}

/** Options of {@link startRegistry}. */
export interface RegistryOptions {
    /** Serve HTTPS with a certificate for 127.0.0.1 signed by a fresh test CA. */
    tls?: boolean;
    /** Require this user. */
    auth?: { username: string; password: string };
    /**
     * distribution's own token auth (registry/auth/token): clients get a JWT from `realm`, which distribution checks
     * against `rootCertBundle` (see test/helpers/token-server.ts).
     */
    token?: { realm: string; service: string; issuer: string; rootCertBundle: string };
    /**
     * distribution's `redirect` storage middleware (registry/storage/driver/middleware/redirect): blob GET and HEAD
     * are answered 307 to this base URL plus the blob's storage path.
     */
    redirectBaseUrl?: string;
    /** `http.host`: the origin distribution writes into absolute Location headers (e.g. a separate upload host). */
    host?: string;
    /** With `tls`: require client certificates signed by this CA file (`http.tls.clientcas`). */
    clientCAs?: string;
}

/** A free TCP port on loopback. */
export function freePort(): Promise<number> {
    return new Promise((resolve, reject) => {
        const s = net.createServer();
        s.once("error", reject);
        s.listen(0, "127.0.0.1", () => {
            const port = (s.address() as net.AddressInfo).port;
            s.close(() => resolve(port));
        });
    });
}

function openssl(args: string[], cwd: string) {
    execFileSync("openssl", args, { cwd, stdio: ["ignore", "ignore", "pipe"] });
}

/**
 * A CA and a server certificate signed by it in `dir` (ca.crt, server.key, server.crt); returns the CA PEM. The
 * server name is 127.0.0.1 (an IP SAN) unless `dnsName` is given.
 */
export function makeCertificates(dir: string, dnsName?: string): string {
    openssl(
        ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.crt", "-days", "2"].concat([
            "-subj",
            "/CN=aihub-airgap test CA",
        ]),
        dir,
    );
    openssl(
        ["req", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key", "-out", "server.csr"].concat([
            "-subj",
            `/CN=${dnsName ?? "127.0.0.1"}`,
        ]),
        dir,
    );
    const san = dnsName ? `DNS:${dnsName}` : "IP:127.0.0.1";
    fs.writeFileSync(path.join(dir, "ext.cnf"), `subjectAltName=${san}\nbasicConstraints=CA:FALSE\n`);
    openssl(
        ["x509", "-req", "-in", "server.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial"].concat([
            "-out",
            "server.crt",
            "-days",
            "2",
            "-extfile",
            "ext.cnf",
        ]),
        dir,
    );
    return fs.readFileSync(path.join(dir, "ca.crt"), "utf8");
}

/**
 * A bcrypt htpasswd line (distribution accepts only bcrypt), via python's crypt or apache2-utils' htpasswd. Cost 4:
 * the registry checks the password on every request, and cost 12 made each push take seconds.
 */
export function htpasswdLine(username: string, password: string): string {
    try {
        const hash = execFileSync(
            "python3",
            [
                "-W",
                "ignore",
                "-c",
                "import crypt,sys; print(crypt.crypt(sys.argv[1], crypt.mksalt(crypt.METHOD_BLOWFISH, rounds=16)))",
                password,
            ],
            { encoding: "utf8" },
        ).trim();
        if (hash.startsWith("$2")) return `${username}:${hash}`;
    } catch {
        // fall through to htpasswd
    }
    return execFileSync("htpasswd", ["-nbB", "-C", "4", username, password], { encoding: "utf8" }).trim();
}

/** Polls `/v2/` until the registry answers (any status). */
async function waitReady(url: string, ca: string | undefined, child: ChildProcess, log: () => string) {
    for (let i = 0; i < 100; i++) {
        if (child.exitCode !== null) throw new Error(`docker-registry exited: ${log()}`);
        const ok = await new Promise<boolean>((resolve) => {
            const get = ca ? https.get : http.get;
            const req = get(url, { ca }, (res) => {
                res.resume();
                resolve(true);
            });
            req.on("error", () => resolve(false));
        });
        if (ok) return;
        await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`docker-registry did not start: ${log()}`);
}

/** Waits for a log line (a registry that requires client certificates answers no plain probe). */
async function waitLogged(line: RegExp, child: ChildProcess, log: () => string) {
    for (let i = 0; i < 100; i++) {
        if (child.exitCode !== null) throw new Error(`docker-registry exited: ${log()}`);
        if (line.test(log())) return;
        await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`docker-registry did not start: ${log()}`);
}

/** Starts `docker-registry serve` on 127.0.0.1 in a directory under `workDir`. */
export async function startRegistry(workDir: string, opts: RegistryOptions = {}): Promise<TestRegistry> {
    const dir = fs.mkdtempSync(path.join(workDir, "registry-"));
    const port = await freePort();
    const storage = path.join(dir, "storage");
    const lines = [
        "version: 0.1",
        "log: {level: info, formatter: text, accesslog: {disabled: false}}",
        `storage: {filesystem: {rootdirectory: ${storage}}, delete: {enabled: true}}`,
        "http:",
        `  addr: 127.0.0.1:${port}`,
        "  secret: test-only-secret",
    ];
    if (opts.host) lines.push(`  host: ${opts.host}`);
    let caCert: string | undefined;
    let certDir: string | undefined;
    if (opts.tls) {
        caCert = makeCertificates(dir);
        certDir = path.join(dir, "certs");
        fs.mkdirSync(certDir);
        fs.copyFileSync(path.join(dir, "ca.crt"), path.join(certDir, "ca.crt"));
        const clientcas = opts.clientCAs ? `, clientcas: [${opts.clientCAs}]` : "";
        lines.push(`  tls: {certificate: ${dir}/server.crt, key: ${dir}/server.key${clientcas}}`);
    }
    if (opts.auth) {
        fs.writeFileSync(path.join(dir, "htpasswd"), `${htpasswdLine(opts.auth.username, opts.auth.password)}\n`);
        lines.push(`auth: {htpasswd: {realm: test, path: ${dir}/htpasswd}}`);
    }
    if (opts.token) {
        const t = opts.token;
        lines.push(
            `auth: {token: {realm: "${t.realm}", service: ${t.service}, issuer: ${t.issuer}, rootcertbundle: ${t.rootCertBundle}}}`,
        );
    }
    if (opts.redirectBaseUrl) {
        lines.push(`middleware: {storage: [{name: redirect, options: {baseurl: "${opts.redirectBaseUrl}"}}]}`);
    }
    fs.writeFileSync(path.join(dir, "config.yml"), `${lines.join("\n")}\n`);
    const logFile = path.join(dir, "registry.log");
    const log = () => fs.readFileSync(logFile, "utf8");
    let child: ChildProcess;
    const launch = async (flags: string) => {
        const out = fs.openSync(logFile, flags);
        child = spawn("docker-registry", ["serve", path.join(dir, "config.yml")], { stdio: ["ignore", out, out] });
        fs.closeSync(out);
        try {
            if (opts.clientCAs) await waitLogged(/listening on/, child, log);
            else await waitReady(`${opts.tls ? "https" : "http"}://127.0.0.1:${port}/v2/`, caCert, child, log);
        } catch (e) {
            await end("SIGTERM");
            throw e;
        }
    };
    const end = (signal: NodeJS.Signals) =>
        new Promise<void>((resolve) => {
            if (child.exitCode !== null || child.signalCode !== null) return resolve();
            child.once("exit", () => resolve());
            child.kill(signal);
        });
    await launch("w");
    return {
        host: `127.0.0.1:${port}`,
        caCert,
        certDir,
        storage,
        requests: () =>
            log()
                .split("\n")
                .map((l) => /"(GET|HEAD|PUT|POST|PATCH|DELETE) (\/v2\/\S*) HTTP/.exec(l))
                .filter((m): m is RegExpExecArray => !!m)
                .map((m) => `${m[1]} ${m[2]}`),
        stop: () => end("SIGTERM"),
        kill: () => end("SIGKILL"),
        restart: () => launch("a"),
    };
}
