/**
 * The monitoring add-on: config problems by key path, the values rendered with real helm against the real chart
 * (every image private, CRs valid for the real prometheus-operator schemas), the Ceph monitor and rules, and the
 * components under the mock runtime inside the whole platform.
 */
import * as assert from "node:assert/strict";
import * as path from "node:path";
import { describe, it } from "node:test";
import { mapImage } from "../../lib/imageref";
import { getPath } from "../../lib/merge";
import { airgap, check } from "../../test/config/helpers";
import { crdErrors, refFile } from "../../test/helpers/crd";
import { renderChart } from "../../test/helpers/helm";
import { custom } from "../../test/app/scenario";
import { composePlatform } from "../../test/harness";
import { monitoringImages } from "./catalog";
import { cephRuleSpec, cephServiceMonitorSpec } from "./ceph";
import { monitoringSchema } from "./schema";
import { GRAFANA_SERVICE, monitoringValues, retentionSize, SELECTOR_LABELS } from "./values";
import { VENDOR_CHARTS } from "../../test/helpers/vendor-charts";

const REGISTRY = "registry.airgap.internal:5000";
const CHART = path.join(VENDOR_CHARTS, "kube-prometheus-stack-88.5.3.tgz");
const SCHEMA = (kind: string) =>
    refFile("prometheus-operator", `monitoring.coreos.com_${kind.toLowerCase()}s-v0.93.0.yaml`);

type Obj = { kind: string; metadata: { name: string; labels?: Record<string, string> }; [k: string]: unknown };

const render = (values: Record<string, unknown>): Obj[] => renderChart(CHART, "monitoring", "monitoring", values);

/** Every image reference in a render: `image:` fields and image-valued arguments. */
function imagesIn(objs: Obj[]): string[] {
    const found: string[] = [];
    const walk = (n: unknown): void => {
        if (Array.isArray(n)) n.forEach(walk);
        else if (n && typeof n === "object") {
            for (const [k, v] of Object.entries(n)) {
                if (k === "image" && typeof v === "string") found.push(v);
                else if (k === "args" && Array.isArray(v))
                    for (const a of v)
                        if (/^--.*-(reloader|image)=/.test(String(a))) found.push(String(a).split("=")[1]);
                walk(v);
            }
        }
    };
    walk(objs);
    return found;
}

function values(section: Record<string, unknown> = {}) {
    return monitoringValues({
        section: monitoringSchema.parse({ chart: "./bundle/charts/kube-prometheus-stack-88.5.3.tgz", ...section }),
        images: monitoringImages("88.5.3"),
        registry: REGISTRY,
        pullSecretName: "airgap-registry",
        storageClass: "rook-ceph-block",
        adminSecretName: "grafana-admin",
        grafanaUrl: "https://aihub.airgap.internal/addons/grafana",
    });
}

function withMonitoring(section: Record<string, unknown>, edit?: (v: Record<string, unknown>) => void) {
    const { values: v } = airgap();
    v.addons = { monitoring: { chart: "./bundle/charts/kube-prometheus-stack-88.5.3.tgz", ...section } };
    edit?.(v);
    return check(v);
}

describe("monitoring config", () => {
    it("refuses a Grafana path that is, contains or lies under a path AI Hub serves, naming key, path and fix", () => {
        const lines = (p: string) => withMonitoring({ grafana: { path: p } }).lines;
        // AI Hub's own Grafana: grafana.proxyURLSuffix of the 2026.0.2 chart (GF_SERVER_ROOT_URL is built from it).
        assert.deepEqual(lines("/grafana"), [
            "aihub-airgap:addons.monitoring.grafana.path: /grafana collides with /grafana, where AI Hub's Grafana " +
                "(its dashboards and sign-in callback) is served (grafana.proxyURLSuffix of the AI Hub 2026.0.2 chart); " +
                "on one host the longer path prefix wins, so one would hide the other (choose a path that is neither " +
                "/grafana, nor above or under it, e.g. /addons/grafana)",
        ]);
        assert.match(lines("/grafana/addon")[0], /grafana\.path: \/grafana\/addon collides with \/grafana,/);
        assert.match(lines("/auth")[0], /grafana\.path: \/auth collides with \/auth, where AI Hub's Keycloak/);
        assert.match(lines("/jupyter")[0], /jupyterHub\.proxyURLSuffix of the AI Hub 2026\.0\.2 chart/);
        // A path that only starts with the same letters is another path.
        assert.deepEqual(lines("/grafana-addon"), []);
        assert.deepEqual(lines("/addons/grafana"), []);
        // AI Hub's values move its Grafana: the stack's values decide.
        const moved = withMonitoring({ grafana: { path: "/grafana" } }, (v) => {
            (v["aihub"] as { values: Record<string, unknown> }).values = {
                grafana: { proxyURLSuffix: "/aihub-grafana" },
            };
        });
        assert.deepEqual(moved.lines, []);
        const onIt = withMonitoring({ grafana: { path: "/aihub-grafana" } }, (v) => {
            (v["aihub"] as { values: Record<string, unknown> }).values = {
                grafana: { proxyURLSuffix: "/aihub-grafana" },
            };
        });
        assert.match(onIt.lines[0], /\/aihub-grafana collides with \/aihub-grafana/);
    });

    it("takes the defaults, and names every wrong size, retention and path by key", () => {
        const ok = withMonitoring({});
        assert.deepEqual(ok.lines, []);
        assert.deepEqual(ok.config?.addons.monitoring, {
            chart: "./bundle/charts/kube-prometheus-stack-88.5.3.tgz",
            version: "88.5.3",
            namespace: "monitoring",
            prometheus: { storage: "50Gi", retention: "15d" },
            alertmanager: { storage: "5Gi", retention: "120h" },
            grafana: { storage: "10Gi", path: "/addons/grafana" },
            ceph: true,
        });
        const bad = withMonitoring({
            version: "12.0.0",
            prometheus: { storage: "1Gi", retention: "15 days", retentionSize: "40G" },
            alertmanager: { retention: "5d" },
            grafana: { storage: "10", path: "/" },
        });
        const has = (prefix: string, text: RegExp) =>
            assert.ok(
                bad.lines.some((l) => l.startsWith(`aihub-airgap:addons.monitoring.${prefix}:`) && text.test(l)),
                `${prefix} in:\n${bad.lines.join("\n")}`,
            );
        has("version", /not a known chart version \(use one of: 88\.5\.3/);
        has("prometheus.storage", /below 2Gi/);
        has("prometheus.retention", /not a Prometheus duration/);
        has("prometheus.retentionSize", /not a Prometheus byte size/);
        has("alertmanager.retention", /hours at most/);
        has("grafana.storage", /no unit/);
        has("grafana.path", /AI Hub owns the root/);
        const empty = withMonitoring({ prometheus: { retention: "" } }).lines;
        assert.deepEqual(empty, [
            "aihub-airgap:addons.monitoring.prometheus.retention: is empty (write a duration like 15d, 2w or 36h)",
        ]);
    });

    it("refuses a retention size the volume cannot hold and a chart of another version", () => {
        const v = withMonitoring({
            chart: "./bundle/charts/kube-prometheus-stack-80.0.0.tgz",
            prometheus: { storage: "10Gi", retentionSize: "10GiB" },
        });
        assert.ok(
            v.lines.includes(
                "aihub-airgap:addons.monitoring.prometheus.retentionSize: 10GiB does not fit the 10Gi volume (prometheus.storage): Prometheus would fill it before deleting old blocks (give less, about 85% of the volume, or leave it out for that default)",
            ),
            v.lines.join("\n"),
        );
        assert.ok(v.lines.some((l) => l.startsWith("aihub-airgap:addons.monitoring.chart: chart file")));
        assert.deepEqual(withMonitoring({ prometheus: { storage: "10Gi", retentionSize: "9GiB" } }).lines, []);
    });

    it("says which class holds the volumes when the stack has no RBD class", () => {
        const noRbd = withMonitoring({}, (v) => delete (v.ceph as Record<string, unknown>).blockStorageClass);
        assert.deepEqual(noRbd.lines, []);
        assert.ok(
            noRbd.warnings.some(
                (w) => w.path === "addons.monitoring" && w.text.includes("go on the CephFS class rook-cephfs"),
            ),
        );
        assert.ok(!withMonitoring({}).warnings.some((w) => w.path === "addons.monitoring"));
    });

    it("keeps Prometheus below its volume by default: 85% of it", () => {
        assert.equal(retentionSize({ storage: "50Gi", retention: "15d" }), "43520MiB");
        assert.equal(retentionSize({ storage: "50Gi", retention: "15d", retentionSize: "30GiB" }), "30GiB");
    });
});

describe("monitoring values on the real chart", () => {
    const objs = render(values());
    const one = (kind: string, name?: string) => {
        const found = objs.filter((o) => o.kind === kind && (name === undefined || o.metadata.name === name));
        assert.equal(found.length, 1, `${kind} ${name ?? ""}`);
        return found[0];
    };

    it("puts every image, the run-time ones too, into the private registry, exactly the catalog's", () => {
        const images = imagesIn(objs);
        assert.deepEqual(
            images.filter((i) => !i.startsWith(`${REGISTRY}/`)),
            [],
        );
        const expected = Object.values(monitoringImages("88.5.3")).map((i) => mapImage(i, REGISTRY));
        // The operator's default Thanos image (--thanos-default-base-image, relocated by global.imageRegistry) is
        // started only for a Prometheus with spec.thanos or a ThanosRuler; the values ask for neither, so the
        // catalog (and the bundle) leave it out.
        const thanos = `${REGISTRY}/thanos/thanos:v0.42.4`;
        assert.ok(images.includes(thanos));
        assert.equal((one("Prometheus").spec as Record<string, unknown>).thanos, undefined);
        assert.equal(objs.filter((o) => o.kind === "ThanosRuler").length, 0);
        assert.deepEqual([...new Set(images)].filter((i) => i !== thanos).sort(), expected.sort());
        // Without our values the same chart asks for public images (the value paths matter).
        assert.ok(imagesIn(render({})).some((i) => i.startsWith("quay.io/")));
    });

    it("renders monitors and rules valid for prometheus-operator v0.93, selected by the one label set", () => {
        const crs = objs.filter((o) => ["ServiceMonitor", "PrometheusRule", "PodMonitor"].includes(o.kind));
        assert.ok(crs.length >= 2);
        for (const cr of crs) {
            assert.deepEqual(crdErrors(SCHEMA(cr.kind), cr), [], `${cr.kind} ${cr.metadata.name}`);
            assert.equal(cr.metadata.labels?.release, SELECTOR_LABELS.release);
        }
        const spec = one("Prometheus").spec as Record<string, unknown>;
        for (const k of ["serviceMonitorSelector", "podMonitorSelector", "ruleSelector"]) {
            assert.deepEqual(spec[k], { matchLabels: SELECTOR_LABELS }, k);
        }
        assert.deepEqual(spec.serviceMonitorNamespaceSelector, {});
    });

    it("claims Prometheus, Alertmanager and Grafana volumes on the RWO class with the configured sizes", () => {
        const r = render(values({ prometheus: { storage: "20Gi" }, alertmanager: { storage: "1Gi" } }));
        const claimOf = (kind: string, key: string) =>
            getPath(r.find((o) => o.kind === kind)!.spec as Record<string, unknown>, `${key}.volumeClaimTemplate.spec`);
        assert.deepEqual(claimOf("Prometheus", "storage"), {
            storageClassName: "rook-ceph-block",
            accessModes: ["ReadWriteOnce"],
            resources: { requests: { storage: "20Gi" } },
        });
        assert.equal(
            getPath(
                r.find((o) => o.kind === "Prometheus")!,
                "spec.retentionSize",
            ),
            "17408MiB",
        );
        assert.equal(getPath(claimOf("Alertmanager", "storage"), "resources.requests.storage"), "1Gi");
        const pvc = one("PersistentVolumeClaim", GRAFANA_SERVICE).spec as Record<string, unknown>;
        assert.equal(pvc.storageClassName, "rook-ceph-block");
        // One ReadWriteOnce claim: the chart's RollingUpdate would start the new pod before the old one lets go of
        // the volume, and on another node it waits for the attachment forever; Recreate stops the old one first.
        assert.deepEqual(getPath(one("Deployment", GRAFANA_SERVICE), "spec.strategy"), { type: "Recreate" });
    });

    it("serves Grafana under the path, with the admin password from our Secret only", () => {
        const ini = (one("ConfigMap", GRAFANA_SERVICE).data as Record<string, string>)["grafana.ini"];
        assert.match(ini, /root_url = https:\/\/aihub\.airgap\.internal\/addons\/grafana\n/);
        assert.match(ini, /serve_from_sub_path = true/);
        assert.match(ini, /domain = aihub\.airgap\.internal/);
        // The only Secret the chart makes is Alertmanager's configuration; Grafana's admin comes from ours.
        assert.deepEqual(
            objs.filter((o) => o.kind === "Secret").map((o) => o.metadata.name),
            ["alertmanager-monitoring-kube-prometheus-alertmanager"],
        );
        assert.match(JSON.stringify(one("Deployment", GRAFANA_SERVICE)), /"secretKeyRef":\{"name":"grafana-admin"/);
        assert.equal(objs.filter((o) => o.kind === "Pod").length, 0, "no helm test pod");
    });
});

describe("Ceph in Prometheus", () => {
    it("a ServiceMonitor for Rook's mgr Service and health/capacity rules, valid for their CRDs", () => {
        const meta = { name: "x", namespace: "monitoring", labels: SELECTOR_LABELS };
        const sm = { apiVersion: "monitoring.coreos.com/v1", kind: "ServiceMonitor", metadata: meta };
        const spec = cephServiceMonitorSpec("rook-ceph");
        assert.deepEqual(crdErrors(SCHEMA("ServiceMonitor"), { ...sm, spec }), []);
        assert.deepEqual(getPath(spec, "selector.matchLabels"), { app: "rook-ceph-mgr", rook_cluster: "rook-ceph" });
        const rules = { apiVersion: "monitoring.coreos.com/v1", kind: "PrometheusRule", metadata: meta };
        const ruleSpec = cephRuleSpec();
        assert.deepEqual(crdErrors(SCHEMA("PrometheusRule"), { ...rules, spec: ruleSpec }), []);
        const exprs = JSON.stringify(ruleSpec);
        for (const needle of ["ceph_health_status == 2", "ceph_health_status == 1", "OSD_NEARFULL", "POOL_FULL"]) {
            assert.ok(exprs.includes(needle), needle);
        }
    });
});

describe("monitoring in the platform (mock runtime)", () => {
    it("orders namespace → release → Ceph monitor and rules, exports the URL and the secret password", async () => {
        const { values: v } = airgap();
        v.addons = { monitoring: { chart: "./bundle/charts/kube-prometheus-stack-88.5.3.tgz" } };
        const { rec } = await composePlatform("airgap", v);
        const release = custom(rec, "monitoring-release");
        const ns = custom(rec, "monitoring-ns");
        const rbd = rec
            .ofType("kubernetes:storage.k8s.io/v1:StorageClass")
            .find((r) => getPath(r.inputs, "metadata.name") === "rook-ceph-block")!;
        assert.ok(rec.dependsOn(ns, rbd), "namespace → StorageClass (its PVCs go before the class on destroy)");
        assert.ok(rec.dependsOn(release, custom(rec, "monitoring-grafana-admin")), "release → admin Secret");
        for (const cr of ["monitoring-ceph-mgr", "monitoring-ceph-rules"]) {
            assert.ok(rec.dependsOn(custom(rec, cr), release), `${cr} → release (its CRDs)`);
        }
        assert.equal(release.protect, true);
        assert.equal(
            getPath(
                release.inputs.values,
                "prometheus.prometheusSpec.storageSpec.volumeClaimTemplate.spec.storageClassName",
            ),
            "rook-ceph-block",
        );
        // The password reaches Grafana only through the Secret: never in the release values.
        const stack = rec.ofType("pulumi:pulumi:Stack")[0];
        const password = stack.outputs?.monitoringGrafanaAdminPassword as string;
        assert.match(password, /^[A-Za-z0-9]{24}$/);
        assert.ok(!JSON.stringify(release.inputs).includes(password));
        assert.ok(stack.secretOutputs?.includes("monitoringGrafanaAdminPassword"));
        const secret = custom(rec, "monitoring-grafana-admin");
        assert.ok(
            secret.secretInputs.some((p) => p.startsWith("stringData")),
            secret.secretInputs.join(","),
        );
        assert.equal(stack.outputs?.monitoringGrafanaUrl, "https://aihub.airgap.internal/addons/grafana");
        const rules = getPath(custom(rec, "monitoring-grafana").inputs, "spec.rules") as {
            host: string;
            http: { paths: { path: string; backend: { service: { name: string } } }[] };
        }[];
        assert.equal(rules[0].host, "aihub.airgap.internal");
        assert.deepEqual(
            [rules[0].http.paths[0].path, rules[0].http.paths[0].backend.service.name],
            ["/addons/grafana", GRAFANA_SERVICE],
        );
    });
});
