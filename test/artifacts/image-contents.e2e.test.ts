/**
 * Per-image SBOMs made by the real syft (built by `npm run controllers:build`): images with a Debian package
 * database and an npm package in their layers, pulled from a loopback registry into a bundle; syft must list those
 * packages from the bundle's own layout, the bundle records and links each file, verify covers it, a re-run reuses
 * it, and a binary that is not syft is refused naming `bundle.syft`.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe, test } from "node:test";
import { buildBundle } from "../../pipeline/bundle";
import { CONTENTS_DIR } from "../../pipeline/image-contents";
import { readManifest, type FileArtifact } from "../../pipeline/manifest";
import { SBOM_FILE, type Sbom } from "../../pipeline/sbom";
import { sealBundle } from "../../pipeline/seal";
import { verifyBundle } from "../../pipeline/verify";
import { SYFT, upstreamBinary } from "../../testing/controllers-paths";
import { PROJECT_DIR } from "../harness";
import { cyclonedxErrors } from "../helpers/cyclonedx";
import { bundleOf, startUpstream, type Upstream } from "../fixtures/images/upstream";

const syft = upstreamBinary(SYFT, "syft");
const skip = fs.existsSync(syft) ? false : `syft ${SYFT.version} is not built: npm run controllers:build`;

/** A Debian root: os-release and a dpkg status database of two packages. */
const DEBIAN = {
    "etc/os-release":
        'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\nVERSION_ID="12"\nID=debian\n',
    "var/lib/dpkg/status": [
        "Package: zlib1g\nStatus: install ok installed\nPriority: optional\nSection: libs\nInstalled-Size: 168",
        "Maintainer: Test <test@example.invalid>\nArchitecture: amd64\nSource: zlib\nVersion: 1:1.2.13.dfsg-1",
        "Description: compression library - runtime\n",
        "Package: tzdata\nStatus: install ok installed\nPriority: required\nSection: localization",
        "Installed-Size: 1000\nMaintainer: Test <test@example.invalid>\nArchitecture: all\nVersion: 2024a-0+deb12u1",
        "Description: time zone and daylight-saving time data\n",
    ].join("\n"),
};
const APP = {
    "srv/app/node_modules/left-pad/package.json": JSON.stringify({
        name: "left-pad",
        version: "1.3.0",
        license: "WTFPL",
    }),
};

type Doc = Sbom & { components: { purl?: string; name: string }[] };
const readJson = <T>(file: string) => JSON.parse(fs.readFileSync(file, "utf8")) as T;

describe(`per-image contents with the real syft (${SYFT.version})`, { skip }, () => {
    let work: string;
    let up: Upstream;
    let out: string;
    let contents: FileArtifact[];

    before(async () => {
        work = fs.mkdtempSync(path.join(os.tmpdir(), "aihub-contents-"));
        up = await startUpstream(work, 1, [
            { repo: "lib/debian", tag: "12", layers: [{ name: "debian", kb: 0, files: DEBIAN }] },
            {
                repo: "apps/node",
                tag: "1.0",
                layers: [
                    { name: "debian", kb: 0, files: DEBIAN },
                    { name: "app", kb: 0, files: APP },
                ],
            },
        ]);
        out = path.join(work, "bundle");
        await buildBundle(bundleOf(up, out, { syft }));
        await sealBundle(out, PROJECT_DIR);
        contents = readManifest(out)!.artifacts.filter(
            (a): a is FileArtifact => a.kind === "sbom" && a.contents !== undefined,
        );
    });

    after(async () => {
        await up?.registry.stop();
        if (work) fs.rmSync(work, { recursive: true, force: true });
    });

    test("each image gets a valid CycloneDX SBOM of its platform manifest, named by image, not by a bastion path", () => {
        const images = readManifest(out)!.artifacts.filter((a) => a.kind === "image" && !a.attached);
        assert.equal(contents.length, images.length);
        for (const c of contents) {
            const image = images.find((a) => a.name === c.contents!.of)!;
            assert.ok(image, `${c.path} names an image of the bundle`);
            assert.equal(c.contents!.platform, "linux/amd64");
            assert.equal(c.contents!.digest, image.kind === "image" ? image.digest : "");
            assert.ok(c.path.startsWith(`${CONTENTS_DIR}/`), c.path);
            const text = fs.readFileSync(path.join(out, c.path), "utf8");
            assert.ok(!text.includes(work), `${c.path} names the bastion's folder ${work}`);
            const doc = JSON.parse(text) as Doc & { metadata: { component: { name: string; version: string } } };
            assert.deepEqual(cyclonedxErrors(doc), []);
            assert.equal(doc.metadata.component.name, image.name);
            assert.equal(doc.metadata.component.version, c.contents!.digest);
        }
    });

    test("syft lists the Debian packages of every image and the npm package of the image that has it", () => {
        const purls = (image: string) => {
            const c = contents.find((a) => a.contents!.of.includes(image))!;
            return readJson<Doc>(path.join(out, c.path)).components.map((x) => x.purl ?? "");
        };
        for (const image of ["lib/debian", "apps/node"]) {
            const got = purls(image);
            assert.ok(
                got.some((p) => p.startsWith("pkg:deb/debian/zlib1g@1%3A1.2.13.dfsg-1")),
                `${image}: ${got.join(" ")}`,
            );
            assert.ok(
                got.some((p) => p.startsWith("pkg:deb/debian/tzdata@")),
                `${image}: ${got.join(" ")}`,
            );
        }
        assert.ok(purls("apps/node").includes("pkg:npm/left-pad@1.3.0"), purls("apps/node").join(" "));
        assert.ok(!purls("lib/debian").some((p) => p.startsWith("pkg:npm/")));
    });

    test("the bundle's SBOM links each image to its contents, and verify covers the files", async () => {
        const sbom = readJson<Sbom>(path.join(out, SBOM_FILE));
        for (const c of contents) {
            const image = sbom.components.find((x) => x["bom-ref"] === `image ${c.contents!.of}`)!;
            const link = image.externalReferences?.find((r) => r.type === "bom" && r.url === c.path);
            assert.ok(link, JSON.stringify(image.externalReferences));
            assert.deepEqual(link.hashes, [{ alg: "SHA-256", content: c.sha256 }]);
        }
        assert.deepEqual((await verifyBundle(out)).problems, []);
        const file = path.join(out, contents[0].path);
        const saved = fs.readFileSync(file);
        fs.writeFileSync(file, saved.toString("utf8").replace("zlib1g", "zlib1h"));
        try {
            const problems = (await verifyBundle(out)).problems.map((p) => p.artifact);
            assert.ok(
                problems.some((a) => a.includes(contents[0].path)),
                problems.join(" "),
            );
        } finally {
            fs.writeFileSync(file, saved);
        }
    });

    test("a second run reuses every per-image SBOM; without bundle.syft they are dropped from the bundle", async () => {
        const lines: string[] = [];
        await buildBundle(bundleOf(up, out, { syft, write: (l) => lines.push(l) }));
        assert.ok(
            lines.some((l) => l.includes(`image contents: 0 scanned, ${contents.length} reused`)),
            lines.join("\n"),
        );
        await buildBundle(bundleOf(up, out));
        await sealBundle(out, PROJECT_DIR);
        assert.deepEqual(fs.readdirSync(path.join(out, CONTENTS_DIR)), []);
        assert.deepEqual((await verifyBundle(out)).problems, []);
    });

    test("a bundle.syft that is not syft stops the bundle, naming the key", async () => {
        await assert.rejects(
            buildBundle(bundleOf(up, path.join(work, "other"), { syft: "/bin/false" })),
            /bundle\.syft: \/bin\/false does not run as syft .*give the path of a syft binary/,
        );
    });
});
