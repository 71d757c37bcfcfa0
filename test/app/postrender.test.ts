/**
 * The post-renderer relocates every image outside the private registry, as Helm runs it (the per-stack script,
 * executed as a program): a hard-coded image lands where the bundle pushed it, private ones stay, and a reference
 * that cannot be relocated fails the render naming it. It runs from its prebuilt bundle (cli/postrender.ts), without
 * tsx compiling the sources on each render (issue 27).
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, it } from "node:test";
import * as YAML from "yaml";
import { aihubImages } from "../../catalog/aihub";
import { mapImages } from "../../lib/imageref";
import { postRendered } from "../helpers/helm";
import { moduleProbe } from "../helpers/module-probe";

const R = "harbor.airgap.internal:8443/aihub";

/** A 2025.1.1-shaped render: the ActiveMQ volume fix hard-codes busybox:latest next to a private image. */
const MANIFEST = `---
apiVersion: apps/v1
kind: StatefulSet
metadata: { name: activemq }
spec:
  template:
    spec:
      initContainers:
        - { name: amq-volume-fix, image: "busybox:latest" }
      containers:
        - { name: activemq, image: "${R}/rapidminer/rapidminer-activemq-artemis:2025.1.1" }
---
apiVersion: batch/v1
kind: CronJob
metadata: { name: cleanup }
spec:
  jobTemplate:
    spec:
      template:
        spec:
          containers:
            - { name: c, image: "quay.io/vendor/tool@sha256:${"a".repeat(64)}" }
---
apiVersion: v1
kind: ConfigMap
metadata: { name: untouched }
data: { image: "busybox:latest" }
`;

const images = (out: string) =>
    YAML.parseAllDocuments(out)
        .map((d) => d.toJSON())
        .filter((o) => o)
        .map((o) => JSON.stringify(o));

describe("post-renderer: images", () => {
    it("relocates a hard-coded image to the target the bundle pushes it to; private images and non-pods stay", () => {
        const out = postRendered(MANIFEST, { registry: R });
        const [sts, cron, cm] = images(out);
        const busybox = `${R}/library/busybox:latest`;
        assert.ok(sts.includes(`"image":"${busybox}"`), sts);
        const targets = mapImages(aihubImages("2025.1.1"), R).map((m) => m.target);
        assert.ok(targets.includes(busybox), "2025.1.1's catalog carries busybox to the same place");
        assert.ok(sts.includes(`"image":"${R}/rapidminer/rapidminer-activemq-artemis:2025.1.1"`));
        assert.ok(cron.includes(`"image":"${R}/vendor/tool@sha256:${"a".repeat(64)}"`), cron);
        assert.ok(cm.includes('"image":"busybox:latest"'), "a ConfigMap value is not an image field");
        assert.doesNotMatch(out, /replicas/);
    });

    it("fails the render, naming the object and the reference, when an image cannot be relocated", () => {
        const bad = MANIFEST.replace('"busybox:latest" }', '"Not A/Valid::Ref" }');
        assert.throws(
            () => postRendered(bad, { registry: R }),
            (e: Error & { stderr?: string }) => {
                assert.match(
                    e.stderr ?? "",
                    /images that cannot be relocated into harbor\.airgap\.internal:8443\/aihub/,
                );
                assert.match(e.stderr ?? "", /StatefulSet activemq: .*Not A\/Valid::Ref/);
                return true;
            },
        );
    });
});

describe("post-renderer: start-up", () => {
    it("runs from its prebuilt bundle: no tsx module is loaded", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "postrender-probe-"));
        try {
            const probe = moduleProbe(dir);
            const out = postRendered(MANIFEST, { registry: R }, { ...process.env, NODE_OPTIONS: probe.nodeOptions });
            assert.ok(out.includes(`${R}/library/busybox:latest`), out);
            assert.deepEqual(
                probe.loaded().filter((f) => /[\\/]node_modules[\\/]tsx[\\/]/.test(f)),
                [],
            );
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});
