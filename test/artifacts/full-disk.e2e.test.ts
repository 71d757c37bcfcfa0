/**
 * Issue 26, item 5: a full disk during `bundle` and during `verify --into`. The bundle and the unpack go to a small
 * tmpfs mounted in a private mount namespace (`unshare -m`, a `sleep` holding it; the commands run in it with
 * `nsenter -m`, and the test reads its files through `/proc/<pid>/root`), so nothing is mounted on the machine and
 * the mount goes with the process. Each run must fail naming the path and the space (needed, where known up front;
 * free), record nothing half-written as complete, and complete when run again after space was freed (the tmpfs
 * remounted larger). Needs root (mount); the tests run as root inside their network namespace.
 */
import assert from "node:assert/strict";
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe, test } from "node:test";
import { buildBundle } from "../../pipeline/bundle";
import { imageArtifacts, readManifest } from "../../pipeline/manifest";
import { splitBundle } from "../../pipeline/split";
import { bundleOf, startUpstream, type Upstream } from "../fixtures/images/upstream";
import { eventually } from "../helpers/eventually";

const ROOT = path.resolve(__dirname, "../..");

let work: string;
let up: Upstream;
let holder: ChildProcess;
/** The mount point, the same path inside and outside the namespace (outside it stays an empty folder). */
let small: string;

/** Runs `argv` inside the namespace from the repository root; exit code and output. */
function inNamespace(argv: string[]): { code: number | null; out: string } {
    const r = spawnSync("nsenter", ["-t", String(holder.pid), "-m", `--wd=${ROOT}`, "--", ...argv], {
        cwd: ROOT,
        encoding: "utf8",
        env: process.env,
    });
    return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

/** `path` as the namespace sees it, readable from here. */
const seen = (p: string) => path.join(`/proc/${holder.pid}/root`, p);

/** (Re)mounts the tmpfs at `small` with `size` in the namespace. */
function mountSmall(size: string, remount = false): void {
    const opts = remount ? `remount,size=${size}` : `size=${size}`;
    const r = inNamespace(["mount", "-t", "tmpfs", "-o", opts, "tmpfs", small]);
    assert.equal(r.code, 0, r.out);
}

/** A script that runs buildBundle with `opts` in the namespace (the pipeline imported by absolute path). */
function bundleScript(opts: object): string {
    const file = path.join(work, `bundle-${crypto.randomUUID()}.ts`);
    fs.writeFileSync(
        file,
        [
            `import { buildBundle } from ${JSON.stringify(path.join(ROOT, "pipeline/bundle.ts"))};`,
            `buildBundle({ ...${JSON.stringify(opts)}, write: (l: string) => console.log(l) }).then(`,
            `    (r) => console.log("bundle done: " + r.fetched.length + " fetched, " + r.reused.length + " reused"),`,
            `    (e) => { console.error("bundle failed: " + e.message); process.exitCode = 1; },`,
            `);`,
        ].join("\n"),
    );
    return file;
}

/** Every blob an image record names is on disk under `bundle` with its size and digest. */
function wholeImages(bundle: string): { whole: string[]; broken: string[] } {
    const m = readManifest(bundle);
    const out = { whole: [] as string[], broken: [] as string[] };
    for (const a of m ? imageArtifacts(m) : []) {
        const ok = a.blobs.every((b) => {
            const f = path.join(bundle, a.path, "blobs/sha256", b.digest.slice(7));
            if (!fs.existsSync(f) || fs.statSync(f).size !== b.size) return false;
            return `sha256:${crypto.createHash("sha256").update(fs.readFileSync(f)).digest("hex")}` === b.digest;
        });
        (ok ? out.whole : out.broken).push(a.source);
    }
    return out;
}

before(async () => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), "aihub-fulldisk-"));
    up = await startUpstream(work);
    small = path.join(work, "small");
    fs.mkdirSync(small);
    holder = spawn("unshare", ["-m", "--propagation", "private", "sleep", "900"], { stdio: "ignore" });
    const own = fs.readlinkSync("/proc/self/ns/mnt");
    await eventually("the private mount namespace", async () => {
        try {
            return fs.readlinkSync(`/proc/${holder.pid}/ns/mnt`) !== own;
        } catch {
            return false;
        }
    });
});

after(async () => {
    if (holder?.exitCode === null) holder.kill("SIGKILL");
    await up?.registry.stop();
    fs.rmSync(work, { recursive: true, force: true });
});

describe("a full disk during bundle and verify --into (issue 26, item 5)", () => {
    test("bundle into a 6 MiB filesystem fails naming the folder and the free space; bundle.json names only whole images; after more space the re-run completes", async () => {
        mountSmall("6m");
        const out = path.join(small, "bundle");
        // One image at a time, so some are whole before the disk fills.
        const opts = bundleOf(up, out, { signatures: false, parallel: 1 });
        const first = inNamespace(["node", "--import", "tsx", bundleScript(opts)]);
        assert.equal(first.code, 1, first.out);
        assert.match(
            first.out,
            new RegExp(
                `bundle failed: the disk filled up while writing the bundle in ${out} \\(.* free now\\): free space on that filesystem`,
            ),
        );
        assert.match(first.out, /what bundle\.json records is complete and is reused by the next run/);
        const before = wholeImages(seen(out));
        assert.deepEqual(before.broken, [], "bundle.json records an image whose blobs are not all whole");
        assert.ok(before.whole.length < up.refs.length, `every image fit: ${before.whole.join(", ")}`);
        console.log(`# first run recorded ${before.whole.length} of ${up.refs.length} images before the disk filled`);

        mountSmall("64m", true);
        const t0 = Date.now();
        const again = inNamespace(["node", "--import", "tsx", bundleScript(opts)]);
        assert.equal(again.code, 0, again.out);
        assert.match(
            again.out,
            new RegExp(`bundle done: ${up.refs.length - before.whole.length} fetched, ${before.whole.length} reused`),
        );
        const v = inNamespace(["node", "--import", "tsx", "cli/verify.ts", out]);
        assert.equal(v.code, 0, v.out);
        assert.match(v.out, /bundle ok: /);
        console.log(`# figure: bundle re-run after freeing space: ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    });

    test("verify --into a filesystem too small for the parts fails up front naming the folder and the space, writes nothing; with space it completes", async () => {
        const bundle = path.join(work, "bundle");
        await buildBundle(bundleOf(up, bundle, { signatures: false }));
        const parts = path.join(work, "parts");
        const names = await splitBundle(bundle, parts, 4 << 20);
        const need = names.reduce((n, f) => n + fs.statSync(path.join(parts, f)).size, 0);
        inNamespace(["umount", small]);
        mountSmall("4m");
        const into = path.join(small, "unpacked");
        const verify = () => inNamespace(["node", "--import", "tsx", "cli/verify.ts", parts, "--into", into]);
        const r = verify();
        assert.equal(r.code, 1, r.out);
        const mib = (need / 1048576).toFixed(1);
        assert.match(
            r.out,
            new RegExp(
                `not enough disk space for the unpacked bundle in ${into}: it needs ${mib} MiB and 4\\.0 MiB is free on that filesystem .*; nothing was written`,
            ),
        );
        assert.equal(fs.existsSync(seen(into)), false, "the refused unpack left a folder");

        mountSmall("64m", true);
        const ok = verify();
        assert.equal(ok.code, 0, ok.out);
        assert.match(ok.out, new RegExp(`bundle ok: ${into}: `));
    });
});
