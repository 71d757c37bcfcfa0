/* eslint-disable @typescript-eslint/no-explicit-any -- tests walk rendered, untyped manifests */
/**
 * `plan` renders the AI Hub release with real helm against the real vendor charts (issue 9.7: no chart placeholder
 * survives into a rendered object; 9.18: the volumes it claims against what Ceph holds).
 */
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, describe, it } from "node:test";
import { parse, parseAllDocuments, stringify } from "yaml";
import { aihubLayout } from "../../catalog/aihub-layout";
import { survivingPlaceholders } from "../../modules/aihub/placeholders";
import { releaseValues } from "../../modules/aihub/values";
import { readValuesFile } from "../../config/rules";
import { cephCapacity, claimedBytes } from "../../platform/plan/policies/render";
import { valuesInput } from "../app/fixtures";
import { PROJECT_DIR } from "../harness";
import { helm, helmBinary } from "../helpers/helm";
import { aihubVendorChart } from "../helpers/vendor-charts";
import { stackConfig } from "../storage/helpers";

const CHART = aihubVendorChart("2026.0.2");
const work = fs.mkdtempSync(path.join(os.tmpdir(), "render-plan-"));
after(() => fs.rmSync(work, { recursive: true, force: true }));

/**
 * A project directory with the airgap stack (edited) and the real chart of `version` where the stack names it;
 * `values` is appended to the project's copy of the vendor values file.
 */
function project(
    name: string,
    edit: (cfg: Record<string, any>) => void = () => {},
    opts: { version?: string; values?: string; chart?: (src: string) => void } = {},
): string {
    const version = opts.version ?? "2026.0.2";
    const dir = path.join(work, name);
    fs.mkdirSync(path.join(dir, "bundle", "charts"), { recursive: true });
    fs.cpSync(path.join(PROJECT_DIR, "values"), path.join(dir, "values"), { recursive: true });
    if (opts.values) fs.appendFileSync(path.join(dir, "values", "aihub.yaml"), opts.values);
    fs.copyFileSync(path.join(PROJECT_DIR, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
    const doc = parse(fs.readFileSync(path.join(PROJECT_DIR, "Pulumi.airgap.yaml"), "utf8"));
    const file = `rapidminer-aihub-${version}.tgz`;
    doc.config["aihub-airgap:aihub"].version = version;
    doc.config["aihub-airgap:aihub"].chart = `./bundle/charts/${file}`;
    edit(doc.config);
    fs.writeFileSync(path.join(dir, "Pulumi.airgap.yaml"), stringify(doc));
    if (opts.chart) {
        // The real chart unpacked, changed and packaged again under its own name and version.
        const src = path.join(dir, "chart-src");
        fs.mkdirSync(src);
        execFileSync("tar", ["-xzf", aihubVendorChart(version), "-C", src]);
        opts.chart(path.join(src, "rapidminer-aihub"));
        helm(["package", path.join(src, "rapidminer-aihub"), "--destination", path.join(dir, "bundle", "charts")]);
    } else {
        fs.copyFileSync(aihubVendorChart(version), path.join(dir, "bundle", "charts", file));
    }
    return dir;
}

function plan(dir: string) {
    const r = spawnSync(
        process.execPath,
        ["--import", "tsx", path.join(PROJECT_DIR, "cli", "plan.ts"), "--stack", "airgap", "--json", "--dir", dir],
        { cwd: PROJECT_DIR, encoding: "utf8", timeout: 120_000, env: { ...process.env, HELM: helmBinary() } },
    );
    return { code: r.status, doc: JSON.parse(r.stdout || "{}"), err: r.stderr };
}

describe("plan renders the AI Hub release", () => {
    it("the reference stack over-commits Ceph: a warning with both figures, and no placeholder survives", () => {
        const r = plan(project("clean"));
        assert.equal(r.code, 0, r.err + JSON.stringify(r.doc.findings));
        const findings = r.doc.findings.map((f: any) => `${f.level} ${f.rule}: ${f.text}`);
        assert.deepEqual(findings, [
            "warning ceph-over-committed: the AI Hub release claims 891.4 GiB in 25 volumes on Ceph, but Ceph holds about 217.6 GiB (768.0 GiB raw OSD ÷ 3 replicas × 0.85 near-full ratio); largest: PersistentVolumeClaim/aihub-home-pvc:aihub-home-pvc 500.0 GiB, PersistentVolumeClaim/coding-environment-storage:coding-environment-storage 250.0 GiB, PersistentVolumeClaim/panopticon-monetdb-pvc:panopticon-monetdb-pvc 10.0 GiB (add OSD disks, or lower the sizes in aihub.values, e.g. aihubBackend.storageSize and ces.storageSize)",
        ]);
    });

    it("a placeholder the values file keeps is a warning naming the key", () => {
        // A vendor values file copied from the chart's values.yaml keeps its placeholders; one no computed value covers
        // (the site defaults sit below the file) reaches a rendered ConfigMap.
        const r = plan(
            project("kept", undefined, { values: 'letsEncrypt:\n  webMasterEmail: "<WEBMASTER-EMAIL-PLACEHOLDER>"\n' }),
        );
        assert.equal(r.code, 0, r.err + JSON.stringify(r.doc.findings));
        assert.deepEqual(
            r.doc.findings
                .filter((f: any) => f.rule === "aihub-placeholder-rendered")
                .map((f: any) => `${f.level} ${f.text}`),
            [
                `warning values.letsEncrypt.webMasterEmail still holds the chart's placeholder "<WEBMASTER-EMAIL-PLACEHOLDER>", rendered into ConfigMap/letsencrypt-client-config data.WEBMASTER_MAIL (set letsEncrypt.webMasterEmail in aihub.valuesFile or aihub.values)`,
            ],
        );
    });

    it("a secret placeholder in the render fails the plan, naming the value path", () => {
        // No real chart has a secret placeholder that the computed values leave (each one is a generated credential),
        // so the real chart gets one more value and template, as a later chart version could add them.
        const dir = project("placeholder", undefined, {
            chart: (src) => {
                fs.appendFileSync(
                    path.join(src, "values.yaml"),
                    '\nextraSidecar:\n  dbPass: "<SIDECAR-DB-PASS-PLACEHOLDER>"\n',
                );
                fs.writeFileSync(
                    path.join(src, "templates", "sidecar.yml"),
                    "apiVersion: v1\nkind: ConfigMap\nmetadata: { name: sidecar }\ndata:\n  DB_PASS: {{ .Values.extraSidecar.dbPass | quote }}\n",
                );
            },
        });
        const r = plan(dir);
        assert.equal(r.code, 1, JSON.stringify(r.doc.findings));
        const rendered = r.doc.findings.filter((f: any) => f.rule === "aihub-placeholder-rendered");
        assert.deepEqual(
            rendered.map((f: any) => f.level),
            ["error"],
        );
        assert.match(
            rendered[0].text,
            /^values\.extraSidecar\.dbPass still holds the chart's placeholder "<SIDECAR-DB-PASS-PLACEHOLDER>", rendered into ConfigMap\/sidecar data\.DB_PASS \(pulumi config set --secret --path aihub\.values\.extraSidecar\.dbPass, which prompts for the value\)$/,
        );
    });

    it("chart 2025.1.1's hard-coded busybox:latest is relocated by the post-renderer; an image it cannot relocate fails the plan, named", () => {
        const ok = plan(project("hardcoded", undefined, { version: "2025.1.1" }));
        assert.equal(ok.code, 0, ok.err + JSON.stringify(ok.doc.findings));
        assert.deepEqual(
            ok.doc.findings.filter((f: any) => f.rule === "aihub-image-not-relocated"),
            [],
        );
        // A typo in the inline values: the chart then names an image no rule can bring into the registry.
        const bad = plan(
            project("unrelocatable", (cfg) => {
                cfg["aihub-airgap:aihub"].values = { grafana: { repoName: "Busy Box/" } };
            }),
        );
        assert.equal(bad.code, 1);
        assert.deepEqual(
            bad.doc.findings.filter((f: any) => f.rule === "aihub-image-not-relocated").map((f: any) => f.level),
            ["error"],
        );
        const text = bad.doc.findings.find((f: any) => f.rule === "aihub-image-not-relocated").text;
        assert.match(
            text,
            /images that cannot be relocated into registry\.airgap\.internal:5000:\n {2}Deployment grafana-dep: .*Busy Box\/grafana/,
        );
    });

    it("without a chart file it says the render was skipped", () => {
        const dir = project("nochart");
        fs.rmSync(path.join(dir, "bundle"), { recursive: true });
        const r = plan(dir);
        assert.equal(r.code, 0);
        assert.deepEqual(
            r.doc.findings.map((f: any) => f.rule),
            ["aihub-render"],
        );
        assert.match(r.doc.findings[0].text, /not present yet\), so chart placeholders and volume sizes are unchecked/);
    });
});

describe("placeholders traced from the render to their values path", () => {
    const defaults = parse(helm(["show", "values", CHART]));
    const layout = aihubLayout("2026.0.2");
    const vendorFile = readValuesFile("values/aihub.yaml", PROJECT_DIR);
    const render = (values: Record<string, unknown>) =>
        parseAllDocuments(helm(["template", "r", CHART, "-n", "aihub", "-f", "-"], { input: stringify(values) }))
            .map((d) => d.toJS())
            .filter(Boolean);

    it("the chart's Altair One credentials reach Panopticon's ConfigMap unless the site defaults blank them", () => {
        const values = releaseValues(valuesInput("2026.0.2"), vendorFile, {});
        assert.deepEqual(survivingPlaceholders(defaults, values, render(values), layout), []);
        const unblanked = structuredClone(values) as any;
        delete unblanked.license.altair.altairOne;
        const found = survivingPlaceholders(defaults, unblanked, render(unblanked), layout);
        // Mode on_prem (the vendor file's): Panopticon's ConfigMap and its container's environment still carry them.
        const panopticon = "ConfigMap/panopticon-properties data.Panopticon.properties.template";
        const env = "StatefulSet/panopticon-vizapp env LICENSE_HWU_HOSTED_AUTHORIZATION_";
        assert.deepEqual(
            found.map((p) => [p.valuePath, p.secret, p.where.join(" | ")]),
            [
                ["license.altair.altairOne.credentials.username", false, `${panopticon} | ${env}USERNAME`],
                ["license.altair.altairOne.credentials.password", true, `${panopticon} | ${env}PASSWORD`],
                ["license.altair.altairOne.authCode.code", false, `${panopticon} | ${env}AUTHCODE`],
            ],
        );
    });

    it("a legacy licence left at the placeholder is found base64-decoded in the Secret", () => {
        const values = releaseValues(valuesInput("2026.0.2"), { license: { type: "rapidminer" } }, {});
        const found = survivingPlaceholders(defaults, values, render(values), layout);
        assert.deepEqual(
            found.map((p) => [p.valuePath, p.where.join(" | ")]),
            [["license.rapidminer.licenseValue", "Secret/aihub-license data.LICENSE_LICENSE"]],
        );
    });
});

describe("Ceph capacity against claimed volumes", () => {
    it("usable = raw OSD bytes ÷ replicas × 0.85", () => {
        const gib = (b: number) => b / 2 ** 30;
        const a = cephCapacity(stackConfig("airgap").ceph);
        assert.deepEqual([gib(a.raw), gib(a.usable)], [768, 217.6]);
        const l = cephCapacity(stackConfig("lab").ceph);
        assert.deepEqual([gib(l.raw), gib(l.usable)], [50, 42.5]);
    });

    it("StatefulSet claim templates count once per replica; other classes do not count", () => {
        const pvc = (cls: string, size: string) => ({
            kind: "PersistentVolumeClaim",
            metadata: { name: `p-${cls}` },
            spec: { storageClassName: cls, resources: { requests: { storage: size } } },
        });
        const sts = {
            kind: "StatefulSet",
            metadata: { name: "agents" },
            spec: {
                replicas: 3,
                volumeClaimTemplates: [
                    { metadata: { name: "home" }, spec: pvc("rook-cephfs", "10Gi").spec },
                    { metadata: { name: "cache" }, spec: pvc("local-path", "10Gi").spec },
                ],
            },
        };
        assert.deepEqual(claimedBytes([pvc("rook-cephfs", "100M"), pvc("nfs", "1Ti"), sts], new Set(["rook-cephfs"])), [
            { name: "PersistentVolumeClaim/p-rook-cephfs:p-rook-cephfs", bytes: 100e6 },
            { name: "StatefulSet/agents:home", bytes: 3 * 10 * 2 ** 30 },
        ]);
    });
});
