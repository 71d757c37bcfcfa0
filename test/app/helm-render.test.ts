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
import { aihubVendorChart } from "../helpers/vendor-charts";
import { PROJECT_DIR } from "../harness";
import { REGISTRY, valuesInput } from "./fixtures";

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** Renders the real vendor chart with the generated values and the release's post-renderer; returns the objects. */
function render(version: string, mode: "http" | "https" | "https-custom-ca", vendor: Obj): Obj[] {
    const values = releaseValues(valuesInput(version, { mode, license: "LICENSE-TEXT" }), vendor, {});
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "aihub-values-"));
    const file = path.join(dir, "values.yaml");
    fs.writeFileSync(file, YAML.stringify(values));
    const raw = helm(["template", "rapidminer-aihub", aihubVendorChart(version), "--namespace", "aihub", "-f", file]);
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

/** The data of the rendered ConfigMap `name`. */
function configMap(objs: Obj[], name: string): Record<string, string> {
    const cm = objs.find((o) => o.kind === "ConfigMap" && o.metadata.name === name);
    assert.ok(cm, `no ConfigMap ${name}`);
    return cm.data;
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

/**
 * A vendor values file that lists two job agents, as a site with a GPU queue writes it: each entry is the chart's own
 * default agent (a list replaces the chart's list whole, so an entry must carry every key the templates read), one
 * of them naming Docker Hub's `rapidminer/`, which the generated values must point at the private registry.
 */
function twoAgents(version: string): Obj {
    const defaults = YAML.parse(helm(["show", "values", aihubVendorChart(version)])) as Obj;
    const agent = defaults.jobagents.agents[0] as Obj;
    return {
        jobagents: {
            agents: [
                { ...agent, statefulsetName: "job-agents-default-queue", homeStorageSize: "10Gi" },
                { ...agent, statefulsetName: "job-agents-gpu", repoName: "rapidminer/", homeStorageSize: "20Gi" },
            ],
        },
    };
}

for (const version of ["10.3.2", "2026.0.2"]) {
    describe(`helm template of the real ${version} chart with the generated values`, () => {
        const vendor = { ...vendorFile, ...(version === "2026.0.2" ? twoAgents(version) : {}) };
        const objs = render(version, version === "10.3.2" ? "https-custom-ca" : "https", vendor);
        const catalog = mapImages(aihubImages(version), REGISTRY).map((m) => m.target);

        it("every rendered image is in the private registry, and they are exactly the catalog's", () => {
            const found = images(objs);
            for (const image of found) assert.ok(image.startsWith(`${REGISTRY}/`), `${image} is outside ${REGISTRY}`);
            assert.deepEqual(found, [...catalog].sort());
            assert.equal(found.length, version === "10.3.2" ? 26 : 27);
        });

        it("every pod pulls with the registry secret", () => {
            const pods = podSpecs(objs);
            assert.ok(pods.length >= 7);
            for (const { name, spec } of pods)
                assert.deepEqual(spec.imagePullSecrets, [{ name: "airgap-registry" }], name);
        });

        it("every PVC: RWX on the CephFS class, RWO on the RBD class", () => {
            const c = claims(objs);
            // 21 claims, and the StatefulSets' templates: 10.3.2 job (2), scoring and web API agents (1 each);
            // 2026.0.2 the same with two job agents.
            assert.equal(c.length, version === "10.3.2" ? 25 : 27);
            for (const claim of c) {
                const want = claim.mode === "ReadWriteMany" ? "rook-cephfs" : "rook-ceph-block";
                assert.equal(claim.cls, want, `${claim.name} (${claim.mode})`);
            }
            assert.deepEqual(
                c
                    .filter((x) => x.mode === "ReadWriteMany")
                    .map((x) => x.name)
                    .sort(),
                ["coding-environment-storage", "platform-admin-webui-uploaded-pvc", "proxy-pvc"],
            );
        });

        it("no chart default password or placeholder survives anywhere in the manifests", () => {
            const text = JSON.stringify(objs);
            assert.ok(!text.includes("PLACEHOLDER"));
            // Exact values: the vendor's JAVA_OPTS names Java's default trust-store password (-…Password=changeit).
            for (const bad of ['"changeit"', '"changit"']) assert.ok(!text.includes(bad), bad);
            const proxy = configMap(objs, "proxy-config");
            assert.equal(proxy.ALLOW_LETSENCRYPT, "false");
            assert.equal(proxy.PUBLIC_URL, "https://aihub.airgap.internal");
            assert.equal(proxy.TZ, "Europe/Berlin");
            const hub = configMap(objs, "jupyterhub-config");
            assert.match(hub.JUPYTERHUB_CRYPT_KEY, /^[0-9a-f]{64}$/);
            assert.equal(hub.JUPYTERHUB_NOTEBOOK_IMAGE_PULL_SECRET, "airgap-registry");
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

describe("real charts: version-specific wiring", () => {
    it("2026.0.2: the proxy mounts the public certificate and its password Secret", () => {
        const objs = render("2026.0.2", "https", vendorFile);
        const proxy = objs.find((o) => o.kind === "Deployment" && o.metadata.name === "proxy-dep")!;
        // The chart mounts the certificate Secret twice (its crt and its key, as two volumes).
        assert.deepEqual(
            proxy.spec.template.spec.volumes.filter((v: Obj) => v.secret).map((v: Obj) => v.secret.secretName),
            ["aihub-public-tls", "aihub-public-tls", "aihub-public-tls-password"],
        );
    });

    it("10.3.2 http: the proxy Service listens on 80 only, which is the Ingress backend port", () => {
        const objs = render("10.3.2", "http", vendorFile);
        const svc = objs.find((o) => o.kind === "Service" && o.metadata.name === "proxy-svc-pub")!;
        assert.deepEqual(
            svc.spec.ports.map((p: Obj) => p.port),
            [proxyBackend(aihubLayout("10.3.2"), "http").port],
        );
        assert.equal(configMap(objs, "proxy-config").PUBLIC_URL, "http://aihub.airgap.internal");
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
