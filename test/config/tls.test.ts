/**
 * Certificates in config (issue 9.6 / 10.6): real X.509 parsing with bounded sizes, the key that matches, the domain
 * the certificate covers, the chain, and the CA AI Hub must trust when no public root vouches for the certificate.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { X509Certificate } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, describe, it } from "node:test";
import { checkTls } from "../../config/tls";
import { MAX_PEM_BYTES, parseCertificates } from "../../lib/pem";
import { makeCertificates } from "../helpers/registry";
import { airgap, check, section } from "./helpers";

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "tls-test-"));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** A site CA and a server certificate + key for `dns`, made by openssl. */
function site(name: string, dns: string) {
    const dir = path.join(tmp, name);
    fs.mkdirSync(dir);
    const ca = makeCertificates(dir, dns);
    const read = (f: string) => fs.readFileSync(path.join(dir, f), "utf8");
    return { dir, ca, cert: read("server.crt"), key: read("server.key") };
}

const main = site("main", "aihub.airgap.internal");
const other = site("other", "aihub.airgap.internal");
const wild = site("wild", "*.airgap.internal");

/** Airgap stack values with this ingress (mode https-custom-ca unless set) and, optionally, the decrypted key. */
function lines(ingress: Record<string, unknown>, tlsKey?: string) {
    const { values, secure } = airgap();
    Object.assign(section(values, "ingress"), { mode: "https-custom-ca", ...ingress });
    if (tlsKey !== undefined) section(values, "ingress").tlsKey = tlsKey;
    return check(values, secure);
}

describe("ingress certificate against domain, key, chain and CA", () => {
    it("accepts a private certificate for aihub.domain with its key and the CA that issued it", () => {
        const r = lines({ tlsCert: main.cert, caCert: main.ca }, main.key);
        assert.deepEqual(r.lines, []);
        assert.deepEqual(
            r.warnings.filter((w) => w.path.startsWith("ingress")),
            [],
        );
    });

    it("a certificate for another name is refused, naming aihub.domain and the names it has", () => {
        const elsewhere = site("elsewhere", "hub.example.internal");
        assert.deepEqual(lines({ tlsCert: elsewhere.cert, caCert: elsewhere.ca }, elsewhere.key).lines, [
            "aihub-airgap:ingress.tlsCert: does not cover aihub.domain aihub.airgap.internal (its names: DNS:hub.example.internal; issue a certificate whose subjectAltName has DNS:aihub.airgap.internal or a wildcard that matches it)",
        ]);
    });

    it("a wildcard covers one label, not two", () => {
        assert.deepEqual(lines({ tlsCert: wild.cert, caCert: wild.ca }, wild.key).lines, []);
        const { values, secure } = airgap();
        section(values, "aihub").domain = "a.aihub.airgap.internal";
        Object.assign(section(values, "ingress"), { tlsCert: wild.cert, caCert: wild.ca });
        assert.match(check(values, secure).lines.join("\n"), /ingress\.tlsCert: does not cover aihub\.domain a\.aihub/);
    });

    it("a key of another certificate is refused at ingress.tlsKey without echoing either key", () => {
        const r = lines({ tlsCert: main.cert, caCert: main.ca }, other.key);
        assert.deepEqual(r.lines, [
            "aihub-airgap:ingress.tlsKey: does not belong to the first certificate of ingress.tlsCert (set the key that certificate was issued for: pulumi config set --secret --path ingress.tlsKey < key.pem)",
        ]);
        const body = other.key.split("\n").filter((l) => l.length > 20);
        for (const l of body) assert.ok(!JSON.stringify(r).includes(l), "no key line in the result");
    });

    it("an encrypted key or a non-key is refused with the fix; the plan's placeholder is not checked", () => {
        const enc = execFileSync(
            "openssl",
            ["pkey", "-in", path.join(main.dir, "server.key"), "-aes256", "-passout", "pass:x"],
            { encoding: "utf8" },
        );
        assert.match(lines({ tlsCert: main.cert, caCert: main.ca }, enc).lines[0], /ingress\.tlsKey: is encrypted/);
        assert.deepEqual(lines({ tlsCert: main.cert, caCert: main.ca }, main.cert).lines, [
            "aihub-airgap:ingress.tlsKey: is not a PEM private key (pulumi config set --secret --path ingress.tlsKey < key.pem)",
        ]);
        assert.deepEqual(lines({ tlsCert: main.cert, caCert: main.ca }, "[secret]").lines, []);
    });

    it("mode https with a certificate no public root issued: refused, pointing at https-custom-ca", () => {
        assert.deepEqual(lines({ mode: "https", tlsCert: main.cert, caCert: undefined }, main.key).lines, [
            "aihub-airgap:ingress.mode: https trusts only public CAs, and ingress.tlsCert does not chain to one, so AI Hub's back ends cannot verify https://aihub.airgap.internal and sign-in fails (set ingress.mode to https-custom-ca and ingress.caCert to the CA that issued the certificate)",
        ]);
        // The same certificate under a root the process trusts as public passes in mode https.
        const asPublic = checkTls({
            aihub: { domain: "aihub.airgap.internal" },
            ingress: { mode: "https", tlsCert: main.cert },
            tlsKey: main.key,
            roots: [new X509Certificate(main.ca)],
        });
        assert.deepEqual(asPublic, { errors: [], warnings: [] });
    });

    it("a CA that did not issue the certificate, or a server certificate as CA, is refused at ingress.caCert", () => {
        const r = lines({ tlsCert: main.cert, caCert: other.ca }, main.key);
        assert.deepEqual(r.lines, [
            'aihub-airgap:ingress.caCert: did not issue ingress.tlsCert, whose last certificate is issued by "CN=aihub-airgap test CA" (set that CA\'s certificate)',
        ]);
        const leafAsCa = lines({ tlsCert: main.cert, caCert: main.cert }, main.key).lines;
        assert.deepEqual(leafAsCa, [
            "aihub-airgap:ingress.caCert: certificate 1 (CN=aihub.airgap.internal) is not a CA certificate (set the CA that issued ingress.tlsCert, not a server certificate)",
        ]);
    });

    it("a chain out of order is refused", () => {
        const r = lines({ tlsCert: main.ca + main.cert, caCert: main.ca }, main.key);
        assert.ok(
            r.lines.includes(
                "aihub-airgap:ingress.tlsCert: certificate 2 did not issue certificate 1 (order the chain: server certificate first, then each issuer)",
            ),
            r.lines.join("\n"),
        );
    });
});

describe("PEM parsing (no backtracking regex, bounded sizes)", () => {
    it("rejects 1 MB by its size before parsing, no slower than parsing one real certificate", () => {
        const huge = main.cert.repeat(Math.ceil((1 << 20) / main.cert.length));
        assert.deepEqual(parseCertificates(huge), {
            error: `is 1025 KiB, more than the 64 KiB a certificate field may hold (give only the PEM certificate chain)`,
        });
        // Relative bound: a length check against an X.509 parse of one certificate (both best of 20 runs).
        const best = (f: () => void) => {
            let min = Infinity;
            for (let i = 0; i < 20; i++) {
                const t = process.hrtime.bigint();
                f();
                min = Math.min(min, Number(process.hrtime.bigint() - t));
            }
            return min;
        };
        const reject = best(() => parseCertificates(huge));
        const parseOne = best(() => new X509Certificate(main.cert));
        assert.ok(reject <= parseOne, `rejecting 1 MB took ${reject} ns, parsing one certificate ${parseOne} ns`);
        // Just under the limit, a pathological input (many BEGIN lines, no END) is refused at its first bad line.
        const evil = "-----BEGIN CERTIFICATE-----\n".repeat(Math.floor((MAX_PEM_BYTES - 10) / 28));
        assert.match(String((parseCertificates(evil) as { error: string }).error), /^line 2 inside certificate 1/);
    });

    it("rejects an empty field, an empty block, garbage in a block, and text outside blocks", () => {
        const cases: [string, string][] = [
            ["", "holds no certificate (paste the -----BEGIN CERTIFICATE----- block)"],
            [
                "-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n",
                "certificate 1 is empty (paste the whole PEM block)",
            ],
            [
                "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n",
                "certificate 1 is not a valid X.509 certificate (export it again as PEM)",
            ],
            [
                "-----BEGIN CERTIFICATE-----\nnot base64!\n-----END CERTIFICATE-----\n",
                "line 2 inside certificate 1 is not base64 (export it again as PEM)",
            ],
            [
                "hello\n" + main.cert,
                "line 1 is not part of a PEM block (paste the -----BEGIN CERTIFICATE----- blocks only)",
            ],
            [
                main.cert.replace(/-----END CERTIFICATE-----\s*$/, ""),
                "certificate 1 has no -----END line (paste the whole block)",
            ],
        ];
        for (const [text, error] of cases) assert.deepEqual(parseCertificates(text), { error }, JSON.stringify(text));
        assert.equal((parseCertificates(main.cert + main.ca) as { certs: unknown[] }).certs.length, 2);
        assert.match(
            String((parseCertificates(main.ca.repeat(17)) as { error: string }).error),
            /holds more than 16 certificates/,
        );
    });

    it("a private key pasted into ingress.tlsCert is refused, naming ingress.tlsKey, and never echoed", () => {
        const r = lines({ tlsCert: main.key, caCert: main.ca }, "[secret]");
        assert.deepEqual(r.lines, [
            "aihub-airgap:ingress.tlsCert: holds a private key (it belongs in the secret ingress.tlsKey: remove it here and run pulumi config set --secret --path ingress.tlsKey < key.pem)",
        ]);
        const body = main.key.split("\n").filter((l) => l.length > 20);
        for (const l of body) assert.ok(!JSON.stringify(r).includes(l), "no key line in the result");
        const { values, secure } = airgap();
        section(values, "registry").caCert = main.key;
        assert.deepEqual(check(values, secure).lines, [
            "aihub-airgap:registry.caCert: holds a private key (remove it: a private key must never be in a plain config value)",
        ]);
    });

    it("a BEGIN/END pair around garbage, which a pattern match accepted, is refused in every certificate field", () => {
        const fake = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
        const { values, secure } = airgap();
        section(values, "registry").caCert = fake;
        section(values, "ingress").caCert = fake;
        assert.deepEqual(check(values, secure).lines, [
            "aihub-airgap:registry.caCert: certificate 1 is not a valid X.509 certificate (export it again as PEM)",
            "aihub-airgap:ingress.caCert: certificate 1 is not a valid X.509 certificate (export it again as PEM)",
        ]);
    });
});
