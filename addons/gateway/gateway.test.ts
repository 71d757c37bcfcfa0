/**
 * The gateway add-on: its objects against the real Gateway API v1.6.1 schemas, the real gateway-helm chart rendered with real
 * helm (every image, the data-plane one too, in the private registry), `ingress.mode` resolution and the
 * composition in gateway mode.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, it } from "node:test";
import * as k8s from "@pulumi/kubernetes";
import { parse, parseAllDocuments } from "yaml";
import { aihubTlsSecret } from "../../modules/aihub/ingress";
import { aihubLayout } from "../../catalog/aihub-layout";
import { certMode } from "../../config/tls";
import { computedValues } from "../../modules/aihub/values";
import type { Storage } from "../../platform/contracts";
import { airgap, check, section } from "../../test/config/helpers";
import { composePlatform, mockStack, PROJECT_DIR, settle } from "../../test/harness";
import { crdErrors, refFile } from "../../test/helpers/crd";
import { helm } from "../../test/helpers/helm";
import { GATEWAY_CATALOG } from "./catalog";
import { aihubRouteSpec, backendTlsPolicySpec } from "../../k8s/routes";
import { gatewayClassSpec, gatewaySpec, HTTP_LISTENER, redirectRouteSpec } from "./manifests";
import { gatewayValues } from "./values";
import { gateway } from "./addon";
import { VENDOR_CHARTS } from "../../test/helpers/vendor-charts";

const ref = (kind: string) => refFile("gateway-api", `gateway.networking.k8s.io_${kind}-v1.6.1.yaml`);
const obj = (kind: string, spec: Record<string, unknown>) => ({
    apiVersion: "gateway.networking.k8s.io/v1",
    kind,
    metadata: { name: "x", namespace: "y" },
    spec,
});
const HOST = "aihub.example.com";
const GW = { name: "aihub", namespace: "gateway", sectionName: "https" };
const REGISTRY = "registry.airgap.internal:5000";

describe("gateway add-on objects", () => {
    it("are valid for the Gateway API v1.6.1 CRDs", () => {
        const cases: [string, string, Record<string, unknown>][] = [
            ["gatewayclasses", "GatewayClass", gatewayClassSpec()],
            ["gateways", "Gateway", gatewaySpec("envoy-gateway", HOST, "aihub-ingress-tls", true)],
            ["httproutes", "HTTPRoute", redirectRouteSpec({ ...GW, sectionName: HTTP_LISTENER }, HOST)],
            ["httproutes", "HTTPRoute", aihubRouteSpec(GW, HOST, { service: "proxy", port: 443 })],
            ["backendtlspolicies", "BackendTLSPolicy", backendTlsPolicySpec("proxy", HOST, "aihub-gateway-ca")],
            ["backendtlspolicies", "BackendTLSPolicy", backendTlsPolicySpec("proxy", HOST)],
        ];
        for (const [file, kind, spec] of cases) assert.deepEqual(crdErrors(ref(file), obj(kind, spec)), [], kind);
        // The schema is strict enough to catch a wrong field.
        assert.notDeepEqual(crdErrors(ref("gateways"), obj("Gateway", { gatewayClassName: "x", listener: [] })), []);
    });

    it("has no HTTP listener without the redirect", () => {
        const spec = gatewaySpec("c", HOST, "s", false);
        assert.deepEqual(
            spec.listeners.map((l) => l.name),
            ["https"],
        );
    });
});

describe("gateway-helm values", () => {
    it("render with real helm to images only in the private registry, the data-plane image included", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gateway-values-"));
        const file = path.join(dir, "values.yaml");
        const values = gatewayValues({
            images: GATEWAY_CATALOG["v1.9.0"],
            registry: REGISTRY,
            pullSecretName: "airgap-registry",
            service: { type: "LoadBalancer", loadBalancerIP: "192.168.10.240" },
        });
        fs.writeFileSync(file, JSON.stringify(values));
        const out = helm([
            "template",
            "eg",
            path.join(VENDOR_CHARTS, "gateway-helm-v1.9.0.tgz"),
            "-n",
            "gateway",
            "-f",
            file,
        ]);
        fs.rmSync(dir, { recursive: true, force: true });
        // eslint-disable-next-line @typescript-eslint/no-explicit-any -- rendered manifests, read by path
        const docs = parseAllDocuments(out).map((d) => d.toJS() as Record<string, any>);
        const config = parse(
            docs.find((d) => d.kind === "ConfigMap" && d.metadata.name === "envoy-gateway-config")!.data[
                "envoy-gateway.yaml"
            ],
        );
        const kube = config.envoyProxy.provider.kubernetes;
        assert.equal(kube.envoyDeployment.container.image, `${REGISTRY}/envoyproxy/envoy:distroless-v1.39.0`);
        assert.deepEqual(kube.envoyDeployment.pod.imagePullSecrets, [{ name: "airgap-registry" }]);
        assert.deepEqual(kube.envoyService, { type: "LoadBalancer", loadBalancerIP: "192.168.10.240" });
        const images = [...out.matchAll(/image: *"?([^"\s]+)/g)].map((m) => m[1]);
        // Proxy, rate limiter and shutdown manager (in the controller's config), the controller and the certgen Job.
        assert.equal(images.length, 5);
        assert.deepEqual(
            images.filter((i) => !i.startsWith(`${REGISTRY}/`)),
            [],
        );
        const deployment = docs.find((d) => d.kind === "Deployment")!;
        assert.deepEqual(deployment.spec.template.spec.imagePullSecrets, [{ name: "airgap-registry" }]);
    });
});

/** The airgap stack with the gateway add-on (`null`: none); `mode` undefined drops `ingress.mode`. */
function gatewayStack(mode: string | undefined, addon: Record<string, unknown> | null = { chart: "gw.tgz" }) {
    const { values, secure } = airgap();
    if (mode === undefined) delete section(values, "ingress").mode;
    else section(values, "ingress").mode = mode;
    if (addon) values.addons = { gateway: addon };
    return { values, secure };
}

describe("ingress.mode gateway", () => {
    it("is the default with the add-on on, and AI Hub runs https with its custom CA", () => {
        const { values, secure } = gatewayStack(undefined);
        const v = check(values, secure);
        assert.deepEqual(v.lines, []);
        assert.equal(v.config!.ingress.mode, "gateway");
        assert.equal(certMode("gateway", v.config!.ingress.caCert !== undefined), "https-custom-ca");
        assert.equal(certMode("gateway", false), "https");
        assert.deepEqual(aihubTlsSecret(v.config!), { name: "aihub-ingress-tls", namespace: "gateway" });
        const c = computedValues({
            layout: aihubLayout(v.config!.aihub.version),
            domain: HOST,
            namespace: "aihub",
            registry: REGISTRY,
            pullSecretName: "p",
            rwxStorageClass: "fs",
            rwoStorageClass: "fs",
            mode: certMode("gateway", true),
            credentials: {},
        }) as { common: { publicUrl: string; customCA: { enabled: boolean } } };
        assert.equal(c.common.publicUrl, `https://${HOST}`);
        assert.equal(c.common.customCA.enabled, true);
    });

    it("names ingress.mode when it is missing without the add-on, and both keys for gateway without it", () => {
        const missing = gatewayStack(undefined, null);
        assert.ok(
            check(missing.values, missing.secure).lines.some((l) =>
                l.startsWith("aihub-airgap:ingress.mode: is missing"),
            ),
        );
        const off = gatewayStack("gateway", { chart: "gw.tgz", enabled: false });
        const lines = check(off.values, off.secure).lines;
        assert.ok(
            lines.some((l) => l.startsWith("aihub-airgap:ingress.mode: gateway needs addons.gateway")),
            lines.join("\n"),
        );
    });

    it("refuses a loadBalancerIP with NodePort, and warns about LoadBalancer without MetalLB", () => {
        const np = gatewayStack(undefined, {
            chart: "gw.tgz",
            service: { type: "NodePort", loadBalancerIP: "10.0.0.1" },
        });
        assert.deepEqual(check(np.values, np.secure).lines, [
            "aihub-airgap:addons.gateway.service.loadBalancerIP: needs addons.gateway.service.type LoadBalancer (remove it, or set the type)",
        ]);
        const lb = gatewayStack(undefined);
        const v = check(lb.values, lb.secure);
        assert.ok(v.warnings.some((w) => w.path === "addons.gateway.service.type"));
        const ingress = gatewayStack("https-custom-ca");
        const w = check(ingress.values, ingress.secure);
        assert.deepEqual(w.lines, []);
        assert.equal(w.config!.ingress.mode, "https-custom-ca");
        assert.ok(
            w.warnings.some((x) => x.path === "addons.gateway" && x.text.includes("ingress.mode is https-custom-ca")),
        );
    });

    it("composes AI Hub behind the Gateway: an HTTPRoute with a BackendTLSPolicy, no Ingress, the outputs", async () => {
        const { values } = gatewayStack(undefined);
        const { rec } = await composePlatform("airgap", values);
        const types = rec.all().map((r) => r.type);
        assert.ok(!types.includes("kubernetes:networking.k8s.io/v1:Ingress"));
        const route = rec
            .ofType("kubernetes:gateway.networking.k8s.io/v1:HTTPRoute")
            .find((r) => r.name === "aihub-route")!;
        const spec = route.inputs.spec as { parentRefs: Record<string, unknown>[] };
        assert.deepEqual(spec.parentRefs, [
            {
                group: "gateway.networking.k8s.io",
                kind: "Gateway",
                name: "aihub",
                namespace: "gateway",
                sectionName: "https",
            },
        ]);
        const gateway = rec.ofType("kubernetes:gateway.networking.k8s.io/v1:Gateway")[0];
        assert.ok(rec.dependsOn(route, gateway), "the route waits for the Gateway");
        const tls = rec.all().find((r) => r.name === "gateway-tls")!;
        assert.deepEqual(tls.inputs.metadata, { name: "aihub-ingress-tls", namespace: "gateway" });
        const policy = rec.all().find((r) => r.name === "aihub-route-backend-tls")!;
        assert.equal((policy.inputs.metadata as { namespace: string }).namespace, "aihub");
        const stack = rec.ofType("pulumi:pulumi:Stack")[0];
        assert.equal(stack.outputs?.aihubUrl, "https://aihub.airgap.internal");
        assert.ok(Object.hasOwn(stack.outputs ?? {}, "gatewayAddress"));
    });
});

describe("gateway add-on build", () => {
    it("makes the Gateway wait for MetalLB's pool and provides the HTTPS listener", async () => {
        const { values, secure } = gatewayStack(undefined);
        const cfg = check(values, secure).config!;
        const rec = await mockStack("airgap", {});
        const pool = new k8s.apiextensions.CustomResource("pool", {
            apiVersion: "metallb.io/v1beta1",
            kind: "IPAddressPool",
        });
        const built = gateway.build(cfg.addons.gateway!, {
            cfg,
            storage: {} as Storage,
            kube: {},
            provided: { loadBalancer: { ready: [pool], addressCount: 1, addresses: ["10.0.0.1"] } },
            projectDir: PROJECT_DIR,
        });
        await settle();
        const gw = rec.ofType("kubernetes:gateway.networking.k8s.io/v1:Gateway")[0];
        assert.ok(rec.dependsOn(gw, rec.byName("pool")), "the Gateway waits for the pool");
        assert.equal(built.provides?.gateway?.sectionName, "https");
        assert.equal(
            (gw.inputs.metadata as { annotations: Record<string, string> }).annotations["pulumi.com/waitFor"],
            "condition=Programmed",
        );
    });
});
