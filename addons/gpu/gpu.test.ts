import assert from "node:assert/strict";
import { test } from "node:test";
import { isInRegistry } from "../../lib/imageref";
import { gpuImages } from "./catalog";
import { driverMode, gpuRules } from "./rules";
import { gpuSchema } from "./schema";
import { gpuValues } from "./values";

const R = "registry.airgap.internal:5000";
const base = { chart: "./bundle/charts/gpu-operator-v26.7.0.tgz", nodes: ["gpu1", "gpu2"] };
const withDriver = gpuSchema.parse({
    ...base,
    driver: { version: "595.91.07", os: "ubuntu24.04", repoConfigMap: "repo-config" },
});
const precompiled = gpuSchema.parse({
    ...base,
    driver: { version: "595.91.07", os: "ubuntu24.04", kernelVersion: "6.8.0-60-generic" },
});

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

test("duplicate nodes are errors naming the key", () => {
    assert.deepEqual(
        gpuRules(gpuSchema.parse({ ...base, nodes: ["gpu1", "gpu1"], driver: { preinstalled: true } })).errors,
        [{ path: "addons.gpu.nodes[1]", text: "gpu1 is listed twice (remove the copy)" }],
    );
});

const CHOICES =
    "set addons.gpu.driver.kernelVersion to the nodes' `uname -r` (precompiled driver image), " +
    "addons.gpu.driver.repoConfigMap to a ConfigMap with a local package mirror, or addons.gpu.driver.preinstalled: true";
const rules = (driver: unknown) => gpuRules(gpuSchema.parse({ ...base, driver })).errors;

test("the driver is exactly one of preinstalled, precompiled or a package mirror; the error names the keys", () => {
    assert.deepEqual(rules({ version: "595.91.07", os: "ubuntu24.04" }), [
        {
            path: "addons.gpu.driver",
            text: `the driver container downloads OS packages before it installs, which fails without internet (${CHOICES})`,
        },
    ]);
    assert.deepEqual(
        rules({ version: "595.91.07", os: "ubuntu24.04", kernelVersion: "6.8.0-60-generic", repoConfigMap: "repo" }),
        [
            {
                path: "addons.gpu.driver.repoConfigMap",
                text: `addons.gpu.driver.kernelVersion and addons.gpu.driver.repoConfigMap are both set (choose one: ${CHOICES})`,
            },
        ],
    );
    assert.deepEqual(rules({ preinstalled: true, kernelVersion: "6.8.0-60-generic" }), [
        {
            path: "addons.gpu.driver.kernelVersion",
            text: `addons.gpu.driver.preinstalled and addons.gpu.driver.kernelVersion are both set (choose one: ${CHOICES})`,
        },
    ]);
    assert.deepEqual(rules({ preinstalled: true, version: "595.91.07" }), [
        { path: "addons.gpu.driver.version", text: "is not used with preinstalled drivers (remove it)" },
    ]);
    assert.deepEqual(rules({ version: "595.91.07", kernelVersion: "6.8.0-60-generic" }), [
        {
            path: "addons.gpu.driver.os",
            text: "the precompiled driver image needs the nodes' OS as the image tag names it (e.g. os: ubuntu24.04)",
        },
    ]);
    assert.deepEqual(rules({ os: "ubuntu24.04", repoConfigMap: "repo" }), [
        {
            path: "addons.gpu.driver.version",
            text: 'the driver container needs the driver version (e.g. version: "595.91.07")',
        },
    ]);
    for (const ok of [{ preinstalled: true }, precompiled.driver, withDriver.driver]) assert.deepEqual(rules(ok), []);
    assert.equal(driverMode(precompiled.driver), "precompiled");
    assert.equal(driverMode(withDriver.driver), "mirror");
    const bad = gpuSchema.safeParse({ ...base, driver: { kernelVersion: "6.8 generic", repoConfigMap: "Repo" } });
    assert.deepEqual(
        bad.error?.issues.map((i) => [i.path.join("."), i.message]),
        [
            ["driver.kernelVersion", "is not a kernel version (write the nodes' `uname -r`, e.g. 6.8.0-60-generic)"],
            ["driver.repoConfigMap", "is not a ConfigMap name (lower-case letters, digits, '-' and '.')"],
        ],
    );
});

test("precompiled: the bundle carries <branch>-<kernel>-<os>, the values ask for it by branch", () => {
    const images = gpuImages(precompiled);
    assert.ok(images.includes("nvcr.io/nvidia/driver:595-6.8.0-60-generic-ubuntu24.04"));
    assert.equal(
        images.some((i) => i.startsWith("nvcr.io/nvidia/driver:595.91.07")),
        false,
    );
    const driver = gpuValues({ section: precompiled, registry: R, pullSecretName: "p" }).driver;
    assert.equal(driver.usePrecompiled, true);
    assert.equal(driver.version, "595");
    assert.equal(driver.repository, `${R}/nvidia`);
    assert.equal(driver.repoConfig, undefined);
});

test("a package mirror: the driver container with the admin's repoConfig ConfigMap", () => {
    const driver = gpuValues({ section: withDriver, registry: R, pullSecretName: "p" }).driver;
    assert.equal(driver.usePrecompiled, false);
    assert.deepEqual(driver.repoConfig, { configMapName: "repo-config" });
    assert.ok(gpuImages(withDriver).includes("nvcr.io/nvidia/driver:595.91.07-ubuntu24.04"));
});
