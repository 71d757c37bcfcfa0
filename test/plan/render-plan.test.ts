/* eslint-disable @typescript-eslint/no-explicit-any -- tests walk rendered, untyped manifests */
/**
 * `plan` renders the AI Hub release with real helm against the fixture chart (issue 9.7: no chart placeholder
 * survives into a rendered object; 9.18: the volumes it claims against what Ceph holds).
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, describe, it } from "node:test";
import { parse, parseAllDocuments, stringify } from "yaml";
import { aihubLayout } from "../../catalog/aihub-layout";
import { survivingPlaceholders } from "../../modules/aihub/placeholders";
import { releaseValues } from "../../modules/aihub/values";
import { cephCapacity, claimedBytes } from "../../platform/plan/policies/render";
import { valuesInput } from "../app/fixtures";
import { PROJECT_DIR } from "../harness";
import { helm, helmBinary } from "../helpers/helm";
import { stackConfig } from "../storage/helpers";

const FIXTURE = path.join(PROJECT_DIR, "test", "fixtures", "charts", "rapidminer-aihub-2026.0.2");
const work = fs.mkdtempSync(path.join(os.tmpdir(), "render-plan-"));
after(() => fs.rmSync(work, { recursive: true, force: true }));

/** A project directory with the airgap stack (edited) and the packaged fixture chart where the stack names it. */
function project(
    name: string,
    edit: (cfg: Record<string, any>) => void = () => {},
    chart: (dir: string) => void = () => {},
): string {
    const dir = path.join(work, name);
    fs.mkdirSync(path.join(dir, "bundle", "charts"), { recursive: true });
    fs.cpSync(path.join(PROJECT_DIR, "values"), path.join(dir, "values"), { recursive: true });
    fs.copyFileSync(path.join(PROJECT_DIR, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
    const doc = parse(fs.readFileSync(path.join(PROJECT_DIR, "Pulumi.airgap.yaml"), "utf8"));
    edit(doc.config);
    fs.writeFileSync(path.join(dir, "Pulumi.airgap.yaml"), stringify(doc));
    const src = path.join(dir, "chart-src");
    fs.cpSync(FIXTURE, src, { recursive: true });
    chart(src);
    helm(["package", src, "--destination", path.join(dir, "bundle", "charts")]);
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
            "warning ceph-over-committed: the AI Hub release claims 810.0 GiB in 8 volumes on Ceph, but Ceph holds about 217.6 GiB (768.0 GiB raw OSD ÷ 3 replicas × 0.85 near-full ratio); largest: PersistentVolumeClaim/aihub-home-pvc:aihub-home-pvc 500.0 GiB, PersistentVolumeClaim/coding-environment-storage:coding-environment-storage 250.0 GiB, PersistentVolumeClaim/proxy-pvc:proxy-pvc 10.0 GiB (add OSD disks, or lower the sizes in aihub.values, e.g. aihubBackend.storageSize and ces.storageSize)",
        ]);
    });

    it("a placeholder in the render fails the plan, naming the value path", () => {
        // A chart value no computed value covers (inline aihub.values refuses a plain password before any render,
        // and the generated credentials override the vendor values file's).
        const dir = project("placeholder", undefined, (src) => {
            fs.appendFileSync(
                path.join(src, "values.yaml"),
                '\nextraSidecar:\n  dbPass: "<SIDECAR-DB-PASS-PLACEHOLDER>"\n',
            );
            fs.writeFileSync(
                path.join(src, "templates", "sidecar.yml"),
                "apiVersion: v1\nkind: ConfigMap\nmetadata: { name: sidecar }\ndata:\n  DB_PASS: {{ .Values.extraSidecar.dbPass | quote }}\n",
            );
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

    it("a hard-coded image is relocated by the post-renderer; one it cannot relocate fails the plan, named", () => {
        const hardcoded = (image: string) => (src: string) =>
            fs.writeFileSync(
                path.join(src, "templates", "hardcoded.yml"),
                `apiVersion: v1\nkind: Pod\nmetadata: { name: volume-fix }\nspec:\n  containers:\n    - { name: c, image: "${image}" }\n`,
            );
        const ok = plan(project("hardcoded", undefined, hardcoded("busybox:latest")));
        assert.equal(ok.code, 0, ok.err + JSON.stringify(ok.doc.findings));
        assert.deepEqual(
            ok.doc.findings.filter((f: any) => f.rule === "aihub-image-not-relocated"),
            [],
        );
        const bad = plan(project("unrelocatable", undefined, hardcoded("Busy Box::latest")));
        assert.equal(bad.code, 1);
        assert.deepEqual(
            bad.doc.findings.filter((f: any) => f.rule === "aihub-image-not-relocated").map((f: any) => f.level),
            ["error"],
        );
        const text = bad.doc.findings.find((f: any) => f.rule === "aihub-image-not-relocated").text;
        assert.match(
            text,
            /images that cannot be relocated into registry\.airgap\.internal:5000:\n {2}Pod volume-fix: .*Busy Box::latest/,
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
    const defaults = parse(fs.readFileSync(path.join(FIXTURE, "values.yaml"), "utf8"));
    const layout = aihubLayout("2026.0.2");
    const render = (values: Record<string, unknown>) =>
        parseAllDocuments(helm(["template", "r", FIXTURE, "-n", "aihub", "-f", "-"], { input: stringify(values) }))
            .map((d) => d.toJS())
            .filter(Boolean);

    it("the chart's Altair One credentials reach Panopticon's ConfigMap unless the site defaults blank them", () => {
        const values = releaseValues(valuesInput("2026.0.2"), {}, {});
        assert.deepEqual(survivingPlaceholders(defaults, values, render(values), layout), []);
        const unblanked = structuredClone(values) as any;
        delete unblanked.license.altair.altairOne;
        const found = survivingPlaceholders(defaults, unblanked, render(unblanked), layout);
        // Without a licence block the chart's default mode, altair_one, also renders the Altair One Secret (base64).
        const panopticon = "ConfigMap/panopticon-properties data.Panopticon.properties.template";
        assert.deepEqual(
            found.map((p) => [p.valuePath, p.secret, p.where.join(" | ")]),
            [
                [
                    "license.altair.altairOne.credentials.username",
                    false,
                    `Secret/license-proxy-secret data.username | ${panopticon}`,
                ],
                [
                    "license.altair.altairOne.credentials.password",
                    true,
                    `Secret/license-proxy-secret data.password | ${panopticon}`,
                ],
                ["license.altair.altairOne.authCode.code", false, panopticon],
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
