/**
 * modules/backup/pg.sh (the script the backup and restore Jobs run) against real PostgreSQL servers on loopback: data
 * written, dumped in parallel, dropped, restored, compared; refusals leave the data untouched.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { postgresBinDir, startPostgres, type PgServer } from "../helpers/postgres";

const SCRIPT = path.resolve(__dirname, "..", "..", "modules", "backup", "pg.sh");
const bin = postgresBinDir();
const skip = bin ? false : "PostgreSQL is not installed (apt-get install postgresql)";

/** Two servers standing in for aihub-db and keycloak-db, each with its own database and owner. */
const DBS = [
    { name: "aihub", db: "aihub", user: "aihub", password: "aihub-secret-1" },
    { name: "keycloak", db: "keycloak", user: "keycloak", password: "kc-secret-2" },
];

describe("modules/backup/pg.sh on loopback PostgreSQL", { skip, timeout: 120_000 }, () => {
    let servers: PgServer[] = [];
    let tmp: string;
    let env: NodeJS.ProcessEnv;

    const fingerprint = (i: number) =>
        servers[i].sql(
            DBS[i].db,
            DBS[i].user,
            DBS[i].password,
            "select count(*) || ':' || md5(string_agg(t::text, ',' order by id)) from items t",
        );
    const run = (...args: string[]) => {
        const t0 = Date.now();
        const r = spawnSync("bash", [SCRIPT, ...args], { env, encoding: "utf8" });
        return { ...r, ms: Date.now() - t0 };
    };

    before(async () => {
        tmp = fs.mkdtempSync(path.join(os.tmpdir(), "pg-script-"));
        servers = await Promise.all(DBS.map(() => startPostgres(bin!)));
        const pass: string[] = [];
        const list: string[] = [];
        DBS.forEach((d, i) => {
            const s = servers[i];
            s.sql("postgres", s.superuser, s.superPassword, `create role ${d.user} login password '${d.password}'`);
            s.sql("postgres", s.superuser, s.superPassword, `create database ${d.db} owner ${d.user}`);
            s.sql(
                d.db,
                d.user,
                d.password,
                `create table items (id serial primary key, name text not null, body bytea);
                 insert into items (name, body) select 'item ' || g, decode(md5(g::text), 'hex') from generate_series(1, 50000) g;
                 create index items_name on items (name);`,
            );
            pass.push(`127.0.0.1:${s.port}:${d.db}:${d.user}:${d.password}`);
            list.push(`${d.name} 127.0.0.1 ${s.port} ${d.db} ${d.user}`);
        });
        fs.writeFileSync(path.join(tmp, "pgpass"), pass.join("\n") + "\n", { mode: 0o600 });
        fs.writeFileSync(path.join(tmp, "dbs"), `# name host port database user\n${list.join("\n")}\n`);
        env = {
            PATH: `${bin}:${process.env.PATH}`,
            PGPASSFILE: path.join(tmp, "pgpass"),
            AIHUB_DB_LIST: path.join(tmp, "dbs"),
        };
    });

    after(() => {
        for (const s of servers) s.stop();
        if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
    });

    it("dumps every database in parallel, then a drop is undone by the restore", () => {
        const before0 = fingerprint(0);
        const before1 = fingerprint(1);
        assert.match(before0, /^50000:[0-9a-f]{32}$/);
        const out = path.join(tmp, "b1");
        const dump = run("dump", out);
        assert.equal(dump.status, 0, dump.stderr);
        for (const d of DBS) {
            assert.ok(fs.statSync(path.join(out, `${d.name}.dump`)).size > 0);
            assert.ok(fs.existsSync(path.join(out, `${d.name}.dump.sha256`)));
        }
        assert.ok(fs.existsSync(path.join(out, "complete")));
        // Parallel: every dump started before the first one finished.
        const timeline = fs
            .readFileSync(path.join(out, "timeline"), "utf8")
            .trim()
            .split("\n")
            .map((l) => l.split(" "));
        const starts = timeline.filter((l) => l[0] === "started").map((l) => Number(l[2]));
        const ends = timeline.filter((l) => l[0] === "finished").map((l) => Number(l[2]));
        assert.equal(starts.length, 2);
        assert.ok(Math.max(...starts) < Math.min(...ends), `dumps ran one after the other: ${timeline.join("; ")}`);
        console.log(
            `# dump of 2 x 50000 rows: ${dump.ms} ms, start skew ${Math.max(...starts) - Math.min(...starts)} ms`,
        );

        servers[0].sql(DBS[0].db, DBS[0].user, DBS[0].password, "drop table items");
        servers[1].sql(DBS[1].db, DBS[1].user, DBS[1].password, "drop table items");
        const restore = run("restore", out);
        assert.equal(restore.status, 0, restore.stderr);
        console.log(`# restore of 2 x 50000 rows: ${restore.ms} ms`);
        assert.equal(fingerprint(0), before0);
        assert.equal(fingerprint(1), before1);
    });

    it("refuses to restore over a database that has tables unless --drop-existing, changing nothing", () => {
        const out = path.join(tmp, "b2");
        assert.equal(run("dump", out).status, 0);
        const dumped = fingerprint(0);
        servers[0].sql(DBS[0].db, DBS[0].user, DBS[0].password, "insert into items (name) values ('added later')");
        const changed = fingerprint(0);
        const refused = run("restore", out);
        assert.equal(refused.status, 3);
        assert.match(refused.stderr, /database aihub of aihub has tables.*--drop-existing/);
        assert.equal(fingerprint(0), changed);
        const forced = run("restore", out, "--drop-existing");
        assert.equal(forced.status, 0, forced.stderr);
        assert.equal(fingerprint(0), dumped);
    });

    it("refuses a damaged or incomplete dump before touching any database", () => {
        const out = path.join(tmp, "b3");
        assert.equal(run("dump", out).status, 0);
        const aihubBefore = fingerprint(0);
        servers[0].sql(DBS[0].db, DBS[0].user, DBS[0].password, "insert into items (name) values ('after the dump')");
        const aihubChanged = fingerprint(0);
        assert.notEqual(aihubChanged, aihubBefore);
        servers[1].sql(DBS[1].db, DBS[1].user, DBS[1].password, "drop table items");
        const file = path.join(out, "keycloak.dump");
        const bytes = fs.readFileSync(file);
        bytes[bytes.length - 10] ^= 0xff;
        fs.writeFileSync(file, bytes);
        const damaged = run("restore", out, "--drop-existing");
        assert.equal(damaged.status, 2);
        assert.match(damaged.stderr, /keycloak\.dump is damaged/);
        assert.equal(fingerprint(0), aihubChanged, "aihub was restored although keycloak's dump is damaged");
        fs.rmSync(path.join(out, "complete"));
        const incomplete = run("restore", out);
        assert.match(incomplete.stderr, /no complete dump/);
    });

    it("never dumps into a non-empty directory and names a missing database list", () => {
        const out = path.join(tmp, "b1");
        const again = run("dump", out);
        assert.equal(again.status, 2);
        assert.match(again.stderr, /is not empty/);
        const noList = spawnSync("bash", [SCRIPT, "dump", path.join(tmp, "b9")], {
            env: { PATH: env.PATH },
            encoding: "utf8",
        });
        assert.equal(noList.status, 2);
        assert.match(noList.stderr, /AIHUB_DB_LIST is not set/);
    });
});
