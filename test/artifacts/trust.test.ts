/**
 * Trust across the gap (issue 25, items 1–4): split parts signed and unpacked in-process into a new or empty folder,
 * refusing crafted tar entries made by the real GNU tar; the first check by openssl and sha256sum alone; the checkout
 * and lockfile recorded; files bundle.json does not list, links and unconfined paths or digests refused; a signed
 * bundle refused without a key; the stack's bundle.publicKey used by push; a rollback refused.
 */
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe, test } from "node:test";
import { sha256 } from "../../lib/digest";
import { walkImage } from "../../pipeline/layout";
import { parseManifest, readManifest, writeManifest } from "../../pipeline/manifest";
import { rollbackProblem } from "../../pipeline/push-record";
import { sealBundle } from "../../pipeline/seal";
import { loadSigningKey } from "../../pipeline/signing";
import { splitBundle, sumsText, SUMS_FILE, SUMS_SIG_FILE, writeSums } from "../../pipeline/split";
import { PROJECT_DIR } from "../harness";
import { makeKey, runVerifyCjs, smallBundle, smallCheckout } from "../helpers/signing";

let work: string;
let key: crypto.KeyObject;
let pub: string;
let otherPub: string;
let checkout: string;
let bundle: string;
before(async () => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), "aihub-trust-"));
    const k = makeKey(work, "signer");
    key = loadSigningKey(fs.readFileSync(k.key, "utf8"), k.key);
    pub = k.pub;
    otherPub = makeKey(work, "other").pub;
    checkout = smallCheckout(path.join(work, "checkout"));
    bundle = path.join(work, "bundle");
    await smallBundle(bundle);
    await sealBundle(bundle, checkout, key);
});
after(() => fs.rmSync(work, { recursive: true, force: true }));

/** verify.cjs (built from this checkout) run from `cwd`. */
function verifyIn(cwd: string, args: string[]) {
    const cjs = path.join(work, "verify.cjs");
    if (!fs.existsSync(cjs)) fs.copyFileSync(path.join(bundle, "verify.cjs"), cjs);
    const r = spawnSync(process.execPath, [cjs, ...args], { cwd, encoding: "utf8", env: { PATH: process.env.PATH } });
    return { code: r.status, out: r.stdout + r.stderr };
}

/** A copy of the bundle to damage. */
function copyOf(name: string): string {
    const dir = path.join(work, name);
    fs.cpSync(bundle, dir, { recursive: true });
    return dir;
}

describe("the first check needs only openssl and sha256sum", () => {
    test("SHA256SUMS lists every file, verify.cjs included, and its signature checks with openssl dgst", () => {
        const sums = fs.readFileSync(path.join(bundle, SUMS_FILE), "utf8");
        for (const f of ["verify.cjs", "bundle.json", "bundle.json.sig", "sbom.cdx.json", "files/images.txt"]) {
            assert.match(sums, new RegExp(`^[a-f0-9]{64}  ${f.replace(".", "\\.")}$`, "m"), f);
        }
        const ok = execFileSync(
            "openssl",
            ["dgst", "-sha256", "-verify", pub, "-signature", SUMS_SIG_FILE, SUMS_FILE],
            { cwd: bundle, encoding: "utf8" },
        );
        assert.equal(ok.trim(), "Verified OK");
        execFileSync("sha256sum", ["--quiet", "-c", SUMS_FILE], { cwd: bundle });
        const bad = spawnSync(
            "openssl",
            ["dgst", "-sha256", "-verify", otherPub, "-signature", SUMS_SIG_FILE, SUMS_FILE],
            {
                cwd: bundle,
                encoding: "utf8",
            },
        );
        assert.notEqual(bad.status, 0);
        const m = readManifest(bundle)!;
        const v = m.artifacts.find((a) => a.kind === "verifier")!;
        assert.equal(v.kind === "verifier" && v.sha256, sha256(fs.readFileSync(path.join(bundle, "verify.cjs"))));
    });

    test("a replaced verify.cjs fails sha256sum -c", () => {
        const dir = copyOf("swapped-verifier");
        fs.appendFileSync(path.join(dir, "verify.cjs"), "\nprocess.exit(0);\n");
        const r = spawnSync("sha256sum", ["--quiet", "-c", SUMS_FILE], { cwd: dir, encoding: "utf8" });
        assert.notEqual(r.status, 0);
        assert.match(r.stdout, /^verify\.cjs: FAILED$/m);
    });
});

describe("verify refuses what bundle.json does not vouch for", () => {
    test("the recorded checkout: unchanged passes; a changed cli/push.ts or package-lock.json is named", () => {
        const ok = verifyIn(checkout, [bundle, "--key", pub]);
        assert.equal(ok.code, 0, ok.out);
        assert.match(ok.out, /checkout [a-f0-9]{12} unchanged; signature ok/);
        const changed = path.join(work, "changed-checkout");
        fs.cpSync(checkout, changed, { recursive: true });
        fs.appendFileSync(path.join(changed, "cli", "push.ts"), "require('child_process').exec('curl evil');\n");
        fs.appendFileSync(path.join(changed, "package-lock.json"), " ");
        const r = verifyIn(changed, [bundle, "--key", pub]);
        assert.equal(r.code, 1, r.out);
        assert.match(
            r.out,
            /^BAD checkout: cli\/push\.ts: changed \(.*changed-checkout; the bundle was made from commit [a-f0-9]{40}: use that checkout unchanged\)$/m,
        );
        assert.match(r.out, /^BAD checkout: package-lock\.json: changed/m);
        const none = verifyIn(work, [bundle, "--key", pub]);
        assert.equal(none.code, 1, none.out);
        assert.match(
            none.out,
            /^BAD checkout: no project checkout at .*: run verify from the checkout carried with the bundle, or pass --checkout <dir>$/m,
        );
        assert.equal(verifyIn(work, [bundle, "--key", pub, "--checkout", checkout]).code, 0);
    });

    test("a file bundle.json does not list (an extra tarball) fails verify, named", () => {
        const dir = copyOf("extra");
        fs.writeFileSync(path.join(dir, "files", "evil-1.0.0.tgz"), "x");
        const r = verifyIn(checkout, [dir, "--key", pub]);
        assert.equal(r.code, 1, r.out);
        assert.match(r.out, /^BAD file files\/evil-1\.0\.0\.tgz: not listed in bundle\.json/m);
    });

    test("a link in place of a file is refused without being followed (/dev/zero is never hashed)", () => {
        const dir = copyOf("linked");
        const f = path.join(dir, "files", "images.txt");
        fs.rmSync(f);
        fs.symlinkSync("/dev/zero", f);
        const started = Date.now();
        const r = verifyIn(checkout, [dir, "--key", pub]);
        assert.equal(r.code, 1, r.out);
        assert.match(r.out, /^BAD file files\/images\.txt: not a regular file/m);
        assert.ok(Date.now() - started < 30_000);
    });

    test("paths that leave the bundle and digests that are not sha256 hex are refused by the schema", () => {
        const m = JSON.parse(fs.readFileSync(path.join(bundle, "bundle.json"), "utf8"));
        for (const p of ["../../etc/passwd", "/etc/passwd", "files/../../x", "./files/x", "files//x"]) {
            const doc = { ...m, artifacts: [{ ...m.artifacts[0], path: p }] };
            assert.throws(() => parseManifest(JSON.stringify(doc)), /paths must stay inside the bundle/, p);
        }
        const img = {
            kind: "image",
            name: "a/b:1",
            source: "a/b:1",
            target: "r/a/b:1",
            digest: "sha256:../../x",
            mediaType: "application/vnd.oci.image.manifest.v1+json",
            size: 1,
            path: "images",
            blobs: [{ digest: "sha256:../../x", size: 1 }],
        };
        assert.throws(() => parseManifest(JSON.stringify({ ...m, artifacts: [img] })), /digest/);
    });

    test("a manifest in the layout naming a blob sha256:../../x, or larger than 4 MiB, stops the walk", () => {
        const layout = path.join(work, "layout");
        fs.mkdirSync(path.join(layout, "blobs", "sha256"), { recursive: true });
        const put = (b: Buffer) => {
            const d = `sha256:${sha256(b)}`;
            fs.writeFileSync(path.join(layout, "blobs", "sha256", d.slice(7)), b);
            return { mediaType: "application/vnd.oci.image.manifest.v1+json", digest: d, size: b.length };
        };
        const evil = put(
            Buffer.from(
                JSON.stringify({ schemaVersion: 2, config: { digest: "sha256:../../x", size: 1 }, layers: [] }),
            ),
        );
        assert.throws(() => walkImage(layout, evil), /names a blob "sha256:\.\.\/\.\.\/x" that is not a sha256 digest/);
        const big = put(Buffer.alloc((4 << 20) + 1, 0x20));
        assert.throws(() => walkImage(layout, big), /more than the 4194304 a manifest may have/);
    });
});

describe("split parts", () => {
    let parts: string;
    before(async () => {
        parts = path.join(work, "parts");
        await splitBundle(bundle, parts, 1 << 20, key);
    });

    const fresh = (name: string) => {
        const dir = path.join(work, name);
        fs.cpSync(parts, dir, { recursive: true });
        return dir;
    };

    test("signed SHA256SUMS checks with openssl; verify unpacks into ./bundle of the current folder and verifies", () => {
        const ok = execFileSync(
            "openssl",
            ["dgst", "-sha256", "-verify", pub, "-signature", SUMS_SIG_FILE, SUMS_FILE],
            { cwd: parts, encoding: "utf8" },
        );
        assert.equal(ok.trim(), "Verified OK");
        const inside = path.join(work, "inside");
        fs.cpSync(checkout, inside, { recursive: true });
        const r = verifyIn(inside, [parts, "--key", pub]);
        assert.equal(r.code, 0, r.out);
        assert.match(r.out, /^SHA256SUMS signature ok; unpacking \d+ part\(s\) into .*inside\/bundle$/m);
        assert.equal(fs.statSync(path.join(inside, "bundle", "files", "images.txt")).mode & 0o777, 0o644);
        const again = verifyIn(inside, [parts, "--key", pub]);
        assert.equal(again.code, 1, again.out);
        assert.match(again.out, /^BAD .*inside\/bundle is not empty: give --into a new or empty folder/m);
    });

    test("signed parts without --key are refused; SHA256SUMS changed after signing unpacks nothing", () => {
        const into = path.join(work, "unpack-nokey");
        const r = verifyIn(checkout, [parts, "--into", into]);
        assert.equal(r.code, 1, r.out);
        assert.match(r.out, /^BAD SHA256SUMS\.sig: the parts are signed but no public key was given/m);
        const dir = fresh("resummed");
        const p0 = path.join(dir, "bundle.tar.part-000");
        fs.appendFileSync(p0, "x");
        const text = fs
            .readFileSync(path.join(dir, SUMS_FILE), "utf8")
            .replace(/^[a-f0-9]{64}(?= {2}bundle\.tar\.part-000$)/m, sha256(fs.readFileSync(p0)));
        fs.writeFileSync(path.join(dir, SUMS_FILE), text);
        const bad = verifyIn(checkout, [dir, "--into", into, "--key", pub]);
        assert.equal(bad.code, 1, bad.out);
        assert.match(bad.out, /^BAD SHA256SUMS\.sig: .* does not match SHA256SUMS for key sha256:[a-f0-9]{64}/m);
        assert.equal(fs.existsSync(into), false);
    });

    test("a part altered after signing is caught while it streams; the folder is removed again", () => {
        const dir = fresh("altered");
        const p0 = path.join(dir, "bundle.tar.part-000");
        const b = fs.readFileSync(p0);
        b[b.length - 700] ^= 1;
        fs.writeFileSync(p0, b);
        const into = path.join(work, "unpack-altered");
        const r = verifyIn(checkout, [dir, "--into", into, "--key", pub]);
        assert.equal(r.code, 1, r.out);
        assert.match(r.out, /^BAD part bundle\.tar\.part-000: checksum mismatch/m);
        assert.equal(fs.existsSync(into), false);
    });

    /** Parts made of a tar the real GNU tar wrote from `setup`'s folder, signed with the right key. */
    const crafted = (name: string, tarArgs: (src: string) => string[]) => {
        const dir = path.join(work, `crafted-${name}`);
        const src = path.join(work, `src-${name}`);
        fs.mkdirSync(dir, { recursive: true });
        fs.mkdirSync(src, { recursive: true });
        fs.writeFileSync(path.join(src, "f"), "payload\n");
        execFileSync("tar", ["-cf", path.join(dir, "bundle.tar.part-000"), ...tarArgs(src)], {
            cwd: src,
            stdio: "pipe",
        });
        fs.copyFileSync(path.join(parts, "verify.cjs"), path.join(dir, "verify.cjs"));
        const entries = ["bundle.tar.part-000", "verify.cjs"].map((n) => ({
            name: n,
            sha256: sha256(fs.readFileSync(path.join(dir, n))),
        }));
        assert.equal(writeSums(dir, entries, key), sumsText(entries));
        return dir;
    };
    const cases: [string, (src: string) => string[], RegExp][] = [
        [
            "dotdot",
            () => ["-P", "--transform", "s,^f$,../../escaped,", "f"],
            /entry "\.\.\/\.\.\/escaped" climbs out of its folder/,
        ],
        ["absolute", (src) => ["-P", path.join(src, "f")], /entry "\/.*\/f" is not a relative path/],
        [
            "symlink",
            (src) => (fs.symlinkSync("/etc", path.join(src, "link")), ["link", "f"]),
            /entry "link" is a symbolic link/,
        ],
        [
            "hardlink",
            (src) => (fs.linkSync(path.join(src, "f"), path.join(src, "g")), ["f", "g"]),
            /entry "g" is a hard link/,
        ],
        ["fifo", (src) => (execFileSync("mkfifo", [path.join(src, "p")]), ["p"]), /entry "p" is a FIFO/],
    ];
    for (const [name, args, expected] of cases) {
        test(`a tar entry that is ${name} is refused and nothing is written outside the new folder`, () => {
            const dir = crafted(name, args);
            const into = path.join(work, `deep/${name}/into`);
            const r = verifyIn(checkout, [dir, "--into", into, "--key", pub]);
            assert.equal(r.code, 1, r.out);
            assert.match(r.out, expected);
            assert.equal(fs.existsSync(into), false);
            assert.equal(fs.existsSync(path.join(work, "deep", "escaped")), false);
            assert.equal(fs.existsSync(path.join(work, "deep", name, "escaped")), false);
        });
    }
});

describe("push: the stack's key, and no rollback", () => {
    /** Runs the push CLI for stack `t` of `project` (no registry is reached: each case stops before). */
    const push = (project: string, dir: string, ...args: string[]) => {
        const r = spawnSync(
            process.execPath,
            ["--import", "tsx", path.join(PROJECT_DIR, "cli/push.ts"), dir, "--stack", "t", "--dir", project, ...args],
            { cwd: PROJECT_DIR, env: { ...process.env, AIHUB_REGISTRY_PASSWORD: "unused" }, encoding: "utf8" },
        );
        return { code: r.status, out: `${r.stdout}${r.stderr}` };
    };
    const stack = (project: string, publicKey?: string) => {
        const lines = ["config:", "  aihub-airgap:registry:", "    server: 127.0.0.1:9", "    username: k8s"];
        if (publicKey)
            lines.push(
                "  aihub-airgap:bundle:",
                "    publicKey: |",
                ...publicKey
                    .trim()
                    .split("\n")
                    .map((l) => `      ${l}`),
            );
        fs.writeFileSync(path.join(project, "Pulumi.t.yaml"), `${lines.join("\n")}\n`);
    };

    test("bundle.publicKey in the stack checks the signature: another key's bundle is refused, nothing pushed", () => {
        stack(checkout, fs.readFileSync(otherPub, "utf8"));
        const r = push(checkout, bundle);
        assert.equal(r.code, 1, r.out);
        assert.match(r.out, /^BAD bundle\.json\.sig: does not match bundle\.json for key sha256:/m);
        assert.match(r.out, /push refused: the bundle failed verification/);
        stack(checkout, "-----BEGIN PRIVATE KEY-----\nabc\n-----END PRIVATE KEY-----");
        const priv = push(checkout, bundle);
        assert.notEqual(priv.code, 0);
        assert.match(priv.out, /bundle\.publicKey: is a private key: never put it in the stack/);
    });

    test("a bundle older than the last one pushed to the registry is refused unless --allow-older", () => {
        stack(checkout, fs.readFileSync(pub, "utf8"));
        const rec = path.join(checkout, ".aihub-airgap", "pushed.json");
        fs.mkdirSync(path.dirname(rec), { recursive: true });
        fs.writeFileSync(
            rec,
            JSON.stringify({ "127.0.0.1:9": { created: "2027-01-01T00:00:00.000Z", bundleSha256: "x", stack: "t" } }),
        );
        const r = push(checkout, bundle);
        assert.equal(r.code, 1, r.out);
        assert.match(r.out, /created 2026-11-22T15:00:00\.000Z; signed by sha256:/);
        assert.match(
            r.out,
            /push refused: this bundle was created 2026-11-22T15:00:00\.000Z, before the one last pushed to this registry \(created 2027-01-01T00:00:00\.000Z, stack t\)/,
        );
        const older = push(checkout, bundle, "--allow-older", "--parallel", "1");
        assert.doesNotMatch(older.out, /push refused: this bundle was created/);
        assert.equal(
            rollbackProblem("2027-01-02T00:00:00Z", { created: "2027-01-01T00:00:00Z", bundleSha256: "", stack: "t" }),
            undefined,
        );
        fs.rmSync(rec);
    });
});

test("an unsigned bundle still passes without a key (nothing to check), and --into is only for parts", async () => {
    const dir = path.join(work, "unsigned");
    await smallBundle(dir);
    const m = readManifest(dir)!;
    writeManifest(dir, m);
    const r = runVerifyCjs(work, [dir]);
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, /no checkout recorded; unsigned$/m);
});
