/**
 * The bundle inventory renders the releases with the stack's values (real helm, the real vendor charts): an image chosen in
 * the vendor values file and one chosen in inline `aihub.values` are found; rendering the chart with its defaults
 * (what the inventory did before) finds neither.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, test } from "node:test";
import { renderChartImages } from "../../pipeline/charts";
import { releaseImages } from "../../pipeline/rendered";
import { helmBinary } from "../helpers/helm";
import { vendorProject } from "../helpers/vendor-charts";
import { PROJECT_DIR } from "../harness";

let work: string;
let project: string;

before(() => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), "aihub-rendered-"));
    project = vendorProject(path.join(work, "project"), (doc) => {
        doc.setIn(["config", "aihub-airgap:aihub", "valuesFile"], "./values/aihub.yaml");
        doc.setIn(["config", "aihub-airgap:aihub", "values"], { grafana: { repoName: "quay.io/grafana-mirror/" } });
        doc.deleteIn(["config", "aihub-airgap:bundle"]);
    });
    fs.copyFileSync(path.join(PROJECT_DIR, "Pulumi.yaml"), path.join(project, "Pulumi.yaml"));
    fs.mkdirSync(path.join(project, "values"));
    // A site's vendor file picks a mirror for the Let's Encrypt sidecar.
    // (With the licence mode an air gap needs: the chart's default, Altair One, is refused.)
    fs.writeFileSync(
        path.join(project, "values/aihub.yaml"),
        "letsEncrypt:\n  repoName: ghcr.io/site-mirror/\nlicense: { altair: { mode: on_prem, onPrem: { host: lm.internal, port: '6200' } } }\n",
    );
});

after(() => {
    if (work) fs.rmSync(work, { recursive: true, force: true });
});

test("images chosen through valuesFile and inline aihub.values are found; chart defaults miss them", async () => {
    const images = await releaseImages(project, "airgap", helmBinary());
    const picked = images.filter((i) => /site-mirror|grafana-mirror/.test(i));
    assert.equal(picked.length, 2, images.join("\n"));
    assert.ok(picked.some((i) => i.startsWith("ghcr.io/site-mirror/")));
    assert.ok(picked.some((i) => i.startsWith("quay.io/grafana-mirror/")));
    // Everything else the releases render already points at the private registry (computed values).
    const others = images.filter((i) => !picked.includes(i));
    assert.ok(others.length > 10);
    for (const i of others) assert.ok(i.startsWith("registry.airgap.internal:5000/"), i);
    // The old inventory: the chart with its own defaults.
    const defaults = renderChartImages(path.join(project, "charts/rapidminer-aihub-2026.0.2.tgz"), helmBinary());
    assert.equal(defaults.filter((i) => /site-mirror|grafana-mirror/.test(i)).length, 0);
});
