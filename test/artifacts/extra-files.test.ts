/** `bundle.extraFiles`: validated with key paths, carried under files/ (local and http), checked by verify. */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { describe, test } from "node:test";
import { extraFileName } from "../../lib/bundle-layout";
import { carryExtraFiles } from "../../pipeline/extra-files";
import { writeManifest } from "../../pipeline/manifest";
import { verifyBundle } from "../../pipeline/verify";
import { airgap, check, section } from "../config/helpers";

function withExtraFiles(files: unknown): string[] {
    const { values, secure } = airgap();
    section(values, "bundle").extraFiles = files;
    return check(values, secure).lines;
}

describe("bundle.extraFiles", () => {
    test("config errors name the key path", () => {
        assert.deepEqual(withExtraFiles(["./docs/a.pdf", "https://example.com/x/images.txt?raw=1"]), []);
        assert.deepEqual(withExtraFiles(["ftp://h/x.txt", "", "https://example.com/"]), [
            "aihub-airgap:bundle.extraFiles[0]: is a URL that is not http(s) (use an http:// or https:// URL, or a local path)",
            "aihub-airgap:bundle.extraFiles[1]: must be a local path or an http(s) URL",
            "aihub-airgap:bundle.extraFiles[2]: names no file (give a path or URL that ends in a file name)",
        ]);
        assert.deepEqual(withExtraFiles(["a/x.txt", "http://h.example/b/x.txt"]), [
            "aihub-airgap:bundle.extraFiles: two entries end in the same file name; each lands in files/<name>, so rename one (fix the value)",
        ]);
    });
    test("file names come from the path or the URL path", () => {
        assert.equal(extraFileName("https://h.example/d/images.txt?x=1#y"), "images.txt");
        assert.equal(extraFileName("../lists/retag.txt"), "retag.txt");
    });
    test("local and downloaded files land under files/ with sha256; verify catches a changed one", async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "extra-files-"));
        const server = http.createServer((_req, res) => res.end("remote body\n"));
        await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
        try {
            const out = path.join(dir, "bundle");
            fs.writeFileSync(path.join(dir, "local.txt"), "local body\n");
            const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/dl/images.txt`;
            const files = await carryExtraFiles(out, ["local.txt", url], dir);
            assert.deepEqual(
                files.map((f) => [f.name, f.path, f.size, f.source]),
                [
                    ["local.txt", "files/local.txt", 11, "local.txt"],
                    ["images.txt", "files/images.txt", 12, url],
                ],
            );
            assert.equal(fs.readFileSync(path.join(out, "files/images.txt"), "utf8"), "remote body\n");
            const manifest = {
                format: 1 as const,
                tool: "t",
                stack: "t",
                registry: "r.local:5000",
                platforms: ["linux/amd64"],
                created: "now",
                artifacts: files,
            };
            writeManifest(out, manifest);
            assert.deepEqual((await verifyBundle(out)).problems, []);
            fs.writeFileSync(path.join(out, "files/local.txt"), "LOCAL body\n");
            const bad = (await verifyBundle(out)).problems;
            assert.equal(bad.length, 1);
            assert.equal(bad[0].artifact, "file files/local.txt");
            await assert.rejects(
                carryExtraFiles(out, ["missing.txt"], dir),
                /bundle\.extraFiles: .*missing\.txt is missing/,
            );
        } finally {
            server.close();
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});
