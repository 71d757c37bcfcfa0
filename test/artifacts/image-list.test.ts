/** `bundle --images-from` lists and `push --retagged` files (Rook images.txt, Charmed Kubeflow retagged-images.txt). */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, test } from "node:test";
import { buildBundle } from "../../pipeline/bundle";
import { parseImageList, readImageLists, retaggedTexts } from "../../pipeline/image-list";
import { stackImages } from "../../platform/inventory";
import { readManifest } from "../../pipeline/manifest";
import { stackConfig } from "../../pipeline/stack";
import { PROJECT_DIR } from "../harness";

const ROOK_LIST = [
    "# images Rook starts at run time",
    " quay.io/ceph/ceph:v20.2.4",
    "",
    "registry.k8s.io/sig-storage/csi-attacher:v4.8.1   # sidecar",
    "busybox",
].join("\n");

describe("image lists", () => {
    test("one reference a line, comments and blank lines skipped, normalised in file order", () => {
        assert.deepEqual(parseImageList(ROOK_LIST, "images.txt"), [
            "quay.io/ceph/ceph:v20.2.4",
            "registry.k8s.io/sig-storage/csi-attacher:v4.8.1",
            "docker.io/library/busybox:latest",
        ]);
        assert.deepEqual(parseImageList("a/b:1\r\n\r\n", "x"), ["docker.io/a/b:1"]);
    });
    test("a malformed reference names file:line", () => {
        assert.throws(() => parseImageList("quay.io/a/b:1\n\nquay.io/Bad/Name:1\n", "lists/images.txt"), {
            message: /^lists\/images\.txt:3: invalid repository path in image reference "quay\.io\/Bad\/Name:1"/,
        });
        assert.throws(
            () => parseImageList("a/b:1 c/d:2", "ckf.txt"),
            /^Error: ckf\.txt:1: "a\/b:1 c\/d:2" is more than one/,
        );
        assert.throws(
            () => readImageLists(["/nonexistent/images.txt"]),
            /--images-from \/nonexistent\/images\.txt: no such file/,
        );
    });
    test("listed images join the stack's inventory", () => {
        const cfg = stackConfig(PROJECT_DIR, "airgap");
        const base = stackImages(cfg).length;
        const more = stackImages(cfg, [], ["docker.io/charmedkubeflow/jupyter-ui:1.9.0", "quay.io/ceph/ceph:v19.2.3"]);
        assert.equal(more.length, base + 1);
        assert.ok(more.some((m) => m.target === "registry.airgap.internal:5000/charmedkubeflow/jupyter-ui:1.9.0"));
    });
    test("retagged texts keep each list's order, no trailing newline; the file count must match", () => {
        const lists = [
            { file: "images.txt", images: ["quay.io/z/z:1", "docker.io/library/busybox:latest"] },
            { file: "more.txt", images: ["ghcr.io/a/a@sha256:" + "c".repeat(64)] },
        ];
        assert.deepEqual(retaggedTexts(lists, "reg.local:5000", 2), [
            "reg.local:5000/z/z:1\nreg.local:5000/library/busybox:latest",
            `reg.local:5000/a/a@sha256:${"c".repeat(64)}`,
        ]);
        assert.throws(
            () => retaggedTexts(lists, "r.local:1", 1),
            /1 --retagged file\(s\) given, but the bundle recorded 2 .*images\.txt, more\.txt/,
        );
        assert.throws(() => retaggedTexts([], "r.local:1", 1), /recorded 0 --images-from list\(s\) \(none\)/);
    });
    test("bundle.json records the lists in order and reads back", async () => {
        const out = fs.mkdtempSync(path.join(os.tmpdir(), "image-lists-"));
        try {
            const chart = path.join(out, "..", `${path.basename(out)}-c-1.0.0.tgz`);
            fs.writeFileSync(chart, "chart");
            const imageLists = [{ file: "images.txt", images: ["quay.io/z/z:1", "quay.io/a/a:1"] }];
            await buildBundle({
                out,
                stack: "t",
                registry: "r.local:5000",
                platforms: ["linux/amd64"],
                images: [],
                charts: [chart],
                imageLists,
                write: () => {},
            });
            assert.deepEqual(readManifest(out)?.imageLists, imageLists);
        } finally {
            fs.rmSync(out, { recursive: true, force: true });
            fs.rmSync(`${out}-c-1.0.0.tgz`, { force: true });
        }
    });
});
