/**
 * The signature format against the real cosign (built from Go modules, see test/helpers/cosign.ts): cosign's
 * `verify-blob` accepts our bundle.json.sig, and our verify accepts what `cosign sign-blob` writes, with a key
 * pair cosign made and with our openssl key imported into cosign. No transparency log: nothing leaves the machine.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe, test } from "node:test";
import { sealBundle } from "../../pipeline/seal";
import { loadSigningKey, SIGSTORE_BUNDLE_FILE } from "../../pipeline/signing";
import { PROJECT_DIR } from "../harness";
import { COSIGN_BUILD, COSIGN_VERSION, cosignBinary } from "../helpers/cosign";
import { makeKey, runVerifyCjs, smallBundle } from "../helpers/signing";

const cosign = cosignBinary();
const skip = cosign ? false : `cosign ${COSIGN_VERSION} is not built (about 10 min cold): ${COSIGN_BUILD}`;

describe(`real cosign (${cosign ?? COSIGN_VERSION})`, { skip }, () => {
    let work: string;
    let out: string;
    let key: { key: string; pub: string };
    // cosign reads its key passphrase from COSIGN_PASSWORD; TUF_ROOT keeps its trust cache in the test dir.
    const run = (args: string[]) => {
        const env = { ...process.env, COSIGN_PASSWORD: "cosign-test", TUF_ROOT: path.join(work, "tuf") };
        const r = spawnSync(cosign!, args, { cwd: work, env, encoding: "utf8" });
        return { code: r.status, out: r.stdout + r.stderr };
    };
    const verifyBlob = (pub: string) =>
        run([
            "verify-blob",
            "--key",
            pub,
            "--signature",
            `${out}/bundle.json.sig`,
            "--insecure-ignore-tlog=true",
            `${out}/bundle.json`,
        ]);
    const signBlob = (cosignKey: string) => {
        const before = fs.readFileSync(path.join(out, "bundle.json.sig"), "utf8");
        // A plain signature file, no transparency log: v3 needs the first two flags (its default is a Sigstore bundle).
        const plain = ["--new-bundle-format=false", "--use-signing-config=false", "--tlog-upload=false", "--yes"];
        const args = ["sign-blob", "--key", cosignKey, ...plain];
        const r = run([...args, "--output-signature", `${out}/bundle.json.sig`, `${out}/bundle.json`]);
        assert.equal(r.code, 0, r.out);
        // And the Sigstore bundle cosign writes by default in v3 (--new-bundle-format here), which our verify reads too.
        const b = run([
            "sign-blob",
            "--key",
            cosignKey,
            ...plain.slice(1),
            "--new-bundle-format",
            "--bundle",
            `${out}/${SIGSTORE_BUNDLE_FILE}`,
            `${out}/bundle.json`,
        ]);
        assert.equal(b.code, 0, b.out);
        assert.notEqual(fs.readFileSync(path.join(out, "bundle.json.sig"), "utf8"), before, "cosign wrote a new one");
    };

    before(async () => {
        work = fs.mkdtempSync(path.join(os.tmpdir(), "aihub-cosign-"));
        out = path.join(work, "bundle");
        await smallBundle(out);
        key = makeKey(work, "ours", "pkcs8");
        await sealBundle(out, PROJECT_DIR, loadSigningKey(fs.readFileSync(key.key, "utf8"), key.key));
    });
    after(() => fs.rmSync(work, { recursive: true, force: true }));

    /** `verify` accepts the signed bundle.json; `whenChanged` runs with one byte appended to it (then restored). */
    const acceptedUntilChanged = (verify: () => { code: number | null; out: string }, whenChanged: () => void) => {
        const ok = verify();
        assert.equal(ok.code, 0, ok.out);
        assert.match(ok.out, /Verified OK/);
        const file = path.join(out, "bundle.json");
        const text = fs.readFileSync(file);
        fs.appendFileSync(file, " ");
        try {
            whenChanged();
        } finally {
            fs.writeFileSync(file, text);
        }
    };

    test("cosign verify-blob accepts our signature, and refuses it once bundle.json changes", () => {
        acceptedUntilChanged(
            () => verifyBlob(key.pub),
            () => {
                const bad = verifyBlob(key.pub);
                assert.notEqual(bad.code, 0, bad.out);
                assert.match(bad.out, /invalid signature/);
            },
        );
    });

    test("cosign verify-blob accepts our Sigstore bundle (new bundle format, a trusted root of no authority, no tlog)", () => {
        // cosign v2.6 wants a trusted root with the new format even for a key; an empty one (no CA, no log) serves.
        const root = path.join(work, "trusted_root.json");
        const c = run(["trusted-root", "create", "--out", root]);
        assert.equal(c.code, 0, c.out);
        const verify = () =>
            run([
                "verify-blob",
                "--key",
                key.pub,
                "--bundle",
                `${out}/${SIGSTORE_BUNDLE_FILE}`,
                "--new-bundle-format",
                "--trusted-root",
                root,
                "--insecure-ignore-tlog=true",
                `${out}/bundle.json`,
            ]);
        acceptedUntilChanged(verify, () => {
            assert.notEqual(verify().code, 0);
            // Our verify refuses it too, naming the Sigstore bundle (its digest no longer matches).
            const r = runVerifyCjs(work, [out, "--key", key.pub]);
            assert.equal(r.code, 1, r.out);
        });
    });

    test("our verify accepts cosign sign-blob with a key pair from cosign generate-key-pair", () => {
        const g = run(["generate-key-pair"]);
        assert.equal(g.code, 0, g.out);
        signBlob(path.join(work, "cosign.key"));
        const r = runVerifyCjs(work, [out, "--key", path.join(work, "cosign.pub"), "--require-signature"]);
        assert.equal(r.code, 0, r.out);
        assert.match(r.out, /signature ok \(key sha256:/);
        const other = runVerifyCjs(work, [out, "--key", key.pub]);
        assert.equal(other.code, 1, other.out);
        assert.match(other.out, /BAD bundle\.json\.sig: does not match bundle\.json/);
        // cosign's own Sigstore bundle alone (no bundle.json.sig) is accepted, and checked.
        const sig = fs.readFileSync(path.join(out, "bundle.json.sig"));
        fs.rmSync(path.join(out, "bundle.json.sig"));
        try {
            const alone = runVerifyCjs(work, [out, "--key", path.join(work, "cosign.pub"), "--require-signature"]);
            assert.equal(alone.code, 0, alone.out);
            const wrong = runVerifyCjs(work, [out, "--key", key.pub]);
            assert.equal(wrong.code, 1, wrong.out);
            assert.match(wrong.out, /BAD bundle\.json\.sigstore\.json: does not match bundle\.json/);
        } finally {
            fs.writeFileSync(path.join(out, "bundle.json.sig"), sig);
        }
    });

    test("our openssl key imported into cosign signs what our verify and cosign both accept with our public key", () => {
        const i = run(["import-key-pair", "--key", key.key, "--output-key-prefix", "imported"]);
        assert.equal(i.code, 0, i.out);
        signBlob(path.join(work, "imported.key"));
        const r = runVerifyCjs(work, [out, "--key", key.pub]);
        assert.equal(r.code, 0, r.out);
        assert.equal(verifyBlob(key.pub).code, 0);
    });
});
