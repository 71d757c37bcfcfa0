/**
 * Stands in for the AIS operator's admission webhook. The real ais-operator chart (v3.4.0) registers the validating
 * webhook `vaistore.kb.io` (failurePolicy Fail) on its Service `ais-operator-webhook-service`; the operator serves it.
 * The operator cannot run here (its Go module is not served), so without this stand-in nothing would answer and, as
 * on a real cluster whose operator is down, every AIStore would be refused. This server listens on 127.0.0.1 with a
 * CA of its own and registers itself for the Service the webhook names (testing/sim/webhooks.ts then points the
 * webhook at it); it applies the operator's create and update rules, read in NVIDIA/ais-k8s v3.4.0:
 * `operator/internal/webhook/aistore/v1beta1/aistore_webhook.go` (node count warnings, the state StorageClass must
 * exist, what an update may change) and `operator/api/aistore/v1beta1/aistore_validation.go` (sizes, state storage,
 * ports, TLS paths, auto-scaling). The AIStoreAuth webhooks on the same Service are not modelled: they are refused
 * with a message that says so (the program creates no such resource).
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as https from "node:https";
import type { AddressInfo } from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import type { ApiClient, KubeObject } from "../../lib/kube-api";
import type { Log } from "./log";
import { LOOPBACK_ENDPOINTS, registerLoopbackEndpoint, serviceKey } from "./webhooks";

/** The webhook's name and path as the operator registers them (kubebuilder marker in aistore_webhook.go). */
export const AISTORE_WEBHOOK = { name: "vaistore.kb.io", path: "/validate-ais-nvidia-com-v1beta1-aistore" };

type Spec = Record<string, unknown>;
interface DaemonSpec {
    size?: number;
    nodeSelector?: Record<string, string>;
    servicePort?: number | string;
    portPublic?: number | string;
    portIntraControl?: number | string;
    portIntraData?: number | string;
    disablePodAntiAffinity?: boolean;
    [k: string]: unknown;
}
interface AistoreSpec {
    size?: number;
    proxySpec?: DaemonSpec;
    targetSpec?: DaemonSpec;
    stateStorage?: { hostPath?: unknown; pvc?: { storageClass?: string }; emptyDir?: unknown };
    stateStorageClass?: string;
    hostpathPrefix?: string;
    shutdownCluster?: boolean;
    enableExternalLB?: boolean;
    tls?: unknown;
    auth?: unknown;
    configToUpdate?: { net?: { http?: Record<string, unknown> } };
}

/** What the rules read from the cluster. */
export interface AdmissionCluster {
    nodes: KubeObject[];
    storageClasses: string[];
}

/** The outcome: refused with a message, or admitted with warnings. */
export type Verdict = { allowed: false; message: string } | { allowed: true; warnings: string[] };

/** Go's `IntOrString.IntValue()`: a number, or a string parsed as an integer, else 0. */
function intValue(v: number | string | undefined): number {
    if (typeof v === "number") return v;
    const n = typeof v === "string" ? Number.parseInt(v, 10) : NaN;
    return Number.isNaN(n) ? 0 : n;
}

/** `ServiceSpec.validate`: every port 1..65535 (validation.IsValidPortNum). */
function portErrors(d: DaemonSpec | undefined, at: string): string[] {
    const errs: string[] = [];
    for (const k of ["servicePort", "portPublic", "portIntraControl", "portIntraData"] as const) {
        const v = intValue(d?.[k]);
        if (v < 1 || v > 65535) errs.push(`${at}.${k}: Invalid value: ${v}: must be between 1 and 65535, inclusive`);
    }
    return errs;
}

const autoScaling = (s: AistoreSpec, d: DaemonSpec | undefined) => s.size === -1 || d?.size === -1;

/** `AIStore.ValidateSpec` (aistore_validation.go): the spec-only rules, in the operator's order. */
export function validateSpec(s: AistoreSpec): Verdict {
    const warnings: string[] = [];
    const fail = (message: string): Verdict => ({ allowed: false, message });
    const proxy = s.proxySpec ?? {};
    const target = s.targetSpec ?? {};
    // validateDeprecatedFields (warnings only)
    for (const [inUse, field, use] of [
        [s.hostpathPrefix !== undefined, "spec.hostpathPrefix", "spec.stateStorage.hostPath.prefix"],
        [s.stateStorageClass !== undefined, "spec.stateStorageClass", "spec.stateStorage.pvc.storageClass"],
        [
            !!s.enableExternalLB,
            "spec.enableExternalLB",
            "spec.proxySpec.externalAccess and/or spec.targetSpec.externalAccess",
        ],
    ] as const) {
        if (inUse) warnings.push(`${field} is deprecated and will be removed in a future release; use ${use} instead`);
    }
    // validateSize
    if (proxy.size !== undefined && proxy.size <= 0 && !autoScaling(s, proxy))
        return fail(`invalid proxy daemon size ${proxy.size}, should be at least 1`);
    if (target.size !== undefined && target.size <= 0 && !autoScaling(s, target))
        return fail(`invalid target daemon size ${target.size}, should be at least 1`);
    if (
        (target.size === undefined || proxy.size === undefined) &&
        (s.size === undefined || s.size <= -2 || s.size === 0)
    )
        return fail(
            s.size === undefined
                ? "cluster size is not specified"
                : `invalid cluster size ${s.size}, should be at least 1 or -1 for autoScaling`,
        );
    // validateStateStorage
    const modes = s.stateStorage
        ? [s.stateStorage.hostPath, s.stateStorage.pvc, s.stateStorage.emptyDir].filter((m) => m !== undefined).length
        : 0;
    if (s.stateStorage) {
        if (s.stateStorageClass !== undefined || s.hostpathPrefix !== undefined)
            warnings.push("spec.stateStorage is set; ignoring legacy hostpathPrefix and stateStorageClass fields");
        if (modes !== 1) return fail("AIS spec stateStorage must define exactly one of hostPath, pvc, or emptyDir");
    } else if (s.stateStorageClass === undefined && s.hostpathPrefix === undefined) {
        return fail(
            "AIS spec does not define stateStorage. Set stateStorage.hostPath, stateStorage.pvc, or stateStorage.emptyDir",
        );
    }
    // validateShutdownWithEmptyDir
    if (s.stateStorage?.emptyDir !== undefined && s.shutdownCluster)
        return fail("shutdownCluster cannot be enabled when stateStorage.emptyDir is used");
    // validateAutoScaling
    if (autoScaling(s, target) && !target.nodeSelector)
        return fail("missing nodeSelector for target; nodeSelector is required when autoScale is enabled");
    if (autoScaling(s, proxy) && !proxy.nodeSelector)
        return fail("missing nodeSelector for proxy; nodeSelector is required when autoScale is enabled");
    // validateServiceSpec
    const ports = [...portErrors(proxy, "spec.proxySpec"), ...portErrors(target, "spec.targetSpec")];
    if (ports.length) return fail(ports.length === 1 ? ports[0] : `[${ports.join(", ")}]`);
    // validateTLSCertPaths
    const http = s.configToUpdate?.net?.http ?? {};
    const conflicts = ["server_crt", "server_key", "client_ca_tls"].filter((k) => http[k] !== undefined);
    if (s.tls !== undefined && conflicts.length)
        return fail(
            `configToUpdate.net.http.[${conflicts.join(",")}] cannot be set together with spec.tls; the operator manages cert paths under /var/certs`,
        );
    return { allowed: true, warnings };
}

/** The state PVC's StorageClass (`StateStoragePVCStorageClass`): stateStorage.pvc, else the legacy field. */
const stateClass = (s: AistoreSpec) => (s.stateStorage ? s.stateStorage.pvc?.storageClass : s.stateStorageClass);

function matches(node: KubeObject, selector: Record<string, string> | undefined): boolean {
    return Object.entries(selector ?? {}).every(([k, v]) => node.metadata.labels?.[k] === v);
}

/** Fields of a daemon spec an update may change (`allowDaemonSpecUpdates`, plus the target's own). */
const MUTABLE_DAEMON = [
    "size",
    "annotations",
    "labels",
    "env",
    "resources",
    "securityContext",
    "capabilities",
    "aisContainerSecurityContext",
    "autoScaleConf",
    "pvcRetentionPolicy",
    "probes",
    "tolerations",
];

/** JSON equality after dropping `mutable` keys (the operator compares with equality.Semantic.DeepEqual). */
function sameExcept(a: Spec | undefined, b: Spec | undefined, mutable: string[]): boolean {
    const strip = (o: Spec | undefined) =>
        JSON.stringify(
            Object.fromEntries(
                Object.entries(o ?? {})
                    .filter(([k]) => !mutable.includes(k))
                    .sort(([x], [y]) => x.localeCompare(y)),
            ),
        );
    return strip(a) === strip(b);
}

/**
 * `AIStoreWebhook.ValidateCreate` / `ValidateUpdate` for one AIStore (`old` set on update). The auth checks (a
 * SubjectAccessReview per referenced Secret or profile) are not modelled: an AIStore with `spec.auth` is refused.
 */
export function validateAistore(spec: AistoreSpec, cluster: AdmissionCluster, old?: AistoreSpec): Verdict {
    const v = validateSpec(spec);
    if (!v.allowed) return v;
    const warnings = [...v.warnings];
    const proxy = spec.proxySpec ?? {};
    const target = spec.targetSpec ?? {};
    // verifyNodesAvailable (warnings); an auto-scaling size comes from the status, which the webhook does not check.
    const need = (d: DaemonSpec) => (autoScaling(spec, d) ? 0 : (d.size ?? spec.size ?? 0));
    for (const [kind, d] of [
        ["proxy", proxy],
        ["target", target],
    ] as const) {
        if (kind === "target" && target.disablePodAntiAffinity) continue;
        const found = cluster.nodes.filter((n) => matches(n, d.nodeSelector)).length;
        if (found < need(d))
            warnings.push(
                `spec for AIS ${kind} requires more K8s nodes matching the given selector: expected '${need(d)}' but found '${found}'`,
            );
    }
    // verifyRequiredStorageClasses
    const cls = stateClass(spec);
    if (cls !== undefined && !cluster.storageClasses.includes(cls))
        return { allowed: false, message: `required storage class '${cls}' not found` };
    if (spec.auth !== undefined)
        return { allowed: false, message: "spec.auth: the sim's AIS webhook stand-in does not model the auth checks" };
    if (!old) return { allowed: true, warnings };
    const cannot = (what: string): Verdict => ({
        allowed: false,
        message: `cannot update spec "${what}" for an existing cluster`,
    });
    if (!sameExcept(old.proxySpec, proxy, MUTABLE_DAEMON)) return cannot("proxySpec");
    if (!sameExcept(old.targetSpec, target, [...MUTABLE_DAEMON, "podDisruptionBudget", "scaleDownMode"]))
        return cannot("targetSpec");
    if (!!spec.enableExternalLB !== !!old.enableExternalLB) return cannot("enableExternalLB");
    if (cls !== undefined && cls !== stateClass(old)) return cannot("stateStorage.pvc.storageClass");
    return { allowed: true, warnings };
}

/** An AdmissionReview request as the API server sends it. */
interface Review {
    request: { uid: string; operation: string; object?: { spec?: AistoreSpec }; oldObject?: { spec?: AistoreSpec } };
}

/** The AdmissionReview response for a request to `urlPath`. */
export async function answer(urlPath: string, review: Review, client: ApiClient): Promise<Record<string, unknown>> {
    const { uid, operation, object, oldObject } = review.request;
    let verdict: Verdict;
    if (urlPath !== AISTORE_WEBHOOK.path) {
        verdict = { allowed: false, message: `the sim's AIS webhook stand-in does not model ${urlPath}` };
    } else if (operation !== "CREATE" && operation !== "UPDATE") {
        verdict = { allowed: true, warnings: [] };
    } else {
        const cluster = {
            nodes: await client.list("/api/v1/nodes"),
            storageClasses: (await client.list("/apis/storage.k8s.io/v1/storageclasses")).map((c) => c.metadata.name),
        };
        verdict = validateAistore(object?.spec ?? {}, cluster, operation === "UPDATE" ? oldObject?.spec : undefined);
    }
    const response: Record<string, unknown> = { uid, allowed: verdict.allowed };
    if (verdict.allowed) {
        if (verdict.warnings.length) response.warnings = verdict.warnings;
    } else {
        response.status = { code: 403, reason: "Forbidden", message: verdict.message };
    }
    return { apiVersion: "admission.k8s.io/v1", kind: "AdmissionReview", response };
}

/** A CA and a server certificate for 127.0.0.1 (openssl CLI); PEM strings. */
function serverCertificate(): { ca: string; cert: string; key: string } {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sim-ais-webhook-"));
    try {
        const f = (n: string) => path.join(dir, n);
        const run = (args: string[]) => execFileSync("openssl", args, { stdio: ["ignore", "ignore", "pipe"] });
        const ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"];
        run(
            ["req", "-x509", ...ec, "-keyout", f("ca.key"), "-out", f("ca.crt"), "-days", "30"]
                .concat(["-subj", "/CN=sim-ais-webhook-ca", "-addext", "basicConstraints=critical,CA:TRUE"])
                .concat(["-addext", "keyUsage=critical,keyCertSign"]),
        );
        run(
            ["req", "-x509", ...ec, "-keyout", f("tls.key"), "-out", f("tls.crt"), "-days", "30"]
                .concat(["-subj", "/CN=127.0.0.1", "-CA", f("ca.crt"), "-CAkey", f("ca.key")])
                .concat(["-addext", "subjectAltName=IP:127.0.0.1", "-addext", "extendedKeyUsage=serverAuth"])
                .concat(["-addext", "basicConstraints=critical,CA:FALSE"]),
        );
        const read = (n: string) => fs.readFileSync(f(n), "utf8");
        return { ca: read("ca.crt"), cert: read("tls.crt"), key: read("tls.key") };
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

/** The Services the AIStore webhook is registered on (any release name or namespace of the chart). */
async function webhookServices(client: ApiClient): Promise<{ namespace: string; name: string; port?: number }[]> {
    const cfgs = await client.list("/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations");
    return cfgs.flatMap((c) =>
        (
            (
                c as {
                    webhooks?: {
                        name: string;
                        clientConfig?: { service?: { namespace: string; name: string; port?: number } };
                    }[];
                }
            ).webhooks ?? []
        )
            .filter((w) => w.name === AISTORE_WEBHOOK.name && w.clientConfig?.service)
            .map((w) => w.clientConfig!.service!),
    );
}

/**
 * Starts the stand-in on 127.0.0.1 and, once a second until `signal` aborts, registers it for every Service an
 * AIStore webhook names. Resolves when the server listens; the server closes on abort.
 */
export async function startAistoreWebhook(client: ApiClient, log: Log, signal: AbortSignal): Promise<void> {
    const pem = serverCertificate();
    const server = https.createServer({ cert: pem.cert, key: pem.key }, (req, res) => {
        let body = "";
        req.on("data", (c: Buffer) => (body += c.toString("utf8")));
        req.on("end", () => {
            const urlPath = (req.url ?? "").split("?")[0];
            answer(urlPath, JSON.parse(body) as Review, client).then(
                (out) => {
                    const r = out.response as { allowed: boolean; status?: { message: string } };
                    log(`ais webhook ${urlPath}: ${r.allowed ? "admitted" : `refused (${r.status?.message})`}`);
                    res.setHeader("content-type", "application/json");
                    res.end(JSON.stringify(out));
                },
                (e: Error) => {
                    log(`ais webhook ${urlPath}: ${e.message}`);
                    res.statusCode = 500;
                    res.end(e.message);
                },
            );
        });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
    log(`ais webhook stand-in listening on ${url}`);
    const registered = new Set<string>();
    const timer = setInterval(() => {
        void (async () => {
            for (const svc of await webhookServices(client)) {
                const key = serviceKey(svc);
                const cm = await client.get(
                    `/api/v1/namespaces/${LOOPBACK_ENDPOINTS.namespace}/configmaps/${LOOPBACK_ENDPOINTS.name}`,
                );
                if (registered.has(key) && (cm?.data as Record<string, string> | undefined)?.[key]) continue;
                await registerLoopbackEndpoint(client, svc, { url, caPem: pem.ca });
                registered.add(key);
                log(`ais webhook stand-in registered for service ${svc.namespace}/${svc.name}`);
            }
        })().catch((e: Error) => log(`ais webhook registration: ${e.message}`));
    }, 1000);
    signal.addEventListener(
        "abort",
        () => {
            clearInterval(timer);
            server.close();
        },
        { once: true },
    );
}
