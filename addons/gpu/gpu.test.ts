import assert from "node:assert/strict";
import { test } from "node:test";
import { isInRegistry } from "../../lib/imageref";
import { gpuImages } from "./catalog";
import { gpuRules } from "./rules";
import { gpuSchema } from "./schema";
import { gpuValues } from "./values";

const R = "registry.airgap.internal:5000";
const base = { chart: "./bundle/charts/gpu-operator-v26.7.0.tgz", nodes: ["gpu1", "gpu2"] };
const withDriver = gpuSchema.parse({ ...base, driver: { version: "595.91.07", os: "ubuntu24.04" } });

/** Every `repository` + `image` + `version` (or NFD's repository + tag) in the values, joined. */
function valueImages(v: unknown, out: string[] = []): string[] {
    if (v && typeof v === "object") {
        const o = v as Record<string, unknown>;
        if (typeof o.repository === "string" && typeof o.image === "string")
            out.push(`${o.repository}/${o.image}:${String(o.version)}`);
        else if (typeof o.repository === "string") out.push(`${o.repository}:${String(o.tag)}`);
        Object.values(o).forEach((c) => valueImages(c, out));
    }
    return out;
}

test("the driver tag carries the nodes' OS; preinstalled drivers carry no driver image", () => {
    assert.ok(gpuImages(withDriver).includes("nvcr.io/nvidia/driver:595.91.07-ubuntu24.04"));
    const pre = gpuSchema.parse({ ...base, driver: { preinstalled: true } });
    assert.equal(
        gpuImages(pre).some((i) => i.includes("/driver:")),
        false,
    );
    const driver = gpuValues({ section: pre, registry: R, pullSecretName: "p" }).driver;
    assert.equal(driver.enabled, false);
    assert.equal(driver.repository, undefined);
    assert.equal(gpuImages(withDriver).length, 8);
});

test("every image in the values is in the private registry and matches the catalog", () => {
    const v = gpuValues({ section: withDriver, registry: R, pullSecretName: "p" });
    const refs = valueImages(v);
    // Operator, NFD, the driver and 18 ClusterPolicy operands (the ones left off are mapped too).
    assert.equal(refs.length, 21);
    assert.deepEqual(
        refs.filter((r) => !isInRegistry(r, R)),
        [],
    );
    assert.ok(refs.includes(`${R}/nvidia/k8s/dcgm-exporter:4.6.0-4.8.3-distroless`));
    assert.ok(refs.includes(`${R}/nfd/node-feature-discovery:v0.19.0`));
    assert.ok(refs.includes(`${R}/nvidia/driver:595.91.07`));
});

test("the DCGM ServiceMonitor carries the monitoring add-on's labels only when it is on", () => {
    const on = gpuValues({ section: withDriver, registry: R, pullSecretName: "p", monitorLabels: { release: "kps" } });
    assert.deepEqual((on.dcgmExporter as { serviceMonitor: unknown }).serviceMonitor, {
        enabled: true,
        additionalLabels: { release: "kps" },
        honorLabels: false,
    });
    const off = gpuValues({ section: withDriver, registry: R, pullSecretName: "p" });
    assert.deepEqual((off.dcgmExporter as { serviceMonitor: unknown }).serviceMonitor, { enabled: false });
});

test("a missing driver OS and duplicate nodes are errors naming the key", () => {
    const r = gpuSchema.safeParse({ ...base, driver: { version: "595.91.07" } });
    assert.equal(r.success, false);
    assert.deepEqual(
        gpuRules(gpuSchema.parse({ ...base, nodes: ["gpu1", "gpu1"], driver: { preinstalled: true } })).errors,
        [{ path: "addons.gpu.nodes[1]", text: "gpu1 is listed twice (remove the copy)" }],
    );
});
