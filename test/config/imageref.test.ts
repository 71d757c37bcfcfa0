import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
    ImageRefLimitError,
    imageRefProblem,
    isInRegistry,
    mapImage,
    mapImages,
    mapRepository,
    normaliseImageRef,
    parseImageRef,
} from "../../lib/imageref";

const R = "registry.airgap.internal:5000";

describe("image rule (design §5)", () => {
    it("maps the design's examples", () => {
        assert.equal(mapImage("quay.io/ceph/ceph:v19.2.3", R), `${R}/ceph/ceph:v19.2.3`);
        assert.equal(
            mapImage("registry.k8s.io/sig-storage/csi-resizer:v2.1.0", R),
            `${R}/sig-storage/csi-resizer:v2.1.0`,
        );
        assert.equal(mapImage("rapidminer/rapidminer-aihub:2026.0.2", R), `${R}/rapidminer/rapidminer-aihub:2026.0.2`);
    });
    it("normalises Docker Hub short names", () => {
        assert.equal(normaliseImageRef("busybox"), "docker.io/library/busybox:latest");
        assert.equal(
            normaliseImageRef("index.docker.io/grafana/grafana:12.3.2-ubuntu"),
            "docker.io/grafana/grafana:12.3.2-ubuntu",
        );
        assert.equal(mapImage("busybox:1.36", R), `${R}/library/busybox:1.36`);
    });
    it("keeps digests and ports", () => {
        const d = "sha256:" + "a".repeat(64);
        assert.equal(mapImage(`localhost:5000/x/y@${d}`, R), `${R}/x/y@${d}`);
        assert.deepEqual(parseImageRef(`quay.io/a/b:1@${d}`), { host: "quay.io", path: "a/b", tag: "1", digest: d });
        assert.equal(
            mapRepository("quay.io/cephcsi/cephcsi:v3.17.0", "reg.corp/aihub"),
            "reg.corp/aihub/cephcsi/cephcsi",
        );
    });
    it("rejects malformed references", () => {
        assert.throws(() => parseImageRef("Quay.io/Ceph"), /invalid repository path/);
        assert.throws(() => parseImageRef("a b"), /invalid image reference/);
        assert.throws(() => parseImageRef("x/y@sha256:12"), /invalid digest/);
        assert.throws(
            () => parseImageRef("reg..corp/x:1"),
            /invalid registry in image reference "reg\.\.corp\/x:1": host has an empty label/,
        );
        assert.throws(() => parseImageRef("reg.corp:0/x:1"), /port "0" is not a number from 1 to 65535/);
    });
    it("tells whether a reference is in the registry", () => {
        assert.equal(isInRegistry(`${R}/ceph/ceph:v19.2.3`, R), true);
        assert.equal(isInRegistry("quay.io/ceph/ceph:v19.2.3", R), false);
        assert.equal(isInRegistry("busybox", R), false);
        // A Harbor project: inside means the same host and under the project.
        assert.equal(isInRegistry(`${R}/aihub/ceph/ceph:v19.2.3`, `${R}/aihub`), true);
        assert.equal(isInRegistry(`${R}/other/ceph/ceph:v19.2.3`, `${R}/aihub`), false);
        assert.equal(isInRegistry(`${R}/aihubx/ceph:v1`, `${R}/aihub`), false);
    });
    it("dedupes and reports a collision naming both images", () => {
        assert.deepEqual(mapImages(["busybox", "docker.io/library/busybox:latest"], R), [
            { source: "docker.io/library/busybox:latest", target: `${R}/library/busybox:latest` },
        ]);
        assert.throws(
            () => mapImages(["quay.io/x/y:1", "docker.io/x/y:1"], R),
            /image collision: "quay.io\/x\/y:1" and "docker.io\/x\/y:1" both map to "registry.airgap.internal:5000\/x\/y:1"/,
        );
    });
});

describe("the distribution spec's length limits (issue 24)", () => {
    it("refuses a long repository name or tag without echoing the whole value", () => {
        const huge = `quay.io/x/${"a".repeat(1 << 20)}:1`;
        assert.throws(
            () => parseImageRef(huge),
            (e: Error) =>
                e instanceof ImageRefLimitError &&
                e.message.length < 300 &&
                /has a repository name \(host and path\) of 1048586 characters; the distribution spec allows at most 255/.test(
                    e.message,
                ),
        );
        assert.throws(() => parseImageRef(`quay.io/x/y:${"t".repeat(129)}`), /has a tag of 129 characters/);
        assert.equal(parseImageRef(`quay.io/x/y:${"t".repeat(128)}`).tag!.length, 128);
    });
    it("names the limit, or the generic fault", () => {
        assert.equal(imageRefProblem("quay.io/ceph/ceph:v19.2.3"), undefined);
        assert.match(imageRefProblem(`${"a".repeat(250)}`)!, /of 268 characters once normalised/);
        assert.equal(
            imageRefProblem("Quay.io/Ceph"),
            "is not an image reference (write it like quay.io/ceph/ceph:v19.2.3)",
        );
    });
});
