/** NVIDIA's real gpu-operator v26.7.0 chart rendered with real helm and the generated values. */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { test } from "node:test";
import { parseAllDocuments } from "yaml";
import { containerImages } from "../../modules/aihub/postrender";
import { isInRegistry, mapImage } from "../../lib/imageref";
import { crdErrors, refFile } from "../../test/helpers/crd";
import { helm } from "../../test/helpers/helm";
import { VENDOR_CHARTS } from "../../test/helpers/vendor-charts";
import { gpuImages } from "./catalog";
import { gpuSchema } from "./schema";
import { gpuValues } from "./values";

const R = "registry.airgap.internal:5000";
/** NVIDIA's real chart, as the bundle carries it. */
const CHART = path.join(VENDOR_CHARTS, "gpu-operator-v26.7.0.tgz");
const CRD = refFile("gpu-operator", "nvidia.com_clusterpolicies-v26.7.0.yaml");

type Obj = { kind: string; metadata: { name: string }; spec: Record<string, unknown> };

function render(driver: unknown, monitorLabels?: Record<string, string>): Obj[] {
    const section = gpuSchema.parse({ chart: "x", nodes: ["gpu1"], driver });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gpu-values-"));
    const file = path.join(dir, "values.json");
    fs.writeFileSync(file, JSON.stringify(gpuValues({ section, registry: R, pullSecretName: "pull", monitorLabels })));
    const out = helm(["template", "gpu-operator", CHART, "-n", "gpu-operator", "-f", file]);
    fs.rmSync(dir, { recursive: true });
    return parseAllDocuments(out)
        .map((d) => d.toJS() as Obj | null)
        .filter((o): o is Obj => o !== null);
}

/** Every operand image of a ClusterPolicy spec (repository/image/version joined), with its path. */
function operandImages(spec: Record<string, unknown>, at = "spec"): { where: string; image: string }[] {
    return Object.entries(spec).flatMap(([k, v]) => {
        if (!v || typeof v !== "object") return [];
        const o = v as Record<string, unknown>;
        const own =
            typeof o.image === "string" && o.repository
                ? [{ where: `${at}.${k}`, image: `${String(o.repository)}/${o.image}:${String(o.version)}` }]
                : [];
        return [...own, ...operandImages(o, `${at}.${k}`)];
    });
}

test("every image the chart renders, ClusterPolicy operands included, is in the private registry", () => {
    const objs = render({ version: "595.91.07", os: "ubuntu24.04" });
    const policy = objs.find((o) => o.kind === "ClusterPolicy")!;
    const images = [...objs.flatMap((o) => containerImages(o)), ...operandImages(policy.spec)];
    // 7 pod images (operator; NFD master, worker and garbage collector; the upgrade-crd, cleanup and NFD prune hook
    // Jobs) and 19 ClusterPolicy operands.
    assert.equal(images.length, 26);
    assert.deepEqual(
        images.filter((i) => !isInRegistry(i.image, R)),
        [],
    );
    assert.ok(images.some((i) => i.where === "spec.driver" && i.image === `${R}/nvidia/driver:595.91.07`));
    const pulls = Object.entries(policy.spec)
        .filter(([, v]) => (v as { repository?: string }).repository)
        .filter(([, v]) => JSON.stringify((v as { imagePullSecrets?: string[] }).imagePullSecrets) !== '["pull"]');
    assert.deepEqual(pulls, []);
    const nfd = objs.find((o) => o.kind === "DaemonSet" && o.metadata.name.endsWith("-worker"))!;
    assert.deepEqual((nfd.spec.template as { spec: { nodeSelector: unknown } }).spec.nodeSelector, {
        "aihub-airgap.io/gpu": "true",
    });
});

test("the rendered ClusterPolicy is valid against the v26.7.0 CRD, with and without the driver container", () => {
    for (const driver of [{ version: "595.91.07", os: "ubuntu24.04" }, { preinstalled: true }]) {
        const policy = render(driver, { release: "kps" }).find((o) => o.kind === "ClusterPolicy")!;
        assert.deepEqual(crdErrors(CRD, policy as never), []);
        assert.equal((policy.spec.driver as { enabled: boolean }).enabled, !("preinstalled" in driver));
        const monitor = (policy.spec.dcgmExporter as { serviceMonitor: Record<string, unknown> }).serviceMonitor;
        assert.deepEqual(
            [monitor.enabled, monitor.additionalLabels, monitor.honorLabels],
            [true, { release: "kps" }, false],
        );
    }
});

/** The image the operator starts from the ClusterPolicy's driver section on a node with `kernel` and `os`. */
function operatorDriverImage(d: Record<string, unknown>, kernel: string, os: string): string {
    const tag = d.usePrecompiled ? `${String(d.version)}-${kernel}-${os}` : `${String(d.version)}-${os}`;
    return `${String(d.repository)}/${String(d.image)}:${tag}`;
}

test("the real v26.7.0 chart: a precompiled driver image, or the driver container with a package mirror, carried and private", () => {
    const cases = [
        { driver: { version: "595.91.07", os: "ubuntu24.04", kernelVersion: "6.8.0-60-generic" }, precompiled: true },
        { driver: { version: "595.91.07", os: "ubuntu24.04", repoConfigMap: "local-apt" }, precompiled: false },
    ];
    for (const { driver, precompiled } of cases) {
        const objs = render(driver, { release: "kps" });
        const policy = objs.find((o) => o.kind === "ClusterPolicy")!;
        assert.deepEqual(crdErrors(CRD, policy as never), []);
        const d = policy.spec.driver as Record<string, unknown>;
        assert.equal(d.enabled, true);
        assert.equal(d.usePrecompiled, precompiled);
        if (precompiled) assert.equal(d.version, "595");
        assert.deepEqual(d.repoConfig, { configMapName: precompiled ? "" : "local-apt" });
        // What the operator pulls on a GPU node is the private copy of what the bundle carries.
        const started = operatorDriverImage(d, "6.8.0-60-generic", "ubuntu24.04");
        const carried = gpuImages(gpuSchema.parse({ chart: "x", nodes: ["gpu1"], driver })).map((i) => mapImage(i, R));
        assert.ok(carried.includes(started), `${started} is not carried (${carried.join(", ")})`);
        assert.equal(started, `${R}/nvidia/driver:${precompiled ? "595-6.8.0-60-generic" : "595.91.07"}-ubuntu24.04`);
        // Every image the chart names, pods and ClusterPolicy operands, is in the private registry.
        const images = [...objs.flatMap((o) => containerImages(o)), ...operandImages(policy.spec)];
        assert.ok(images.length >= 20, `only ${images.length} images`);
        assert.deepEqual(
            images.filter((i) => !isInRegistry(i.image, R)),
            [],
        );
    }
});
