/**
 * The Pulumi CLI carried in the bundle: archive names, URLs and the checksums file; then bundle, verify and the
 * checksum check end to end against a loopback HTTP server standing in for get.pulumi.com (not reachable here),
 * serving a small real tar.gz made with `tar`.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as http from "node:http";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe, test } from "node:test";
import { buildBundle } from "../../pipeline/bundle";
import { sha256 } from "../../lib/digest";
import { stackInventory } from "../../pipeline/inventory";
import { readManifest } from "../../pipeline/manifest";
import {
    DEFAULT_PULUMI_CLI_BASE_URL,
    parseChecksums,
    pulumiChecksumsUrl,
    pulumiCliFile,
    pulumiCliNeed,
    pulumiCliUrl,
} from "../../pipeline/pulumi-cli";
import { stackConfig } from "../../pipeline/stack";
import { verifyBundle } from "../../pipeline/verify";
import { PROJECT_DIR } from "../harness";
import { checksumsFor, makeCliArchive } from "../helpers/pulumi-cli";

const V = "3.248.0";
const ARCHIVE = `pulumi-v${V}-linux-x64.tar.gz`;
const SUMS = `pulumi-${V}-checksums.txt`;

describe("names and checksums", () => {
    test("the version is package.json's exact pin of @pulumi/pulumi; a range is refused", () => {
        const pkg = JSON.parse(fs.readFileSync(path.join(PROJECT_DIR, "package.json"), "utf8"));
        assert.deepEqual(pulumiCliNeed(pkg), { version: pkg.dependencies["@pulumi/pulumi"] });
        assert.equal(pulumiCliNeed({ dependencies: {} }), undefined);
        assert.throws(() => pulumiCliNeed({ dependencies: { "@pulumi/pulumi": "^3.248.0" } }), /pin an exact version/);
        const inv = stackInventory(stackConfig(PROJECT_DIR, "airgap"), { dependencies: { "@pulumi/pulumi": V } });
        assert.deepEqual(inv.pulumiCli, { version: V });
    });

    test("archive names and URLs as Pulumi publishes them", () => {
        assert.equal(pulumiCliFile(V, "linux/amd64"), ARCHIVE);
        assert.equal(pulumiCliFile(V, "linux/arm64"), `pulumi-v${V}-linux-arm64.tar.gz`);
        assert.equal(pulumiCliFile(V, "darwin/arm64"), `pulumi-v${V}-darwin-arm64.tar.gz`);
        assert.equal(pulumiCliFile(V, "windows/amd64"), `pulumi-v${V}-windows-x64.zip`);
        assert.throws(() => pulumiCliFile(V, "linux/s390x"), /no Pulumi CLI release for platform linux\/s390x/);
        assert.equal(pulumiCliUrl(V, "linux/amd64"), `https://get.pulumi.com/releases/sdk/${ARCHIVE}`);
        assert.equal(pulumiCliUrl(V, "linux/amd64", "http://m.local/p/"), `http://m.local/p/${ARCHIVE}`);
        assert.equal(pulumiChecksumsUrl(V), `${DEFAULT_PULUMI_CLI_BASE_URL}/${SUMS}`);
    });

    test("the checksums file: text and binary mode lines, anything else ignored", () => {
        const a = "A".repeat(64);
        const b = "b".repeat(64);
        const sums = parseChecksums(`${a}  ${ARCHIVE}\r\n${b} *pulumi-v${V}-windows-x64.zip\nnot a line\n\n`);
        assert.deepEqual(
            [...sums],
            [
                [ARCHIVE, "a".repeat(64)],
                [`pulumi-v${V}-windows-x64.zip`, b],
            ],
        );
    });
});

describe("bundle and verify", () => {
    let work: string;
    let server: http.Server;
    let base: string;
    let archive: Buffer;
    /** What the server answers for the checksums file; tests change it. */
    let sums: string;
    const requests: string[] = [];

    before(async () => {
        work = fs.mkdtempSync(path.join(os.tmpdir(), "aihub-pulumi-cli-"));
        archive = makeCliArchive(work, V).body;
        sums = checksumsFor({ [`pulumi-v${V}-darwin-x64.tar.gz`]: Buffer.from("other"), [ARCHIVE]: archive });
        server = http.createServer((req, res) => {
            requests.push(req.url ?? "");
            const body = req.url === `/sdk/${ARCHIVE}` ? archive : req.url === `/sdk/${SUMS}` ? sums : undefined;
            res.writeHead(body === undefined ? 404 : 200);
            res.end(body ?? "");
        });
        await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
        base = `http://127.0.0.1:${(server.address() as { port: number }).port}/sdk`;
    });
    after(async () => {
        await new Promise((r) => server?.close(r));
        if (work) fs.rmSync(work, { recursive: true, force: true });
    });

    const bundle = (out: string, baseUrl = base) =>
        buildBundle({
            out,
            stack: "t",
            registry: "r.local:5000",
            platforms: ["linux/amd64"],
            images: [],
            charts: [],
            pulumiCli: { version: V },
            pulumiCliBaseUrl: baseUrl,
            write: () => {},
        });

    test("carries the archive under pulumi/, records it, verify passes, and a re-run reuses it offline", async () => {
        const out = path.join(work, "ok");
        const r = await bundle(out);
        assert.deepEqual(r.fetched, [`cli ${ARCHIVE}`]);
        assert.deepEqual(readManifest(out)!.artifacts, [
            {
                kind: "cli",
                name: ARCHIVE,
                source: `${base}/${ARCHIVE}`,
                path: `pulumi/${ARCHIVE}`,
                sha256: sha256(archive),
                size: archive.length,
            },
        ]);
        assert.deepEqual(fs.readdirSync(path.join(out, "pulumi")), [ARCHIVE], "the checksums file is not left behind");
        // The inside unpacks it with tar alone.
        const listed = execFileSync("tar", ["-tzf", path.join(out, "pulumi", ARCHIVE)], { encoding: "utf8" });
        assert.match(listed, /^pulumi\/pulumi$/m);
        const v = await verifyBundle(out);
        assert.deepEqual(v.problems, []);
        assert.equal(v.checked, 1);

        const again = await bundle(out, "http://127.0.0.1:9/unreachable");
        assert.deepEqual(again.reused, [`cli ${ARCHIVE}`]);
    });

    test("verify names a tampered archive", async () => {
        const out = path.join(work, "tampered");
        await bundle(out);
        const file = path.join(out, "pulumi", ARCHIVE);
        const buf = fs.readFileSync(file);
        buf[20] ^= 0xff;
        fs.writeFileSync(file, buf);
        const v = await verifyBundle(out);
        assert.equal(v.problems.length, 1);
        assert.equal(v.problems[0].artifact, `cli pulumi/${ARCHIVE}`);
        assert.match(v.problems[0].text, /^checksum mismatch: sha256 [a-f0-9]{64}, expected [a-f0-9]{64} \(.*\)$/);
    });

    test("a checksum the server publishes differently fails the bundle naming both URLs and hashes", async () => {
        const out = path.join(work, "mismatch");
        const good = sums;
        sums = `${"e".repeat(64)}  ${ARCHIVE}\n`;
        try {
            await assert.rejects(
                bundle(out),
                new RegExp(
                    `^Error: ${base}/${ARCHIVE}: sha256 ${sha256(archive)}, but ${base}/${SUMS} lists ${"e".repeat(64)}; the download was removed$`,
                ),
            );
            assert.equal(fs.existsSync(path.join(out, "pulumi", ARCHIVE)), false);
            assert.deepEqual(readManifest(out)?.artifacts ?? [], []);

            sums = `${"e".repeat(64)}  pulumi-v${V}-linux-arm64.tar.gz\n`;
            await assert.rejects(bundle(out), /: sha256 [a-f0-9]{64}, but .*checksums\.txt has no line for pulumi-v/);
            assert.equal(fs.existsSync(path.join(out, "pulumi", ARCHIVE)), false);
        } finally {
            sums = good;
        }
    });

    test("a missing checksums file fails the bundle naming its URL, before the archive is fetched", async () => {
        const n = requests.length;
        await assert.rejects(
            bundle(path.join(work, "no-sums"), `${base}/missing`),
            new RegExp(`download of ${base}/missing/${SUMS} failed: HTTP 404`),
        );
        assert.deepEqual(requests.slice(n), [`/sdk/missing/${SUMS}`]);
    });
});
