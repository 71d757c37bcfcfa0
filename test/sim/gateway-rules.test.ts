/**
 * The Envoy Gateway stand-in's rules (testing/sim/gateway.ts): the project's own Gateway, AI Hub route, add-on route
 * and redirect route are accepted with every reference resolved; each rule broken on purpose gives Envoy Gateway's
 * condition and reason.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { KubeObject } from "../../lib/kube-api";
import { gatewaySpec, redirectRouteSpec } from "../../addons/gateway/manifests";
import { aihubRouteSpec, httpRouteSpec } from "../../k8s/routes";
import {
    hostnamesIntersect,
    listenerTlsProblem,
    routeParentVerdict,
    type GatewayWorld,
    type Listener,
    type ParentRef,
} from "../../testing/sim/gateway";

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- raw manifests

const HOST = "aihub.lab.internal";
const GW_NS = "envoy-gateway-system";
const ref = { name: "aihub", namespace: GW_NS, sectionName: "https" };

const k = (kind: string, namespace: string, name: string, rest: Obj = {}): KubeObject => ({
    kind,
    metadata: { name, namespace },
    ...rest,
});

function world(): { gw: KubeObject; w: GatewayWorld } {
    const gw = k("Gateway", GW_NS, "aihub", { spec: gatewaySpec("eg", HOST, "aihub-tls", true) });
    const w: GatewayWorld = {
        namespaces: new Map<string, Record<string, string>>([
            [GW_NS, {}],
            ["aihub", { team: "ai" }],
            ["monitoring", {}],
        ]),
        services: [
            k("Service", "aihub", "proxy", { spec: { ports: [{ port: 443 }] } }),
            k("Service", "monitoring", "grafana", { spec: { ports: [{ port: 80, protocol: "TCP" }] } }),
        ],
        secrets: [
            k("Secret", GW_NS, "aihub-tls", {
                type: "kubernetes.io/tls",
                data: { "tls.crt": "Yw==", "tls.key": "aw==" },
            }),
        ],
        grants: [],
    };
    return { gw, w };
}

const aihubRoute = (spec: Obj = aihubRouteSpec(ref, HOST, { service: "proxy", port: 443 })) =>
    k("HTTPRoute", "aihub", "aihub", { spec });

function verdict(route: KubeObject, gw: KubeObject, w: GatewayWorld): Record<string, string | string[]> {
    const v = routeParentVerdict(route, (route.spec as Obj).parentRefs[0] as ParentRef, gw, w);
    return {
        ...Object.fromEntries(v.conditions.map((c) => [c.type, `${c.status} ${c.reason}`])),
        listeners: v.listeners,
    };
}

describe("sim Envoy Gateway: the project's own objects pass", () => {
    it("the Gateway's listeners resolve their Secret; the AI Hub, add-on and redirect routes attach", () => {
        const { gw, w } = world();
        for (const l of (gw.spec as Obj).listeners as Listener[]) assert.equal(listenerTlsProblem(gw, l, w), undefined);
        const ok = { Accepted: "True Accepted", ResolvedRefs: "True ResolvedRefs" };
        assert.deepEqual(verdict(aihubRoute(), gw, w), { ...ok, listeners: ["https"] });
        const grafana = k("HTTPRoute", "monitoring", "grafana", {
            spec: httpRouteSpec({ host: HOST, path: "/addons/grafana", service: "grafana", port: 80 }, ref),
        });
        assert.deepEqual(verdict(grafana, gw, w), { ...ok, listeners: ["https"] });
        const redirect = k("HTTPRoute", GW_NS, "redirect", {
            spec: redirectRouteSpec({ ...ref, sectionName: "http" }, HOST),
        });
        assert.deepEqual(verdict(redirect, gw, w), { ...ok, listeners: ["http"] });
    });
});

describe("sim Envoy Gateway: each rule fails as Envoy Gateway does", () => {
    it("a sectionName or port no listener has: Accepted=False NoMatchingParent", () => {
        const { gw, w } = world();
        const wrongName = aihubRouteSpec({ ...ref, sectionName: "htps" }, HOST, { service: "proxy", port: 443 }) as Obj;
        const wrongPort = aihubRouteSpec(ref, HOST, { service: "proxy", port: 443 }) as Obj;
        wrongPort.parentRefs[0].port = 8443;
        for (const spec of [wrongName, wrongPort]) {
            assert.equal(verdict(aihubRoute(spec), gw, w).Accepted, "False NoMatchingParent");
        }
        wrongPort.parentRefs[0].port = 443;
        assert.equal(verdict(aihubRoute(wrongPort), gw, w).Accepted, "True Accepted");
    });

    it("a route from another namespace on a listener that allows only its own: NotAllowedByListeners", () => {
        const { gw, w } = world();
        const route = k("HTTPRoute", "aihub", "r", { spec: redirectRouteSpec({ ...ref, sectionName: "http" }, HOST) });
        assert.deepEqual(verdict(route, gw, w).Accepted, "False NotAllowedByListeners");
        // A selector: only namespaces with the label.
        const https = ((gw.spec as Obj).listeners as Listener[])[0];
        https.allowedRoutes = { namespaces: { from: "Selector", selector: { matchLabels: { team: "ai" } } } };
        assert.equal(verdict(aihubRoute(), gw, w).Accepted, "True Accepted");
        https.allowedRoutes.namespaces!.selector!.matchLabels = { team: "ops" };
        assert.equal(verdict(aihubRoute(), gw, w).Accepted, "False NotAllowedByListeners");
    });

    it("no hostname in common with the listener: NoMatchingListenerHostname", () => {
        const { gw, w } = world();
        const route = aihubRoute(aihubRouteSpec(ref, "other.lab.internal", { service: "proxy", port: 443 }));
        assert.deepEqual(verdict(route, gw, w), {
            Accepted: "False NoMatchingListenerHostname",
            ResolvedRefs: "True ResolvedRefs",
            listeners: [],
        });
        assert.equal(hostnamesIntersect("*.lab.internal", ["a.b.lab.internal"]), true);
        assert.equal(hostnamesIntersect("*.lab.internal", ["lab.internal"]), false);
        assert.equal(hostnamesIntersect(undefined, ["x"]), true);
    });

    it("backendRefs: a missing Service, a port it does not have, no port, another namespace without ReferenceGrant", () => {
        const { gw, w } = world();
        const cases: [Obj, string][] = [
            [{ name: "nope", port: 443 }, "False BackendNotFound"],
            [{ name: "proxy", port: 8443 }, "False PortNotFound"],
            [{ name: "proxy" }, "False PortNotSpecified"],
            [{ name: "grafana", namespace: "monitoring", port: 80 }, "False RefNotPermitted"],
        ];
        for (const [backend, want] of cases) {
            const spec = aihubRouteSpec(ref, HOST, { service: "proxy", port: 443 }) as Obj;
            spec.rules[0].backendRefs = [backend];
            assert.equal(verdict(aihubRoute(spec), gw, w).ResolvedRefs, want, JSON.stringify(backend));
        }
        w.grants.push(
            k("ReferenceGrant", "monitoring", "g", {
                spec: {
                    from: [{ group: "gateway.networking.k8s.io", kind: "HTTPRoute", namespace: "aihub" }],
                    to: [{ group: "", kind: "Service" }],
                },
            }),
        );
        const spec = aihubRouteSpec(ref, HOST, { service: "proxy", port: 443 }) as Obj;
        spec.rules[0].backendRefs = [{ name: "grafana", namespace: "monitoring", port: 80 }];
        assert.equal(verdict(aihubRoute(spec), gw, w).ResolvedRefs, "True ResolvedRefs");
    });

    it("the listener's TLS Secret missing, of the wrong type, or without a key: ResolvedRefs=False InvalidCertificateRef", () => {
        for (const edit of [
            (w: GatewayWorld) => void (w.secrets = []),
            (w: GatewayWorld) => void (w.secrets[0].type = "Opaque"),
            (w: GatewayWorld) => void delete (w.secrets[0].data as Obj)["tls.key"],
        ]) {
            const { gw, w } = world();
            edit(w);
            const p = listenerTlsProblem(gw, ((gw.spec as Obj).listeners as Listener[])[0], w);
            assert.equal(p?.reason, "InvalidCertificateRef");
            assert.equal(p?.status, "False");
            assert.match(
                p?.message ?? "",
                /^No valid secrets exist: certificate refs 0: Secret envoy-gateway-system\/aihub-tls /,
            );
        }
    });
});
