import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, it } from "node:test";
import * as YAML from "yaml";
import { mapImages } from "../../lib/imageref";
import { aihubImages } from "../../catalog/aihub";
import { proxyBackend } from "../../modules/aihub/ingress";
import { aihubLayout } from "../../catalog/aihub-layout";
import { releaseValues } from "../../modules/aihub/values";
import { readValuesFile } from "../../config/rules";
import { helm, postRendered } from "../helpers/helm";
import { PROJECT_DIR } from "../harness";
import { REGISTRY, valuesInput } from "./fixtures";

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const FIXTURES = path.join(PROJECT_DIR, "test", "fixtures", "charts");

/** Renders a fixture chart with the generated values and the release's post-renderer; returns the objects. */
function render(version: string, mode: "http" | "https" | "https-custom-ca", vendor: Obj): Obj[] {
    const values = releaseValues(valuesInput(version, { mode, license: "LICENSE-TEXT" }), vendor, {});
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "aihub-values-"));
    const file = path.join(dir, "values.yaml");
    fs.writeFileSync(file, YAML.stringify(values));
    const chart = path.join(FIXTURES, `rapidminer-aihub-${version}`);
    const raw = helm(["template", "rapidminer-aihub", chart, "--namespace", "aihub", "-f", file]);
    fs.rmSync(dir, { recursive: true });
    const out = postRendered(raw, { registry: REGISTRY });
    return YAML.parseAllDocuments(out, { uniqueKeys: false })
        .map((d) => d.toJSON() as Obj)
        .filter((o) => o);
}

function podSpecs(objs: Obj[]): { name: string; spec: Obj }[] {
    return objs
        .filter((o) => ["Deployment", "StatefulSet", "Job"].includes(o.kind))
        .map((o) => ({ name: `${o.kind}/${o.metadata.name}`, spec: o.spec.template.spec }));
}

function images(objs: Obj[]): string[] {
    const fromPods = podSpecs(objs).flatMap(({ spec }) =>
        [...(spec.initContainers ?? []), ...spec.containers].map((c: Obj) => c.image as string),
    );
    const notebook = objs
        .filter((o) => o.kind === "ConfigMap" && o.data.DOCKER_NOTEBOOK_IMAGE)
        .map((o) => o.data.DOCKER_NOTEBOOK_IMAGE as string);
    return [...new Set([...fromPods, ...notebook])].sort();
}

function claims(objs: Obj[]): { name: string; mode: string; cls: string }[] {
    const pvcs = objs.filter((o) => o.kind === "PersistentVolumeClaim");
    const templates = objs.filter((o) => o.kind === "StatefulSet").flatMap((o) => o.spec.volumeClaimTemplates ?? []);
    return [...pvcs, ...templates].map((c: Obj) => ({
        name: c.metadata.name,
        mode: c.spec.accessModes[0],
        cls: c.spec.storageClassName,
    }));
}

const vendorFile = readValuesFile("values/aihub.yaml", PROJECT_DIR);

for (const version of ["10.3.2", "2026.0.2"]) {
    describe(`helm template of the ${version}-style fixture chart with the generated values`, () => {
        const vendor = {
            ...vendorFile,
            ...(version === "2026.0.2"
                ? {
                      jobagents: {
                          agents: [
                              {
                                  statefulsetName: "job-agents-default-queue",
                                  imageName: "rapidminer-jobagent",
                                  homeStorageSize: "10Gi",
                              },
                              {
                                  statefulsetName: "job-agents-gpu",
                                  imageName: "rapidminer-jobagent",
                                  repoName: "rapidminer/",
                                  homeStorageSize: "20Gi",
                              },
                          ],
                      },
                  }
                : {}),
        };
        const objs = render(version, version === "10.3.2" ? "https-custom-ca" : "https", vendor);
        const catalog = new Set(mapImages(aihubImages(version), REGISTRY).map((m) => m.target));

        it("every rendered image is in the private registry and in the catalog", () => {
            const found = images(objs);
            assert.equal(found.length, version === "10.3.2" ? 13 : 26);
            for (const image of found) {
                assert.ok(image.startsWith(`${REGISTRY}/`), `${image} is outside ${REGISTRY}`);
                assert.ok(catalog.has(image), `${image} is not in aihubImages(${version}) mapped to the registry`);
            }
        });

        it("every pod pulls with the registry secret", () => {
            const pods = podSpecs(objs);
            assert.ok(pods.length >= 7);
            for (const { name, spec } of pods)
                assert.deepEqual(spec.imagePullSecrets, [{ name: "airgap-registry" }], name);
        });

        it("every PVC: RWX on the CephFS class, RWO on the RBD class", () => {
            const c = claims(objs);
            assert.equal(c.length, version === "10.3.2" ? 8 : 9);
            for (const claim of c) {
                const want = claim.mode === "ReadWriteMany" ? "rook-cephfs" : "rook-ceph-block";
                assert.equal(claim.cls, want, `${claim.name} (${claim.mode})`);
            }
            assert.deepEqual(
                c.filter((x) => x.mode === "ReadWriteMany").map((x) => x.name),
                ["proxy-pvc", "coding-environment-storage", "platform-admin-webui-uploaded-pvc"],
            );
        });

        it("no chart default password or placeholder survives anywhere in the manifests", () => {
            const text = JSON.stringify(objs);
            assert.ok(!text.includes("PLACEHOLDER"));
            // Exact values: the vendor's JAVA_OPTS names Java's default trust-store password (-…Password=changeit).
            for (const bad of ['"changeit"', '"changit"']) assert.ok(!text.includes(bad), bad);
            const cm = objs.find((o) => o.kind === "ConfigMap")!.data;
            assert.equal(cm.ALLOW_LETSENCRYPT, "false");
            assert.equal(cm.PUBLIC_URL, "https://aihub.airgap.internal");
            assert.equal(cm.TZ, "Europe/Berlin");
            assert.match(cm.JUPYTERHUB_CRYPT_KEY, /^[0-9a-f]{64}$/);
            assert.equal(cm.JUPYTERHUB_NOTEBOOK_IMAGE_PULL_SECRET, "airgap-registry");
        });

        it("the proxy Service is ClusterIP on the port the Ingress targets", () => {
            const svc = objs.find((o) => o.kind === "Service" && o.metadata.name === "proxy-svc-pub")!;
            assert.equal(svc.spec.type, "ClusterIP");
            const b = proxyBackend(aihubLayout(version), "https");
            assert.equal(svc.metadata.name, b.service);
            assert.deepEqual(
                svc.spec.ports.map((p: Obj) => [p.name, p.port]),
                [
                    ["proxyhttp", 80],
                    ["proxyhttps", b.port],
                ],
            );
        });

        it("the post-renderer gives the init Job a content name", () => {
            const jobs = objs.filter((o) => o.kind === "Job").map((o) => o.metadata.name as string);
            assert.equal(jobs.length, 1);
            assert.match(jobs[0], /^deployment-init-job-[0-9a-f]{10}$/);
        });
    });
}

describe("fixture charts: version-specific wiring", () => {
    it("2026.0.2: the proxy mounts the public certificate and its password Secret", () => {
        const objs = render("2026.0.2", "https", vendorFile);
        const proxy = objs.find((o) => o.kind === "Deployment" && o.metadata.name === "proxy-dep")!;
        assert.deepEqual(
            proxy.spec.template.spec.volumes.filter((v: Obj) => v.secret).map((v: Obj) => v.secret.secretName),
            ["aihub-public-tls", "aihub-public-tls-password"],
        );
    });

    it("10.3.2 http: the proxy Service listens on 80 only, which is the Ingress backend port", () => {
        const objs = render("10.3.2", "http", vendorFile);
        const svc = objs.find((o) => o.kind === "Service")!;
        assert.deepEqual(
            svc.spec.ports.map((p: Obj) => p.port),
            [proxyBackend(aihubLayout("10.3.2"), "http").port],
        );
        assert.equal(objs.find((o) => o.kind === "ConfigMap")!.data.PUBLIC_URL, "http://aihub.airgap.internal");
    });

    it("the init Job's name changes with the chart version and stays put otherwise", () => {
        const job = (v: Obj[]) => v.find((o) => o.kind === "Job")!.metadata.name;
        const a = job(render("2026.0.2", "https", vendorFile));
        const b = job(render("2026.0.2", "https", vendorFile));
        const c = job(render("2026.0.2", "https", { ...vendorFile, deploymentInit: { version: "2026.0.3" } }));
        assert.equal(a, b);
        assert.notEqual(a, c);
    });
});
