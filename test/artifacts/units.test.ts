/** Pure parts of the artifact pipeline: references, flags, sizes, plugin names, rendered-image discovery, inventory. */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, test } from "node:test";
import { platformFlags, pullReference } from "../../pipeline/pull";
import { imagesInManifests } from "../../pipeline/charts";
import { stackInventory } from "../../pipeline/inventory";
import { stackImages } from "../../platform/inventory";
import { parseManifest } from "../../pipeline/manifest";
import { pluginFile, pluginNeeds, pluginUrl } from "../../pipeline/plugins";
import { pushReference } from "../../pipeline/push-refs";
import { isTransient, registryAccess, skopeoMessage } from "../../pipeline/skopeo";
import { parseSize, partName } from "../../pipeline/split";
import { stackConfig } from "../../pipeline/stack";
import { PROJECT_DIR } from "../harness";

describe("references", () => {
    test("pullReference rewrites the host through upstreamMirrors, keeping path, tag and digest", () => {
        const mirrors = { "quay.io": "mirror.local:5000/quay", "docker.io": "hub.local" };
        assert.equal(pullReference("quay.io/ceph/ceph:v19.2.3", mirrors), "mirror.local:5000/quay/ceph/ceph:v19.2.3");
        assert.equal(pullReference("busybox", mirrors), "hub.local/library/busybox:latest");
        assert.equal(pullReference("registry.k8s.io/x/y:1", mirrors), "registry.k8s.io/x/y:1");
        const d = `sha256:${"a".repeat(64)}`;
        assert.equal(pullReference(`quay.io/a/b@${d}`, mirrors), `mirror.local:5000/quay/a/b@${d}`);
    });
    test("platformFlags: one platform overrides os/arch; several or a digest copy the whole index", () => {
        assert.deepEqual(platformFlags("quay.io/a/b:1", ["linux/amd64"]), [
            "--override-os=linux",
            "--override-arch=amd64",
        ]);
        assert.deepEqual(platformFlags("quay.io/a/b:1", ["linux/arm64/v8"]), [
            "--override-os=linux",
            "--override-arch=arm64",
            "--override-variant=v8",
        ]);
        assert.deepEqual(platformFlags("quay.io/a/b:1", ["linux/amd64", "linux/arm64"]), ["--all"]);
        assert.deepEqual(platformFlags(`quay.io/a/b@sha256:${"b".repeat(64)}`, ["linux/amd64"]), ["--all"]);
    });
    test("pushReference pushes by tag when there is one, else by digest", () => {
        const d = `sha256:${"c".repeat(64)}`;
        assert.equal(pushReference("quay.io/ceph/ceph:v19.2.3", "r:5000"), "r:5000/ceph/ceph:v19.2.3");
        assert.equal(pushReference(`quay.io/ceph/ceph:v19@${d}`, "r:5000/proj"), "r:5000/proj/ceph/ceph:v19");
        assert.equal(pushReference(`quay.io/ceph/ceph@${d}`, "r:5000"), `r:5000/ceph/ceph@${d}`);
    });
});

describe("skopeo helpers", () => {
    test("errors: auth, TLS and missing images are permanent; resets and 5xx are transient", () => {
        assert.equal(isTransient("unauthorized: authentication required"), false);
        assert.equal(isTransient("x509: certificate signed by unknown authority"), false);
        assert.equal(isTransient("manifest unknown"), false);
        assert.equal(isTransient("read: connection reset by peer"), true);
        assert.equal(isTransient("received unexpected HTTP status: 503 Service Unavailable"), true);
    });
    test("skopeoMessage takes the fatal message", () => {
        assert.equal(skopeoMessage('time="x" level=fatal msg="copying: \\"a\\" failed"\n'), 'copying: "a" failed');
        assert.equal(skopeoMessage("one\ntwo\n"), "two");
    });
    test("registryAccess writes a 0600 auth file keyed by host and removes it", () => {
        const a = registryAccess({ server: "r.local:5000/proj", username: "u", password: "p:w", caCert: "PEM" });
        const flags = a.flags("dest");
        const auth = flags.find((f) => f.startsWith("--dest-authfile="))!.split("=")[1];
        assert.equal(fs.statSync(auth).mode & 0o777, 0o600);
        assert.deepEqual(JSON.parse(fs.readFileSync(auth, "utf8")), {
            auths: { "r.local:5000": { auth: Buffer.from("u:p:w").toString("base64") } },
        });
        const certDir = flags.find((f) => f.startsWith("--dest-cert-dir="))!.split("=")[1];
        assert.equal(fs.readFileSync(path.join(certDir, "ca.crt"), "utf8"), "PEM");
        assert.equal(flags[2], "--dest-tls-verify=true");
        assert.deepEqual(
            a.flags("").map((f) => f.split("=")[0]),
            ["--authfile", "--cert-dir", "--tls-verify"],
        );
        assert.equal(
            flags.some((f) => f.includes("p:w")),
            false,
        );
        a.cleanup();
        assert.equal(fs.existsSync(auth), false);
        const anon = registryAccess({ server: "r", tlsVerify: false });
        assert.deepEqual(anon.flags("src"), ["--src-no-creds", "--src-tls-verify=false"]);
        anon.cleanup();
    });
});

describe("split and plugins", () => {
    test("parseSize", () => {
        assert.equal(parseSize("4G"), 4 * 1024 ** 3);
        assert.equal(parseSize("650M"), 650 * 1024 ** 2);
        assert.equal(parseSize("1.5GiB"), 1.5 * 1024 ** 3);
        assert.throws(() => parseSize("12 apples"), /not a size/);
        assert.throws(() => parseSize("100K"), /below 1M/);
        assert.equal(partName(7), "bundle.tar.part-007");
    });
    test("plugins: exact pins from package.json, Pulumi's tarball names", () => {
        const pkg = JSON.parse(fs.readFileSync(path.join(PROJECT_DIR, "package.json"), "utf8"));
        assert.deepEqual(pluginNeeds(pkg), [{ name: "kubernetes", version: "4.25.0" }]);
        assert.throws(() => pluginNeeds({ dependencies: { "@pulumi/kubernetes": "^4.25.0" } }), /pin an exact version/);
        const p = { name: "kubernetes", version: "4.25.0" };
        assert.equal(pluginFile(p, "linux/amd64"), "pulumi-resource-kubernetes-v4.25.0-linux-amd64.tar.gz");
        assert.equal(
            pluginUrl(p, "linux/arm64"),
            "https://github.com/pulumi/pulumi-kubernetes/releases/download/v4.25.0/pulumi-resource-kubernetes-v4.25.0-linux-arm64.tar.gz",
        );
    });
});

describe("inventory", () => {
    test("images in rendered manifests: container images only, templated junk ignored", () => {
        const text = [
            "kind: Deployment\nspec: {template: {spec: {containers: [{name: a, image: 'rook/ceph:v1.20.6'}], initContainers: [{name: i, image: 'quay.io/x/y:1'}]}}}",
            "kind: ConfigMap\ndata: {image: 'not/a/container:1'}",
            "kind: Pod\nspec: {containers: [{name: b, image: ''}, {name: c, image: 'rook/ceph:v1.20.6'}]}",
        ].join("\n---\n");
        assert.deepEqual(imagesInManifests(text), ["quay.io/x/y:1", "rook/ceph:v1.20.6"]);
    });
    test("the airgap stack: catalog + Ceph image, 37 targets; rendered images join, private ones are dropped", () => {
        const cfg = stackConfig(PROJECT_DIR, "airgap");
        const base = stackImages(cfg);
        assert.equal(base.length, 37);
        assert.ok(base.some((m) => m.target === "registry.airgap.internal:5000/sig-storage/csi-resizer:v2.1.0"));
        const more = stackImages(cfg, [
            "docker.io/rook/ceph:v1.20.6",
            "nginx:1.27",
            "registry.airgap.internal:5000/x/y:1",
        ]);
        assert.equal(more.length, 38);
        assert.ok(more.some((m) => m.source === "docker.io/library/nginx:1.27"));
        assert.throws(() => stackImages(cfg, ["other.io/ceph/ceph:v19.2.3"]), /image collision/);
        const inv = stackInventory(cfg, { dependencies: { "@pulumi/kubernetes": "4.34.2" } });
        assert.deepEqual(inv.plugins, [{ name: "kubernetes", version: "4.34.2" }]);
        assert.deepEqual(
            inv.charts.map((c) => c.key),
            ["rook.chart", "rook.csiDriversChart", "aihub.chart"],
        );
    });
    test("bundle.json parsing names the bad field", () => {
        assert.throws(() => parseManifest("{"), /not valid JSON/);
        assert.throws(
            () =>
                parseManifest(
                    JSON.stringify({
                        format: 2,
                        tool: "",
                        stack: "",
                        registry: "",
                        platforms: ["x"],
                        created: "",
                        artifacts: [],
                    }),
                ),
            /format/,
        );
    });
});
