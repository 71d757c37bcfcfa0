/**
 * The record of the paths the AI Hub chart serves (catalog/aihub-paths.ts) against every real chart in
 * ../shared/charts: its values' `*Suffix` keys (`helm show values`), and the chart rendered with the repository's
 * values (the ConfigMaps its servers read: GRAFANA_URL_SUFFIX, JUPYTERHUB_URL_SUFFIX, GF_SERVER_ROOT_URL, Keycloak's
 * KC_HTTP_RELATIVE_PATH, Panopticon's path). The add-on UI defaults collide with none of them; the old ones did.
 */
import assert from "node:assert/strict";
import * as path from "node:path";
import { describe, it } from "node:test";
import * as YAML from "yaml";
import { AIHUB_SERVED_PATHS, pathsCollide } from "../../catalog/aihub-paths";
import { aihubKnownVersions } from "../../catalog/aihub";
import { jupyterhubSchema } from "../../addons/jupyterhub/schema";
import { monitoringSchema } from "../../addons/monitoring/schema";
import { helm } from "../helpers/helm";
import { aihubVendorVersions, renderAihubVendorChart, VENDOR_CHARTS } from "../helpers/vendor-charts";

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- chart values

/** Every `<...>Suffix` key of the values whose value is a path, as dotted key → path. */
function suffixKeys(values: Obj, prefix: string[] = [], out: Record<string, string> = {}): Record<string, string> {
    for (const [k, v] of Object.entries(values ?? {})) {
        if (v && typeof v === "object" && !Array.isArray(v)) suffixKeys(v as Obj, [...prefix, k], out);
        else if (/Suffix$/.test(k) && typeof v === "string" && v.startsWith("/")) out[[...prefix, k].join(".")] = v;
    }
    return out;
}

describe("the paths AI Hub serves, per chart version, against the real charts", () => {
    const versions = aihubVendorVersions();

    it("the record covers every catalog version and every real chart (14)", () => {
        assert.equal(versions.length, 14, versions.join(" "));
        assert.deepEqual(Object.keys(AIHUB_SERVED_PATHS).sort(), aihubKnownVersions().sort());
        for (const v of versions) assert.ok(AIHUB_SERVED_PATHS[v], `${v} missing from catalog/aihub-paths.ts`);
    });

    for (const version of versions) {
        it(`${version}: the values' suffix keys and the rendered servers' paths are the record's`, () => {
            const record = AIHUB_SERVED_PATHS[version];
            const tgz = path.join(VENDOR_CHARTS, `rapidminer-aihub-${version}.tgz`);
            const values = YAML.parse(helm(["show", "values", tgz])) as Obj;
            const keyed = Object.fromEntries(record.filter((p) => p.key).map((p) => [p.key!, p.path]));
            assert.deepEqual(suffixKeys(values), keyed);

            const objs = renderAihubVendorChart(version);
            const maps = objs
                .filter((o) => o.kind === "ConfigMap")
                .map((o) => (o.data ?? {}) as Record<string, string>);
            /** Every value of `name` in the rendered ConfigMaps, without a trailing '/'. */
            const all = (name: string) => [
                ...new Set(maps.filter((d) => name in d).map((d) => d[name].replace(/(.)\/$/, "$1"))),
            ];
            const expect: Record<string, string> = {
                GRAFANA_URL_SUFFIX: "grafana.proxyURLSuffix",
                JUPYTERHUB_URL_SUFFIX: "jupyterHub.proxyURLSuffix",
                PLATFORM_ADMIN_URL_SUFFIX: "platformAdmin.proxyURLSuffix",
                SCORING_AGENT_URL_SUFFIX: "scoringAgent.proxyURLSuffix",
                SCORING_AGENT_WEBUI_URL_SUFFIX: "platformAdmin.proxyRTSWebUISuffix",
                TOKEN_TOOL_URL_SUFFIX: "tokenTool.proxyURLSuffix",
            };
            for (const [name, key] of Object.entries(expect)) assert.deepEqual(all(name), [keyed[key]], name);
            // Grafana's public URL (its sign-in callback) is built from its suffix.
            assert.deepEqual(
                all("GF_SERVER_ROOT_URL").map((u) => new URL(u).pathname),
                [keyed["grafana.proxyURLSuffix"]],
            );
            // The fixed paths: Keycloak's relative path, Panopticon's.
            const fixed = record.filter((p) => !p.key).map((p) => p.path);
            assert.deepEqual(fixed, ["/auth", "/panopticon"]);
            assert.deepEqual(all("KC_HTTP_RELATIVE_PATH"), ["/auth"]);
            const text = JSON.stringify(objs);
            assert.ok(text.includes('"/panopticon"') || text.includes("/panopticon/"), "Panopticon's path");
        });

        it(`${version}: the add-on UI defaults collide with no path of the real chart; the old defaults did`, () => {
            const values = YAML.parse(
                helm(["show", "values", path.join(VENDOR_CHARTS, `rapidminer-aihub-${version}.tgz`)]),
            ) as Obj;
            const served = [...Object.values(suffixKeys(values)), "/auth", "/panopticon"];
            const grafana = monitoringSchema.shape.grafana.parse(undefined).path;
            const hub = jupyterhubSchema.shape.path.parse(undefined);
            for (const p of [grafana, hub]) {
                assert.deepEqual(
                    served.filter((s) => pathsCollide(p, s)),
                    [],
                    p,
                );
            }
            assert.ok(served.some((s) => pathsCollide("/grafana", s)));
            assert.ok(served.some((s) => pathsCollide("/jupyter", s)));
        });
    }
});
