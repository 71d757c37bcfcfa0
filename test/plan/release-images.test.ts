/** plan renders every release besides AI Hub's (Rook's, the add-ons') and fails on an image outside the registry. */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, it } from "node:test";
import { releaseImageFindings } from "../../platform/plan/policies/releases";
import type { Registration } from "../../platform/plan/recorder";
import type { PlatformConfig } from "../../platform/contracts";
import { helmBinary } from "../helpers/helm";

const REGISTRY = "registry.lab.internal:5000";
const cfg = { registry: { server: REGISTRY }, aihub: { chart: "aihub.tgz" } } as unknown as PlatformConfig;

/** A chart with one Deployment whose image comes from `.Values.image`. */
function chart(dir: string): string {
    const c = path.join(dir, "web");
    fs.mkdirSync(path.join(c, "templates"), { recursive: true });
    fs.writeFileSync(path.join(c, "Chart.yaml"), "apiVersion: v2\nname: web\nversion: 1.0.0\n");
    fs.writeFileSync(path.join(c, "values.yaml"), "image: docker.io/library/nginx:1.29\n");
    fs.writeFileSync(
        path.join(c, "templates", "deploy.yaml"),
        [
            "apiVersion: apps/v1",
            "kind: Deployment",
            "metadata: { name: web }",
            "spec:",
            "  selector: { matchLabels: { app: web } }",
            "  template:",
            "    metadata: { labels: { app: web } }",
            "    spec: { containers: [{ name: web, image: {{ .Values.image | quote }} }] }",
        ].join("\n"),
    );
    return c;
}

function release(chartPath: string, values: Record<string, unknown>): Registration {
    return {
        type: "kubernetes:helm.sh/v3:Release",
        name: "web",
        urn: "urn:pulumi:lab::aihub-airgap::kubernetes:helm.sh/v3:Release::web",
        inputs: { chart: chartPath, name: "web", namespace: "web", values },
    } as unknown as Registration;
}

describe("plan: images of the other releases", () => {
    process.env.HELM = helmBinary();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "release-images-"));
    const c = chart(dir);

    it("an image left at the chart's upstream default is an error naming the workload and the image", () => {
        const f = releaseImageFindings([release(c, {})], cfg, dir);
        assert.deepEqual(
            f.map((x) => [x.level, x.rule, x.text]),
            [
                [
                    "error",
                    "release-image-not-relocated",
                    `Deployment web: containers[0] runs docker.io/library/nginx:1.29, outside ${REGISTRY}`,
                ],
            ],
        );
    });

    it("values that relocate the image pass; a chart not fetched yet gets no finding", () => {
        assert.deepEqual(releaseImageFindings([release(c, { image: `${REGISTRY}/library/nginx:1.29` })], cfg, dir), []);
        assert.deepEqual(releaseImageFindings([release(path.join(dir, "absent.tgz"), {})], cfg, dir), []);
    });
});
