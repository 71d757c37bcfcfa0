/**
 * The add-on catalogs against the real add-on charts (../shared/charts, each at the version its catalog pins): the
 * research-cluster stack with all eight add-ons on is planned with the real charts where the stack names them, so
 * every release is rendered by helm with exactly the values the program sends. Every image a render names is in the
 * private registry and carried by the bundle inventory; every carried image is named by a render or by a resource the
 * program itself creates (the images an operator starts at run time sit in its CRs, arguments or config).
 */
/* eslint-disable @typescript-eslint/no-explicit-any -- tests walk rendered, untyped manifests */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { parse, stringify } from "yaml";
import { aihubImages } from "../../catalog/aihub";
import { isInRegistry, mapImages } from "../../lib/imageref";
import { formatProblem } from "../../lib/problems";
import { containerImages } from "../../modules/aihub/postrender";
import { renderRelease } from "../../platform/plan/render";
import { runPlan } from "../../platform/plan/run";
import { ADDONS } from "../../platform/registry";
import { PROJECT_DIR } from "../harness";
import { helmBinary } from "../helpers/helm";
import { vendorChart } from "../helpers/vendor-charts";

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "addon-renders-"));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

let plan: Awaited<ReturnType<typeof runPlan>>;
let releases: any[];
let renders: Map<string, any[]>;
let registry: string;

before(async () => {
    process.env.HELM = helmBinary();
    fs.cpSync(path.join(PROJECT_DIR, "values"), path.join(tmp, "values"), { recursive: true });
    fs.copyFileSync(path.join(PROJECT_DIR, "Pulumi.yaml"), path.join(tmp, "Pulumi.yaml"));
    const doc = parse(fs.readFileSync(path.join(PROJECT_DIR, "Pulumi.research.yaml"), "utf8"));
    const config = doc.config as Record<string, any>;
    // The research profile leaves AIStore out; it is added here so that every add-on chart is rendered.
    config["aihub-airgap:addons"].aistore = {
        chart: "./bundle/charts/ais-operator-3.4.0.tgz",
        nodes: [
            { hostname: config["aihub-airgap:ceph"].nodes[0].hostname, disks: [{ path: "/dev/sdz", size: "100Gi" }] },
        ],
    };
    registry = config["aihub-airgap:registry"].server;
    fs.writeFileSync(path.join(tmp, "Pulumi.research.yaml"), stringify(doc));
    const charts = path.join(tmp, "bundle", "charts");
    fs.mkdirSync(charts, { recursive: true });
    const sections = [
        config["aihub-airgap:rook"],
        config["aihub-airgap:aihub"],
        ...Object.values(config["aihub-airgap:addons"]),
    ];
    for (const s of sections as { chart?: string; csiDriversChart?: string }[]) {
        for (const file of [s.chart, s.csiDriversChart].filter((f): f is string => f !== undefined)) {
            fs.copyFileSync(vendorChart(path.basename(file)), path.join(tmp, file));
        }
    }
    plan = await runPlan({ projectDir: tmp, stack: "research" });
    releases = plan.resources.filter((r) => r.type === "kubernetes:helm.sh/v3:Release");
    renders = new Map(
        releases.map((r) => {
            const out = renderRelease(r, tmp);
            assert.ok("objects" in out, `${r.name}: ${JSON.stringify(out)}`);
            const post = out.postRendered;
            assert.ok(!post || "objects" in post, `${r.name}: ${JSON.stringify(post)}`);
            return [r.name as string, (post?.objects ?? out.objects) as any[]];
        }),
    );
});

/**
 * Images named in the split form an operator's CR takes them (`repository`, `image`, `version`: the GPU operator's
 * ClusterPolicy), joined; with `only`, just those under that key.
 */
function splitImages(v: unknown, only?: string, key = ""): string[] {
    if (!v || typeof v !== "object") return [];
    const o = v as Record<string, unknown>;
    const own =
        typeof o.repository === "string" && typeof o.image === "string" && typeof o.version === "string"
            ? [`${o.repository}/${o.image}:${o.version}`]
            : [];
    return [
        ...(only === undefined || key === only ? own : []),
        ...Object.entries(o).flatMap(([k, x]) => splitImages(x, only, k)),
    ];
}

describe("the add-on catalogs against the real add-on charts", () => {
    it("plans all eight add-ons on the real charts, each release rendered, no error", () => {
        assert.deepEqual(plan.errors.map(formatProblem), []);
        assert.deepEqual(
            plan.findings.filter((f) => f.level === "error" || f.rule === "release-render"),
            [],
        );
        assert.equal(ADDONS.length, 8);
        // Rook, the CSI drivers, AI Hub and one release per add-on.
        assert.equal(releases.length, 3 + ADDONS.length, releases.map((r) => r.name).join(" "));
    });

    it("every image a release renders is private and carried by the bundle", () => {
        const carried = new Set(plan.images.map((i) => i.target));
        const rendered = [...renders].flatMap(([name, objs]) =>
            objs.flatMap((o) => containerImages(o).map((c) => ({ name, ...c }))),
        );
        assert.ok(rendered.length >= 40, `only ${rendered.length} container images rendered`);
        assert.deepEqual(
            rendered.filter((c) => !isInRegistry(c.image, registry)),
            [],
        );
        assert.deepEqual(
            rendered.filter((c) => !carried.has(c.image)).map((c) => `${c.name} ${c.where} ${c.image}`),
            [],
        );
    });

    it("every carried image is named by a render or by a resource the program creates", () => {
        const objects = [
            ...[...renders.values()].flat(),
            ...plan.resources.filter((r) => r.type !== "kubernetes:helm.sh/v3:Release").map((r) => r.inputs),
        ];
        const named = [JSON.stringify(objects), ...objects.flatMap((o) => splitImages(o))].join("\n");
        // AI Hub's images are checked against every real chart in test/artifacts/catalog-renders.test.ts.
        const aihub = new Set(mapImages(aihubImages("2026.0.2"), registry).map((m) => m.target));
        // The GPU operator appends the node's kernel and OS to a precompiled driver's version at run time
        // (addons/gpu/render.test.ts checks that tag against the ClusterPolicy).
        const driver = objects.flatMap((o) => splitImages(o, "driver")).map((d) => `${d}-`);
        const unused = plan.images
            .map((i) => i.target)
            .filter((t) => !aihub.has(t) && !named.includes(t) && !driver.some((d) => t.startsWith(d)));
        assert.deepEqual(unused, []);
    });
});
