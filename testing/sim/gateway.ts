/**
 * Stands in for Envoy Gateway's controller: for each Gateway of an Envoy Gateway class it creates the proxies'
 * Service and Deployment (from the controller's EnvoyGateway config, so the relocated proxy image and pull Secret
 * show on a pod), and once the Service has an address (testing/sim/controller.ts gives load balancers one; NodePort takes a
 * node's) writes the Gateway's status (Accepted, Programmed, addresses, listeners) and the status of HTTPRoutes
 * attached to it — held to Envoy Gateway's rules (v1.9.0, `internal/gatewayapi/`, cited at each function below): a
 * listener's TLS Secret, the parentRef's sectionName and port, the listener's allowedRoutes, the hostnames, and every
 * backendRef's Service and port, each failing with Envoy Gateway's condition and reason instead of Accepted/ResolvedRefs.
 * No traffic flows: there is no Envoy.
 */
import { parse } from "yaml";
import type { ApiClient, KubeObject } from "../../lib/kube-api";
import type { Log } from "./log";

/** Envoy Gateway's controller name. */
export const EG_CONTROLLER = "gateway.envoyproxy.io/gatewayclass-controller";
const GW = "/apis/gateway.networking.k8s.io/v1";
const OWNER_NAME = "gateway.envoyproxy.io/owning-gateway-name";
const OWNER_NS = "gateway.envoyproxy.io/owning-gateway-namespace";

/** The part of the controller's EnvoyGateway config the stand-in reads. */
interface ProxyDefaults {
    image: string;
    pullSecrets: { name: string }[];
    serviceType: string;
}

async function proxyDefaults(client: ApiClient): Promise<{ namespace: string; proxy: ProxyDefaults } | undefined> {
    const cms = await client.list("/api/v1/configmaps?fieldSelector=metadata.name%3Denvoy-gateway-config");
    const cm = cms[0];
    if (!cm) return undefined;
    const data = (cm.data as Record<string, string> | undefined)?.["envoy-gateway.yaml"] ?? "";
    const k = parse(data)?.envoyProxy?.provider?.kubernetes ?? {};
    return {
        namespace: cm.metadata.namespace!,
        proxy: {
            image: k.envoyDeployment?.container?.image ?? "docker.io/envoyproxy/envoy:distroless-v1.39.0",
            pullSecrets: k.envoyDeployment?.pod?.imagePullSecrets ?? [],
            serviceType: k.envoyService?.type ?? "LoadBalancer",
        },
    };
}

function condition(type: string, reason: string, generation: number | undefined, status = "True", message?: string) {
    return {
        type,
        status,
        reason,
        message: message ?? `sim: ${reason}`,
        observedGeneration: generation ?? 1,
        lastTransitionTime: new Date().toISOString(),
    };
}

/** The address of the proxies' Service: its load-balancer address, or for NodePort a node's internal address. */
async function serviceAddress(client: ApiClient, svc: KubeObject): Promise<string | undefined> {
    if (svc.spec?.type === "NodePort") {
        const nodes = await client.list("/api/v1/nodes");
        const addrs = (nodes[0]?.status?.addresses ?? []) as { type: string; address: string }[];
        return addrs.find((a) => a.type === "InternalIP")?.address;
    }
    const lb = svc.status?.loadBalancer as { ingress?: { ip?: string }[] } | undefined;
    return lb?.ingress?.[0]?.ip;
}

/** A route's parentRef (Gateway API `ParentReference`). */
export interface ParentRef {
    group?: string;
    kind?: string;
    name: string;
    namespace?: string;
    sectionName?: string;
    port?: number;
}

/** A Gateway listener (the fields the rules read). */
export interface Listener {
    name: string;
    port: number;
    protocol?: string;
    hostname?: string;
    tls?: { mode?: string; certificateRefs?: { group?: string; kind?: string; name: string; namespace?: string }[] };
    allowedRoutes?: {
        namespaces?: { from?: string; selector?: { matchLabels?: Record<string, string> } };
        kinds?: { group?: string; kind: string }[];
    };
}

/** A status condition without its times. */
export interface Cond {
    type: string;
    status: string;
    reason: string;
    message: string;
}

/** What the rules look up: namespaces (with labels), Services, Secrets and ReferenceGrants. */
export interface GatewayWorld {
    namespaces: Map<string, Record<string, string>>;
    services: KubeObject[];
    secrets: KubeObject[];
    grants: KubeObject[];
}

/** Conditions equal by type, status, reason and message (times and generations aside). */
function sameConditions(a: unknown, b: unknown): boolean {
    const strip = (list: unknown) =>
        JSON.stringify(
            ((list ?? []) as { conditions?: Cond[] }[]).map((x) =>
                (x?.conditions ?? []).map((c) => [c.type, c.status, c.reason, c.message]),
            ),
        );
    return strip(a) === strip(b);
}

/**
 * Does a ReferenceGrant in the target namespace let `from` refer to `to` (envoyproxy/gateway v1.9.0
 * `internal/gatewayapi/validate.go` `isCrossNamespaceReferencePermitted`; Gateway API `ReferenceGrant`)?
 */
export function referencePermitted(
    grants: KubeObject[],
    from: { group: string; kind: string; namespace: string },
    to: { group: string; kind: string; namespace: string; name: string },
): boolean {
    return grants.some((g) => {
        if (g.metadata.namespace !== to.namespace) return false;
        const spec = (g.spec ?? {}) as {
            from?: { group: string; kind: string; namespace: string }[];
            to?: { group: string; kind: string; name?: string }[];
        };
        const f = spec.from?.some(
            (x) => x.group === from.group && x.kind === from.kind && x.namespace === from.namespace,
        );
        const t = spec.to?.some((x) => x.group === to.group && x.kind === to.kind && (!x.name || x.name === to.name));
        return !!f && !!t;
    });
}

/**
 * A listener's TLS problem (envoyproxy/gateway v1.9.0 `internal/gatewayapi/validate.go`
 * `validateTerminateModeAndGetTLSSecrets`): an HTTPS listener in Terminate mode needs at least one certificateRef to an
 * existing `kubernetes.io/tls` Secret with tls.crt and tls.key (another namespace only through a ReferenceGrant);
 * else ResolvedRefs=False with reason InvalidCertificateRef (RefNotPermitted when every ref was refused).
 */
export function listenerTlsProblem(gw: KubeObject, l: Listener, world: GatewayWorld): Cond | undefined {
    if (l.protocol !== "HTTPS" || (l.tls?.mode ?? "Terminate") !== "Terminate") return undefined;
    const refs = l.tls?.certificateRefs ?? [];
    if (refs.length === 0) {
        return {
            type: "Programmed",
            status: "False",
            reason: "Invalid",
            message: "Listener must have at least 1 TLS certificate ref",
        };
    }
    const gns = gw.metadata.namespace!;
    const errs: { reason: string; text: string }[] = [];
    refs.forEach((ref, idx) => {
        if ((ref.kind ?? "Secret") !== "Secret" || (ref.group ?? "") !== "") {
            errs.push({
                reason: "InvalidCertificateRef",
                text: `certificate refs ${idx}: Listener's TLS certificate ref kind must be Secret.`,
            });
            return;
        }
        const ns = ref.namespace || gns;
        if (ns !== gns) {
            const ok = referencePermitted(
                world.grants,
                { group: "gateway.networking.k8s.io", kind: "Gateway", namespace: gns },
                { group: "", kind: "Secret", namespace: ns, name: ref.name },
            );
            if (!ok) {
                errs.push({
                    reason: "RefNotPermitted",
                    text: `certificate refs ${idx}: Certificate ref to secret ${ns}/${ref.name} not permitted by any ReferenceGrant.`,
                });
                return;
            }
        }
        const secret = world.secrets.find((x) => x.metadata.namespace === ns && x.metadata.name === ref.name);
        if (!secret) {
            errs.push({
                reason: "InvalidCertificateRef",
                text: `certificate refs ${idx}: Secret ${ns}/${ref.name} does not exist.`,
            });
        } else if (secret.type !== "kubernetes.io/tls") {
            errs.push({
                reason: "InvalidCertificateRef",
                text: `certificate refs ${idx}: Secret ${ns}/${ref.name} must be of type kubernetes.io/tls.`,
            });
        } else {
            const data = (secret.data ?? {}) as Record<string, string>;
            if (!data["tls.crt"] || !data["tls.key"]) {
                errs.push({
                    reason: "InvalidCertificateRef",
                    text: `certificate refs ${idx}: Secret ${ns}/${ref.name} must contain tls.crt and tls.key.`,
                });
            }
        }
    });
    if (errs.length < refs.length) return undefined;
    const reason = errs.every((e) => e.reason === "RefNotPermitted") ? "RefNotPermitted" : "InvalidCertificateRef";
    return {
        type: "ResolvedRefs",
        status: "False",
        reason,
        message: `No valid secrets exist: ${errs.map((e) => e.text).join("\n")}`,
    };
}

/**
 * Do a listener hostname and a route's hostnames intersect (Gateway API `Listener.hostname` / `HTTPRoute.hostnames`:
 * no hostname matches all, a `*.` wildcard matches any name below its suffix)?
 */
export function hostnamesIntersect(listener: string | undefined, route: string[]): boolean {
    if (!listener || route.length === 0) return true;
    const match = (a: string, b: string) => {
        if (a === b) return true;
        if (a.startsWith("*.") && b.endsWith(a.slice(1))) return true;
        return b.startsWith("*.") && a.endsWith(b.slice(1));
    };
    return route.some((h) => match(listener, h));
}

/** Does the listener let a route from `namespace` attach (envoyproxy/gateway `contexts.go` `AllowsNamespace`/`AllowsKind`)? */
function allows(gw: KubeObject, l: Listener, namespace: string, world: GatewayWorld): boolean {
    const kinds = l.allowedRoutes?.kinds;
    const kindOk = kinds?.length
        ? kinds.some(
              (k) => k.kind === "HTTPRoute" && (k.group ?? "gateway.networking.k8s.io") === "gateway.networking.k8s.io",
          )
        : (l.protocol ?? "HTTP") === "HTTP" || l.protocol === "HTTPS";
    const from = l.allowedRoutes?.namespaces?.from ?? "Same";
    if (from === "All") return kindOk;
    if (from === "Selector") {
        const labels = world.namespaces.get(namespace);
        const want = l.allowedRoutes?.namespaces?.selector?.matchLabels ?? {};
        return kindOk && !!labels && Object.entries(want).every(([k, v]) => labels[k] === v);
    }
    return kindOk && gw.metadata.namespace === namespace;
}

/**
 * One parent's status for an HTTPRoute, as Envoy Gateway v1.9.0 computes it (`internal/gatewayapi/route.go`
 * `processAllowedListenersForParentRefs` and `processHTTPRouteParentRefListener`, `helpers.go`
 * `GetReferencedListeners`, `validate.go` `validateBackendRef*`): the listeners the parentRef selects by sectionName
 * and port (none: Accepted=False NoMatchingParent), those that allow the route's kind and namespace (none:
 * NotAllowedByListeners), a hostname in common (none: NoMatchingListenerHostname); every backendRef a Service of the
 * route's namespace (or one a ReferenceGrant opens: else RefNotPermitted) that exists (BackendNotFound), with a port
 * (PortNotSpecified) the Service has (PortNotFound) — else ResolvedRefs=False. Returns the conditions and the
 * listeners the route attached to.
 */
export function routeParentVerdict(
    route: KubeObject,
    ref: ParentRef,
    gw: KubeObject,
    world: GatewayWorld,
): { conditions: Cond[]; listeners: string[] } {
    const rns = route.metadata.namespace!;
    const selected = ((gw.spec?.listeners ?? []) as Listener[]).filter(
        (l) =>
            (ref.sectionName === undefined || ref.sectionName === l.name) &&
            (ref.port === undefined || ref.port === l.port),
    );
    const resolved = backendProblem(route, world) ?? {
        type: "ResolvedRefs",
        status: "True",
        reason: "ResolvedRefs",
        message: "Resolved all the Object references for the Route",
    };
    const refused = (reason: string, message: string) => ({
        conditions: [{ type: "Accepted", status: "False", reason, message }, resolved],
        listeners: [],
    });
    if (selected.length === 0) return refused("NoMatchingParent", "No listeners match this parent ref");
    const allowed = selected.filter((l) => allows(gw, l, rns, world));
    if (allowed.length === 0) {
        return refused("NotAllowedByListeners", "No listeners included by this parent ref allowed this attachment.");
    }
    const hosts = (route.spec?.hostnames ?? []) as string[];
    const matching = allowed.filter((l) => hostnamesIntersect(l.hostname, hosts));
    if (matching.length === 0) {
        return refused(
            "NoMatchingListenerHostname",
            "There were no hostname intersections between the HTTPRoute and this parent ref's Listener(s).",
        );
    }
    return {
        conditions: [{ type: "Accepted", status: "True", reason: "Accepted", message: "Route is accepted" }, resolved],
        listeners: matching.map((l) => l.name),
    };
}

/** The first backendRef problem of a route (see {@link routeParentVerdict}), as a ResolvedRefs=False condition. */
function backendProblem(route: KubeObject, world: GatewayWorld): Cond | undefined {
    const rns = route.metadata.namespace!;
    const rules = (route.spec?.rules ?? []) as { backendRefs?: (ParentRef & { port?: number })[] }[];
    const bad = (reason: string, message: string): Cond => ({ type: "ResolvedRefs", status: "False", reason, message });
    for (const b of rules.flatMap((r) => r.backendRefs ?? [])) {
        if ((b.kind ?? "Service") !== "Service" || (b.group ?? "") !== "") continue;
        const ns = b.namespace ?? rns;
        if (
            ns !== rns &&
            !referencePermitted(
                world.grants,
                { group: "gateway.networking.k8s.io", kind: "HTTPRoute", namespace: rns },
                { group: "", kind: "Service", namespace: ns, name: b.name },
            )
        ) {
            return bad(
                "RefNotPermitted",
                `Backend ref to Service ${ns}/${b.name} not permitted by any ReferenceGrant.`,
            );
        }
        if (b.port === undefined) {
            return bad(
                "PortNotSpecified",
                "A valid port number corresponding to a port on the Service must be specified",
            );
        }
        const svc = world.services.find((x) => x.metadata.namespace === ns && x.metadata.name === b.name);
        if (!svc) return bad("BackendNotFound", `service ${ns}/${b.name} not found`);
        const ports = (svc.spec?.ports ?? []) as { port: number; protocol?: string }[];
        if (!ports.some((p) => p.port === b.port && (p.protocol ?? "TCP") === "TCP")) {
            return bad("PortNotFound", `TCP Port ${b.port} not found on Service ${ns}/${b.name}`);
        }
    }
    return undefined;
}

/** Envoy Gateway's part (see the file comment). */
export async function reconcileGateways(client: ApiClient, log: Log): Promise<void> {
    const classes = await client.list(`${GW}/gatewayclasses`).catch(() => [] as KubeObject[]);
    const ours = new Set(classes.filter((c) => c.spec?.controllerName === EG_CONTROLLER).map((c) => c.metadata.name));
    if (ours.size === 0) return;
    const eg = await proxyDefaults(client);
    if (!eg) return;
    const programmed: { gw: KubeObject; address: string }[] = [];
    for (const gw of await client.list(`${GW}/gateways`)) {
        if (!ours.has(gw.spec?.gatewayClassName as string) || gw.metadata.deletionTimestamp) continue;
        const ns = gw.metadata.namespace!;
        const name = `envoy-${ns}-${gw.metadata.name}`.slice(0, 63);
        const labels = { [OWNER_NAME]: gw.metadata.name, [OWNER_NS]: ns, app: name };
        const listeners = (gw.spec?.listeners ?? []) as { name: string; port: number }[];
        const svcPath = `/api/v1/namespaces/${eg.namespace}/services/${name}`;
        await client.create(
            `/api/v1/namespaces/${eg.namespace}/services`,
            {
                metadata: { name, namespace: eg.namespace, labels },
                spec: {
                    type: eg.proxy.serviceType,
                    selector: { app: name },
                    ports: listeners.map((l) => ({ name: l.name, port: l.port, targetPort: 10000 + l.port })),
                },
            },
            true,
        );
        await client.create(
            `/apis/apps/v1/namespaces/${eg.namespace}/deployments`,
            {
                metadata: { name, namespace: eg.namespace, labels },
                spec: {
                    replicas: 1,
                    selector: { matchLabels: { app: name } },
                    template: {
                        metadata: { labels },
                        spec: {
                            imagePullSecrets: eg.proxy.pullSecrets,
                            containers: [{ name: "envoy", image: eg.proxy.image }],
                        },
                    },
                },
            },
            true,
        );
        const svc = await client.get(svcPath);
        const address = svc && (await serviceAddress(client, svc));
        if (address) programmed.push({ gw, address });
    }
    if (programmed.length === 0) return;
    const world: GatewayWorld = {
        namespaces: new Map(
            (await client.list("/api/v1/namespaces")).map((n) => [n.metadata.name, n.metadata.labels ?? {}]),
        ),
        services: await client.list("/api/v1/services"),
        secrets: await client.list("/api/v1/secrets"),
        grants: await client.list("/apis/gateway.networking.k8s.io/v1beta1/referencegrants"),
    };
    const attached = new Map<string, number>();
    for (const route of await client.list(`${GW}/httproutes`)) {
        if (route.metadata.deletionTimestamp) continue;
        const rns = route.metadata.namespace!;
        const g = route.metadata.generation;
        const parents: Record<string, unknown>[] = [];
        for (const ref of (route.spec?.parentRefs ?? []) as ParentRef[]) {
            const target = programmed.find(
                (p) => p.gw.metadata.namespace === (ref.namespace ?? rns) && p.gw.metadata.name === ref.name,
            );
            if ((ref.kind ?? "Gateway") !== "Gateway" || !target) continue;
            const v = routeParentVerdict(route, ref, target.gw, world);
            for (const l of v.listeners) {
                const key = `${target.gw.metadata.namespace}/${target.gw.metadata.name}/${l}`;
                attached.set(key, (attached.get(key) ?? 0) + 1);
            }
            parents.push({
                parentRef: ref,
                controllerName: EG_CONTROLLER,
                conditions: v.conditions.map((c) => condition(c.type, c.reason, g, c.status, c.message)),
            });
        }
        if (parents.length === 0 || sameConditions(route.status?.parents, parents)) continue;
        await client.mergePatch(`${GW}/namespaces/${rns}/httproutes/${route.metadata.name}/status`, {
            status: { parents },
        });
        const summary = parents.map((p) =>
            (p.conditions as Cond[])
                .map((c) => `${c.type}=${c.status}${c.status === "True" ? "" : ` (${c.reason})`}`)
                .join(" "),
        );
        log(`httproute ${rns}/${route.metadata.name}: ${summary.join("; ")}`);
    }
    for (const { gw, address } of programmed) {
        const ns = gw.metadata.namespace!;
        const g = gw.metadata.generation;
        const listeners = ((gw.spec?.listeners ?? []) as Listener[]).map((l) => {
            const tls = listenerTlsProblem(gw, l, world);
            return {
                name: l.name,
                attachedRoutes: attached.get(`${ns}/${gw.metadata.name}/${l.name}`) ?? 0,
                supportedKinds: [{ group: "gateway.networking.k8s.io", kind: "HTTPRoute" }],
                conditions: tls
                    ? [
                          condition("Accepted", "Accepted", g),
                          tls.type === "ResolvedRefs"
                              ? condition("ResolvedRefs", tls.reason, g, "False", tls.message)
                              : condition("ResolvedRefs", "ResolvedRefs", g),
                          condition(
                              "Programmed",
                              "Invalid",
                              g,
                              "False",
                              tls.type === "Programmed"
                                  ? tls.message
                                  : "Listener is invalid, see other Conditions for details.",
                          ),
                      ]
                    : [
                          condition("Accepted", "Accepted", g),
                          condition("ResolvedRefs", "ResolvedRefs", g),
                          condition("Programmed", "Programmed", g),
                      ],
            };
        });
        const status = {
            addresses: [{ type: "IPAddress", value: address }],
            conditions: [condition("Accepted", "Accepted", g), condition("Programmed", "Programmed", g)],
            listeners,
        };
        const old = gw.status as
            { addresses?: { value: string }[]; listeners?: { attachedRoutes?: number }[] } | undefined;
        const same =
            old?.addresses?.[0]?.value === address &&
            sameConditions(old?.listeners, listeners) &&
            JSON.stringify(old?.listeners?.map((l) => l.attachedRoutes)) ===
                JSON.stringify(listeners.map((l) => l.attachedRoutes)) &&
            sameConditions([old], [status]);
        if (same) continue;
        await client.mergePatch(`${GW}/namespaces/${ns}/gateways/${gw.metadata.name}/status`, { status });
        log(`gateway ${ns}/${gw.metadata.name}: programmed at ${address}`);
    }
}
