/** Add-on UIs under a path of the AI Hub host: the manifests against the real CRD schemas, and both ways in. */
import * as assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as pulumi from "@pulumi/pulumi";
import type { PlatformConfig } from "../../platform/contracts";
import { crdErrors, refFile } from "../../test/helpers/crd";
import { mockStack, settle, unwrap } from "../../test/harness";
import { ExposedService, exposureOf } from "./exposed-service";
import { certificateSpec, httpRouteSpec } from "../../k8s/routes";

const target = { host: "aihub.example.com", path: "/grafana", service: "grafana", port: 80 };
const gateway = {
    name: "shared",
    namespace: "gateway",
    sectionName: "https",
    address: pulumi.output("10.0.0.5"),
    ready: [],
};

describe("add-on UI routes", () => {
    it("an HTTPRoute on the shared Gateway and a cert-manager Certificate are valid for their CRDs", () => {
        const route = { apiVersion: "gateway.networking.k8s.io/v1", kind: "HTTPRoute", metadata: { name: "g" } };
        const spec = httpRouteSpec(target, { ...gateway, sectionName: "https" });
        assert.deepEqual(
            crdErrors(refFile("gateway-api", "gateway.networking.k8s.io_httproutes-v1.6.1.yaml"), { ...route, spec }),
            [],
        );
        const cert = { apiVersion: "cert-manager.io/v1", kind: "Certificate", metadata: { name: "c" } };
        const certSpec = certificateSpec(target.host, "g-tls", "site-ca");
        assert.deepEqual(
            crdErrors(refFile("cert-manager", "cert-manager.io_certificates-v1.21.1.yaml"), {
                ...cert,
                spec: certSpec,
            }),
            [],
        );
    });

    it("chooses the Gateway in gateway mode, else an Ingress with the site certificate or the issuer", () => {
        const cfg = (ingress: Record<string, unknown>) =>
            ({ ingress: { className: "nginx", ...ingress } }) as unknown as PlatformConfig;
        assert.deepEqual(exposureOf(cfg({ mode: "gateway" }), { gateway }), { gateway });
        assert.throws(() => exposureOf(cfg({ mode: "gateway" }), {}), /needs the gateway add-on/);
        assert.deepEqual(exposureOf(cfg({ mode: "http" }), {}), { ingress: { className: "nginx" } });
        const site = exposureOf(cfg({ mode: "https", tlsCert: "PEM", tlsKey: "KEY" }), {});
        assert.deepEqual(site, { ingress: { className: "nginx", tls: { cert: "PEM", key: "KEY" } } });
        const issued = exposureOf(cfg({ mode: "https-custom-ca" }), {
            issuer: { name: "site-ca", caCert: pulumi.output("CA"), ready: [] },
        });
        assert.deepEqual(issued, { ingress: { className: "nginx", tls: { issuer: "site-ca" } } });
        assert.throws(() => exposureOf(cfg({ mode: "https" }), {}), /needs ingress.tlsCert or the certManager add-on/);
    });

    it("builds an HTTPRoute, or an Ingress with its TLS Secret in the route namespace, and the URL", async () => {
        const rec = await mockStack("lab", {});
        const viaGateway = new ExposedService("grafana", { ...target, namespace: "monitoring", via: { gateway } });
        const viaIngress = new ExposedService("jupyter", {
            ...target,
            path: "/jupyter",
            namespace: "jupyterhub",
            via: { ingress: { className: "nginx", tls: { cert: "PEM", key: pulumi.secret("KEY") } } },
        });
        await settle();
        const kinds = rec.all().map((r) => `${r.type} ${r.name}`);
        assert.ok(kinds.includes("kubernetes:gateway.networking.k8s.io/v1:HTTPRoute grafana"), kinds.join("\n"));
        assert.ok(kinds.includes("kubernetes:networking.k8s.io/v1:Ingress jupyter"));
        const secret = rec.all().find((r) => r.type === "kubernetes:core/v1:Secret");
        assert.equal((secret?.inputs.metadata as { namespace: string }).namespace, "jupyterhub");
        assert.equal(await unwrap(viaGateway.url), "https://aihub.example.com/grafana");
        assert.equal(await unwrap(viaIngress.url), "https://aihub.example.com/jupyter");
    });
});
