/**
 * Signing bundle.json and checking it inside: keys made by the real openssl, the offline verifier (verify.cjs)
 * run as the inside runs it, and each bad input failing with a message that names the file.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe, test } from "node:test";
import { sealBundle } from "../../pipeline/seal";
import {
    checkBundleSignature,
    isDerEcdsaSignature,
    KEY_PASSWORD_ENV,
    loadPublicKey,
    loadSigningKey,
    signBlob,
} from "../../pipeline/signing";
import { readSigningKey } from "../../pipeline/seal";
import { PROJECT_DIR } from "../harness";
import { makeKey, runVerifyCjs, smallBundle, TEST_PASSPHRASE, type KeyForm } from "../helpers/signing";

let work: string;
before(() => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), "aihub-signing-"));
});
after(() => fs.rmSync(work, { recursive: true, force: true }));

describe("signing keys", () => {
    test("PEM ECDSA P-256 keys load in every form openssl writes; the signature checks with the public key", () => {
        const data = Buffer.from("bundle bytes");
        for (const form of ["sec1", "pkcs8", "pkcs8-encrypted", "sec1-encrypted"] as KeyForm[]) {
            const k = makeKey(work, `k-${form}`, form);
            const key = loadSigningKey(fs.readFileSync(k.key, "utf8"), k.key, TEST_PASSPHRASE);
            const sig = signBlob(data, key);
            assert.ok(isDerEcdsaSignature(Buffer.from(sig, "base64")), form);
            const pub = loadPublicKey(fs.readFileSync(k.pub, "utf8"), k.pub);
            assert.deepEqual(checkBundleSignature(data, sig, { key: pub }).state, "verified", form);
        }
    });

    test("an encrypted key needs its passphrase; errors name the file and never print the passphrase", () => {
        const k = makeKey(work, "enc", "pkcs8-encrypted");
        const pem = fs.readFileSync(k.key, "utf8");
        assert.throws(
            () => loadSigningKey(pem, k.key),
            (e: Error) => {
                assert.ok(e.message.startsWith(`${k.key} is encrypted: set ${KEY_PASSWORD_ENV}`), e.message);
                return true;
            },
        );
        assert.throws(
            () => loadSigningKey(pem, k.key, "not it"),
            (e: Error) => {
                assert.match(e.message, /enc\.pem: wrong passphrase/);
                assert.ok(!e.message.includes("not it"));
                return true;
            },
        );
    });

    test("keys that are not ECDSA P-256 are refused, naming the file", () => {
        for (const [form, why] of [
            ["rsa", /is a rsa key, not ECDSA P-256/],
            ["p384", /is an ECDSA key on secp384r1, not P-256/],
        ] as const) {
            const k = makeKey(work, form, form);
            assert.throws(
                () => loadSigningKey(fs.readFileSync(k.key, "utf8"), k.key),
                new RegExp(`${form}\\.pem ${why.source}`),
            );
            assert.throws(() => loadPublicKey(fs.readFileSync(k.pub, "utf8"), k.pub), why);
        }
        assert.throws(() => loadPublicKey("garbage", "pub.pem"), /pub\.pem: not a PEM public key/);
    });

    test("the passphrase variable is read once and removed, so child processes never inherit it", () => {
        const k = makeKey(work, "env", "sec1-encrypted");
        process.env[KEY_PASSWORD_ENV] = TEST_PASSPHRASE;
        const key = readSigningKey(k.key, false);
        assert.equal(key.asymmetricKeyType, "ec");
        assert.equal(process.env[KEY_PASSWORD_ENV], undefined);
        assert.throws(() => readSigningKey(path.join(work, "nope.pem"), false), /--sign-key .*nope\.pem: no such file/);
    });

    test("the passphrase can come on stdin (--sign-key-password-stdin)", () => {
        const k = makeKey(work, "stdin", "pkcs8-encrypted");
        const script = path.join(work, "read-key.ts");
        const seal = path.join(PROJECT_DIR, "pipeline", "seal.ts");
        fs.writeFileSync(
            script,
            `import { readSigningKey } from ${JSON.stringify(seal)};\nconsole.log(readSigningKey(process.argv[2], true).asymmetricKeyDetails?.namedCurve);\n`,
        );
        const run = (input: string) =>
            spawnSync(process.execPath, ["--import", "tsx", script, k.key], {
                cwd: PROJECT_DIR,
                input,
                encoding: "utf8",
            });
        const ok = run(`${TEST_PASSPHRASE}\n`);
        assert.equal(ok.stdout.trim(), "prime256v1", ok.stderr);
        const bad = run("wrong\n");
        assert.notEqual(bad.status, 0);
        assert.match(bad.stderr, /stdin\.pem: wrong passphrase/);
        assert.ok(!bad.stderr.includes("wrong\n"));
    });

    test("without a key a signed bundle is refused unless --insecure, and --require-signature refuses any", () => {
        const data = Buffer.from("x");
        assert.deepEqual(checkBundleSignature(data, undefined, {}), { state: "unsigned" });
        assert.match(
            checkBundleSignature(data, "c2ln", {}).problem ?? "",
            /^the bundle is signed but no public key was given to check it: pass --key <pub\.pem> \(push: or set bundle\.publicKey in the stack\), or --insecure/,
        );
        assert.deepEqual(checkBundleSignature(data, "c2ln", { insecure: true }), { state: "not checked" });
        assert.deepEqual(checkBundleSignature(data, undefined, { require: true }), {
            state: "unsigned",
            problem: "no public key to check it with: pass --key <pub.pem>",
        });
    });

    test("a DER signature cut short or padded is not a whole signature", () => {
        const key = crypto.generateKeyPairSync("ec", { namedCurve: "prime256v1" }).privateKey;
        const der = Buffer.from(signBlob(Buffer.from("x"), key), "base64");
        assert.ok(isDerEcdsaSignature(der));
        for (let n = 0; n < der.length; n++) assert.equal(isDerEcdsaSignature(der.subarray(0, n)), false, `${n}`);
        assert.equal(isDerEcdsaSignature(Buffer.concat([der, Buffer.from([0])])), false);
    });
});

describe("a signed bundle, checked by verify.cjs", () => {
    let out: string;
    let pub: string;
    let keyPem: string;
    let other: string;
    const pristine = new Map<string, Buffer>();
    const restore = () => pristine.forEach((b, f) => fs.writeFileSync(path.join(out, f), b));
    const verify = (...args: string[]) => runVerifyCjs(work, [out, ...args]);

    before(async () => {
        out = path.join(work, "bundle");
        await smallBundle(out);
        const k = makeKey(work, "signer", "pkcs8-encrypted");
        pub = k.pub;
        keyPem = fs.readFileSync(k.key, "utf8");
        other = makeKey(work, "other").pub;
        const sealed = await sealBundle(out, PROJECT_DIR, loadSigningKey(keyPem, k.key, TEST_PASSPHRASE));
        assert.match(sealed.signedBy ?? "", /^sha256:[a-f0-9]{64}$/);
        for (const f of ["bundle.json", "bundle.json.sig", "bundle.json.sigstore.json", "sbom.cdx.json"]) {
            pristine.set(f, fs.readFileSync(path.join(out, f)));
        }
    });

    test("the right key passes and the line names the key; without --key a signed bundle is refused unless --insecure", () => {
        const ok = verify("--key", pub, "--require-signature");
        assert.equal(ok.code, 0, ok.out);
        const fp = crypto
            .createHash("sha256")
            .update(crypto.createPublicKey(fs.readFileSync(pub)).export({ type: "spki", format: "der" }))
            .digest("hex");
        assert.match(
            ok.out,
            new RegExp(
                `bundle ok: .*: 5 artifacts, 5 files and blobs .* checked; created 2026-11-22T15:00:00.000Z; checkout [a-f0-9]{12} unchanged; signature ok \\(key sha256:${fp}\\)`,
            ),
        );
        const plain = verify();
        assert.equal(plain.code, 1, plain.out);
        assert.match(plain.out, /^BAD bundle\.json\.sig: the bundle is signed but no public key was given/m);
        const insecure = verify("--insecure");
        assert.equal(insecure.code, 0, insecure.out);
        assert.match(insecure.out, /signed, signature NOT checked \(--insecure\)$/m);
    });

    test("the private key and its passphrase are nowhere in the bundle", () => {
        const body = keyPem.split("\n")[1];
        for (const e of fs.readdirSync(out, { recursive: true, withFileTypes: true })) {
            if (!e.isFile()) continue;
            const text = fs.readFileSync(path.join(e.parentPath, e.name), "latin1");
            assert.ok(!text.includes(body) && !text.includes(TEST_PASSPHRASE), path.join(e.parentPath, e.name));
        }
    });

    const bad: [string, () => void, string[], RegExp][] = [
        [
            "a signature by another key",
            () => {},
            ["--key", "OTHER"],
            /^BAD bundle\.json\.sig: does not match bundle\.json for key sha256:[a-f0-9]{64}: signed by another key, or bundle\.json was changed after signing; do not use this bundle \(.*bundle\.json\.sig\)$/m,
        ],
        [
            "a tampered bundle.json",
            () => {
                const f = path.join(out, "bundle.json");
                fs.writeFileSync(f, fs.readFileSync(f, "utf8").replace('"stack": "airgap"', '"stack": "airgaq"'));
            },
            ["--key", "PUB"],
            /^BAD bundle\.json\.sig: does not match bundle\.json .*bundle\.json was changed after signing/m,
        ],
        [
            "a truncated signature file",
            () => {
                const f = path.join(out, "bundle.json.sig");
                fs.writeFileSync(f, fs.readFileSync(f, "utf8").slice(0, 40));
            },
            ["--key", "PUB"],
            /^BAD bundle\.json\.sig: not a whole signature \(truncated or garbled; cosign sign-blob's base64 expected\): copy the bundle again \(.*bundle\.json\.sig\)$/m,
        ],
        [
            "a garbled signature file",
            () => {
                fs.writeFileSync(path.join(out, "bundle.json.sig"), crypto.randomBytes(71).toString("base64"));
            },
            ["--key", "PUB"],
            /^BAD bundle\.json\.sig: not a whole signature/m,
        ],
        [
            "a missing signature (neither bundle.json.sig nor the Sigstore bundle)",
            () => {
                for (const f of ["bundle.json.sig", "bundle.json.sigstore.json"]) fs.rmSync(path.join(out, f));
            },
            ["--key", "PUB"],
            /^BAD bundle\.json\.sig: missing: the bundle is not signed \(sign it with bundle --sign-key <key\.pem>\)/m,
        ],
        [
            "a Sigstore bundle with another signature (bundle.json.sig intact)",
            () => {
                const f = path.join(out, "bundle.json.sigstore.json");
                const doc = JSON.parse(fs.readFileSync(f, "utf8"));
                doc.messageSignature.signature = crypto
                    .sign(
                        "sha256",
                        Buffer.from("other bytes"),
                        crypto.generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey,
                    )
                    .toString("base64");
                fs.writeFileSync(f, JSON.stringify(doc));
            },
            ["--key", "PUB"],
            /^BAD bundle\.json\.sigstore\.json: does not match bundle\.json/m,
        ],
        [
            "a Sigstore bundle made for other bytes",
            () => {
                const f = path.join(out, "bundle.json.sigstore.json");
                const doc = JSON.parse(fs.readFileSync(f, "utf8"));
                doc.messageSignature.messageDigest.digest = crypto.createHash("sha256").update("x").digest("base64");
                fs.writeFileSync(f, JSON.stringify(doc));
            },
            ["--key", "PUB"],
            /^BAD bundle\.json\.sigstore\.json: was made for other bytes than this bundle\.json/m,
        ],
        [
            "a tampered SBOM (bundle.json still signed)",
            () => {
                const f = path.join(out, "sbom.cdx.json");
                fs.writeFileSync(f, fs.readFileSync(f, "utf8").replace('"ceph-csi-drivers"', '"ceph-csi-driverz"'));
            },
            ["--key", "PUB"],
            /^BAD sbom sbom\.cdx\.json: checksum mismatch: sha256 [a-f0-9]{64}, expected [a-f0-9]{64} \(.*sbom\.cdx\.json\)$/m,
        ],
    ];
    for (const [what, damage, args, expected] of bad) {
        test(`${what} fails verify, naming the file`, () => {
            try {
                damage();
                const r = verify(...args.map((a) => (a === "PUB" ? pub : a === "OTHER" ? other : a)));
                assert.equal(r.code, 1, r.out);
                assert.match(r.out, expected);
                assert.match(r.out, /verify failed: 1 problem\(s\)/);
            } finally {
                restore();
            }
        });
    }

    test("--require-signature without --key is bad usage; a missing key file is named", () => {
        const r = verify("--require-signature");
        assert.equal(r.code, 2, r.out);
        assert.match(r.out, /--require-signature needs --key <pub\.pem>/);
        const m = verify("--key", path.join(work, "absent.pub.pem"));
        assert.equal(m.code, 2, m.out);
        assert.match(m.out, /--key .*absent\.pub\.pem: no such file/);
    });

    test("push checks the signature too: another key or an unsigned bundle with --require-signature pushes nothing", () => {
        const push = (...args: string[]) => {
            const r = spawnSync(process.execPath, ["--import", "tsx", "cli/push.ts", out, "--stack", "lab", ...args], {
                cwd: PROJECT_DIR,
                env: { ...process.env, AIHUB_REGISTRY_PASSWORD: "not-used" },
                encoding: "utf8",
            });
            return { code: r.status, out: `${r.stdout}${r.stderr}` };
        };
        const wrong = push("--key", other);
        assert.equal(wrong.code, 1, wrong.out);
        assert.match(wrong.out, /^BAD bundle\.json\.sig: does not match bundle\.json/m);
        assert.match(wrong.out, /push refused: the bundle failed verification \(1 problem\(s\)\); nothing pushed/);
        for (const f of ["bundle.json.sig", "bundle.json.sigstore.json"]) fs.rmSync(path.join(out, f));
        try {
            const unsigned = push("--key", pub, "--require-signature");
            assert.equal(unsigned.code, 1, unsigned.out);
            assert.match(unsigned.out, /^BAD bundle\.json\.sig: missing: the bundle is not signed/m);
        } finally {
            restore();
        }
        const usage = push("--require-signature");
        assert.equal(usage.code, 2, usage.out);
        assert.match(usage.out, /--require-signature needs --key <pub\.pem>/);
        assert.equal(push("--key", pub, "--insecure").code, 2);
        const nokey = push();
        assert.equal(nokey.code, 1, nokey.out);
        assert.match(nokey.out, /^BAD bundle\.json\.sig: the bundle is signed but no public key was given/m);
    });

    test("the signature is checked before anything else: a bad signature stops verify before any file is hashed", () => {
        fs.rmSync(path.join(out, "files/images.txt"));
        try {
            const r = verify("--key", other);
            assert.equal(r.code, 1, r.out);
            assert.doesNotMatch(r.out, /images\.txt/);
            assert.match(verify("--key", pub).out, /^BAD file files\/images\.txt: missing/m);
        } finally {
            fs.writeFileSync(path.join(out, "files/images.txt"), "file body\n");
        }
    });
});
