/**
 * Throwaway PostgreSQL servers on loopback for tests: Debian's postgresql binaries (/usr/lib/postgresql/<v>/bin),
 * initdb + pg_ctl in a temp dir, password (scram) auth on 127.0.0.1. Run as the `postgres` user when the tests
 * run as root, since initdb refuses root.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";

/** The bin directory of the newest installed PostgreSQL, or undefined. */
export function postgresBinDir(): string | undefined {
    const root = "/usr/lib/postgresql";
    if (!fs.existsSync(root)) return undefined;
    const versions = fs
        .readdirSync(root)
        .filter((v) => fs.existsSync(path.join(root, v, "bin", "initdb")))
        .sort((a, b) => Number(b) - Number(a));
    return versions.length ? path.join(root, versions[0], "bin") : undefined;
}

/** A running server: its port and superuser, and how to stop it. */
export interface PgServer {
    port: number;
    superuser: string;
    superPassword: string;
    dir: string;
    /** Runs SQL as `user` on `db` (password from `password`), returns psql's unaligned output. */
    sql(db: string, user: string, password: string, query: string): string;
    stop(): void;
}

async function freePort(): Promise<number> {
    return new Promise((resolve, reject) => {
        const srv = net.createServer();
        srv.listen(0, "127.0.0.1", () => {
            const port = (srv.address() as net.AddressInfo).port;
            srv.close(() => resolve(port));
        });
        srv.on("error", reject);
    });
}

function asOwner(bin: string, args: string[]): void {
    const root = process.getuid?.() === 0;
    execFileSync(root ? "runuser" : bin, root ? ["-u", "postgres", "--", bin, ...args] : args, { stdio: "pipe" });
}

/** Starts a server in a new temp dir with a scram-authenticated superuser. */
export async function startPostgres(bin: string): Promise<PgServer> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pg-test-"));
    fs.chmodSync(dir, 0o777);
    const superuser = "admin";
    const superPassword = `pw-${process.pid}-${Date.now()}`;
    const pwfile = path.join(dir, "pw");
    fs.writeFileSync(pwfile, superPassword, { mode: 0o644 });
    const data = path.join(dir, "data");
    asOwner(path.join(bin, "initdb"), [
        "-D",
        data,
        "-U",
        superuser,
        "--pwfile",
        pwfile,
        "--auth=scram-sha-256",
        "--no-sync",
    ]);
    fs.rmSync(pwfile);
    const port = await freePort();
    const opts = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`;
    asOwner(path.join(bin, "pg_ctl"), ["-D", data, "-o", opts, "-l", path.join(dir, "log"), "-w", "start"]);
    return {
        port,
        superuser,
        superPassword,
        dir,
        sql(db, user, password, query) {
            return execFileSync(
                path.join(bin, "psql"),
                ["-h", "127.0.0.1", "-p", String(port), "-U", user, "-d", db, "-tAq", "-v", "ON_ERROR_STOP=1"],
                { input: query, encoding: "utf8", env: { ...process.env, PGPASSWORD: password } },
            ).trim();
        },
        stop() {
            try {
                asOwner(path.join(bin, "pg_ctl"), ["-D", data, "-m", "fast", "-w", "stop"]);
            } finally {
                fs.rmSync(dir, { recursive: true, force: true });
            }
        },
    };
}
