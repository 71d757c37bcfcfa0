/**
 * The real upstream controllers of the add-ons, run beside the sim in place of stand-ins: cert-manager's controller
 * and webhook v1.21.1, MetalLB's controller v0.16.1, prometheus-operator v0.93.1 and Envoy Gateway v1.9.0
 * (testing/sim/envoy-gateway.ts), built by `npm run controllers:build` (see testing/controllers-paths.ts). Each starts,
 * as a process of the sim (recorded in its pids.json, logged in
 * `logs/<name>.log`, talking to the API server with the sim's kubeconfig), once its chart is installed: the CRD it
 * watches is Established and the chart's Deployment of it has a pod (kwok's; its namespace is the one it serves). A process that
 * exits is started again after {@link RESTART_DELAY_MS}, as a kubelet restarts a crashed container.
 *
 * Their webhook servers listen in the sim's loopback-only network namespace, with a serving certificate the sim's CA
 * signed for 127.0.0.1 and the Service's DNS names; each is registered for its chart's Service, so that
 * testing/sim/webhooks.ts points the chart's webhook configurations and CRD conversions at it.
 *
 * MetalLB's controller runs with its certificate rotator off (`--disable-cert-rotation`): the rotator's certificate
 * names only `metallb-webhook-service.<ns>.svc`, which a loopback URL cannot use. The sim does what the rotator does
 * instead: the serving certificate goes where the controller's webhook server reads it (controller-runtime's
 * default `$TMPDIR/k8s-webhook-server/serving-certs`) and into the Secret `metallb-webhook-cert` of the chart
 * (go.universe.tf/metallb internal/k8s/k8s.go@v0.16.1 writes the same keys there).
 */
import * as fs from "node:fs";
import * as net from "node:net";
import * as path from "node:path";
import { sleep } from "../../lib/async";
import type { ApiClient, KubeObject } from "../../lib/kube-api";
import {
    CERT_MANAGER,
    METALLB,
    PROMETHEUS_OPERATOR,
    upstreamBinary,
    upstreamBinDir,
    type UpstreamBuild,
} from "../controllers-paths";
import { createServingCert } from "./certs";
import { ENVOY_GATEWAY_UPSTREAM } from "./envoy-gateway";
import type { Log } from "./log";
import { freePorts, LOOPBACK } from "./ports";
import { isRunning, logTail, readPids, startProcess } from "./processes";
import { registerLoopbackEndpoint } from "./webhooks";

/** How long after a process exits it is started again. */
export const RESTART_DELAY_MS = 5000;
/** MetalLB's webhook port: fixed in go.universe.tf/metallb internal/k8s/k8s.go@v0.16.1 (`Port: 9443`). */
export const METALLB_WEBHOOK_PORT = 9443;
/** The Secret the MetalLB chart makes for its controller's webhook certificate. */
export const METALLB_WEBHOOK_SECRET = "metallb-webhook-cert";

/** What a started controller needs to know. */
export interface StartContext {
    /** The sim's directory. */
    dir: string;
    kubeconfig: string;
    /** The namespace of the chart's Deployment. */
    namespace: string;
    /** That Deployment, as the chart rendered it (for a controller started with the chart's own arguments). */
    deployment: KubeObject;
    /** A pod of that Deployment (kwok's), for a controller that looks itself up. */
    pod: string;
    /** Free loopback ports, as many as the controller asks for. */
    ports: number[];
    /** The serving certificate (PEM files) and its CA. */
    cert: { cert: string; key: string; caPem: string };
}

/** One upstream controller the sim runs. */
export interface Upstream {
    /** Process name (its log is `logs/<name>.log`). */
    name: string;
    build: UpstreamBuild;
    binary: string;
    /** The CRD that must be Established before it starts. */
    crd: string;
    /** Labels of the chart's Deployment of this controller. */
    deployment: Record<string, string>;
    /** How many free ports it needs. */
    ports: number;
    /** Its command line (after the binary) and extra environment. */
    command(c: StartContext): { args: string[]; env?: Record<string, string> };
    /** Its webhook server: the chart's Service for it, and where it listens. */
    webhook?: {
        service(client: ApiClient, namespace: string): Promise<{ namespace: string; name: string; port: number }>;
        port(c: StartContext): number;
    };
    /** Done before each start (e.g. what its certificate rotator would write). */
    prepare?(client: ApiClient, c: StartContext, log: Log): Promise<void>;
    /** The command line that runs `argv` (binary and args), e.g. in a mount namespace; default `argv` itself. */
    launch?(c: StartContext, argv: string[]): string[];
}

const certManagerLabels = (component: string, name = component) => ({
    "app.kubernetes.io/name": name,
    "app.kubernetes.io/component": component,
});

/** The chart's Deployment (and Service) of prometheus-operator, by its labels. */
const PROMETHEUS_OPERATOR_LABELS = { app: "kube-prometheus-stack-operator" };

/** The first Service of `namespace` with `labels`, or the one named `name`; its first port. */
async function chartService(
    client: ApiClient,
    namespace: string,
    by: { labels?: Record<string, string>; name?: string },
): Promise<{ namespace: string; name: string; port: number }> {
    const selector = Object.entries(by.labels ?? {})
        .map(([k, v]) => `${k}=${v}`)
        .join(",");
    const svc = by.name
        ? await client.get(`/api/v1/namespaces/${namespace}/services/${by.name}`)
        : (
              await client.list(
                  `/api/v1/namespaces/${namespace}/services?labelSelector=${encodeURIComponent(selector)}`,
              )
          )[0];
    if (!svc) throw new Error(`no webhook Service ${by.name ?? selector} in ${namespace} yet`);
    const port = (svc.spec?.ports as { port: number }[] | undefined)?.[0]?.port ?? 443;
    return { namespace, name: svc.metadata.name, port };
}

/** The controllers, as each chart deploys them (container args of the vendor charts' Deployments, cited). */
export const UPSTREAMS: Upstream[] = [
    {
        // cert-manager chart templates/deployment.yaml: --cluster-resource-namespace=$(POD_NAMESPACE).
        name: "cert-manager-controller",
        build: CERT_MANAGER,
        binary: "cert-manager-controller",
        crd: "certificates.cert-manager.io",
        deployment: certManagerLabels("controller", "cert-manager"),
        ports: 0,
        command: (c) => ({ args: [`--kubeconfig=${c.kubeconfig}`, `--cluster-resource-namespace=${c.namespace}`] }),
    },
    {
        // cert-manager chart templates/webhook-deployment.yaml: --secure-port, --dynamic-serving-* (here: files).
        name: "cert-manager-webhook",
        build: CERT_MANAGER,
        binary: "cert-manager-webhook",
        crd: "certificates.cert-manager.io",
        deployment: certManagerLabels("webhook"),
        ports: 2,
        command: (c) => ({
            args: [
                `--kubeconfig=${c.kubeconfig}`,
                `--secure-port=${c.ports[0]}`,
                `--healthz-port=${c.ports[1]}`,
                `--tls-cert-file=${c.cert.cert}`,
                `--tls-private-key-file=${c.cert.key}`,
            ],
        }),
        webhook: {
            service: (client, ns) => chartService(client, ns, { labels: certManagerLabels("webhook") }),
            port: (c) => c.ports[0],
        },
    },
    {
        // metallb chart templates/controller.yaml: --port, --log-level, METALLB_NAMESPACE, METALLB_POD_NAME (it reads
        // its own pod: internal/k8s/k8s.go), METALLB_ML_SECRET_NAME, METALLB_DEPLOYMENT; the webhook on 9443.
        name: "metallb-controller",
        build: METALLB,
        binary: "metallb-controller",
        crd: "ipaddresspools.metallb.io",
        deployment: { "app.kubernetes.io/name": "metallb", "app.kubernetes.io/component": "controller" },
        ports: 2,
        command: (c) => ({
            args: [
                `--namespace=${c.namespace}`,
                `--port=${c.ports[0]}`,
                `--health-probe-port=${c.ports[1]}`,
                "--log-level=info",
                `--pod-name=${c.pod}`,
                "--ml-secret-name=metallb-memberlist",
                "--deployment=metallb-controller",
                "--disable-cert-rotation",
            ],
            env: { KUBECONFIG: c.kubeconfig, TMPDIR: metallbTmp(c.dir) },
        }),
        webhook: {
            service: (client, ns) => chartService(client, ns, { name: "metallb-webhook-service" }),
            port: () => METALLB_WEBHOOK_PORT,
        },
        prepare: writeMetallbCerts,
    },
    {
        // kube-prometheus-stack templates/prometheus-operator/deployment.yaml: the container's arguments as the chart
        // rendered them (our images, the kubelet Service, the Secret field selector...), only its web server moved to
        // loopback with the sim's certificate. That server also answers the admission webhooks the chart registers
        // for PrometheusRules and AlertmanagerConfigs on the operator's Service (the chart's separate webhook
        // Deployment, admissionWebhooks.deployment.enabled, is off by default).
        name: "prometheus-operator",
        build: PROMETHEUS_OPERATOR,
        binary: "prometheus-operator",
        crd: "prometheuses.monitoring.coreos.com",
        deployment: PROMETHEUS_OPERATOR_LABELS,
        ports: 1,
        command: (c) => ({
            args: [
                ...containerArgs(c.deployment).filter((a) => !/^--web\.(listen-address|cert-file|key-file)=/.test(a)),
                `--web.listen-address=${LOOPBACK}:${c.ports[0]}`,
                `--web.cert-file=${c.cert.cert}`,
                `--web.key-file=${c.cert.key}`,
            ],
            env: { KUBECONFIG: c.kubeconfig },
        }),
        webhook: {
            service: (client, ns) => chartService(client, ns, { labels: PROMETHEUS_OPERATOR_LABELS }),
            port: (c) => c.ports[0],
        },
    },
    ENVOY_GATEWAY_UPSTREAM,
];

/** The arguments of a Deployment's first container. */
function containerArgs(deployment: KubeObject): string[] {
    const spec = deployment.spec as { template?: { spec?: { containers?: { args?: string[] }[] } } } | undefined;
    return spec?.template?.spec?.containers?.[0]?.args ?? [];
}

function metallbTmp(dir: string): string {
    return path.join(dir, "metallb-tmp");
}

/** What MetalLB's certificate rotator would write: the serving files and the chart's webhook Secret. */
async function writeMetallbCerts(client: ApiClient, c: StartContext, log: Log): Promise<void> {
    const certDir = path.join(metallbTmp(c.dir), "k8s-webhook-server", "serving-certs");
    fs.mkdirSync(certDir, { recursive: true });
    fs.copyFileSync(c.cert.cert, path.join(certDir, "tls.crt"));
    fs.copyFileSync(c.cert.key, path.join(certDir, "tls.key"));
    const b64 = (f: string) => fs.readFileSync(f).toString("base64");
    const data = {
        "ca.crt": Buffer.from(c.cert.caPem).toString("base64"),
        "tls.crt": b64(c.cert.cert),
        "tls.key": b64(c.cert.key),
    };
    await client.mergePatch(`/api/v1/namespaces/${c.namespace}/secrets/${METALLB_WEBHOOK_SECRET}`, { data });
    log(`secret ${c.namespace}/${METALLB_WEBHOOK_SECRET}: the webhook's serving certificate`);
}

/** The state of the supervisor across passes. */
export interface UpstreamState {
    /** When each process was last seen exited (for the restart delay). */
    exitedAt: Map<string, number>;
    /** Names whose missing binary was reported. */
    reported: Set<string>;
    /** The ports each controller got at its first start, kept across restarts (the webhook URLs stay valid). */
    ports: Map<string, number[]>;
}

/** A fresh supervisor state. */
export function newUpstreamState(): UpstreamState {
    return { exitedAt: new Map(), reported: new Set(), ports: new Map() };
}

async function established(client: ApiClient, crd: string): Promise<boolean> {
    const obj = await client.get(`/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${crd}`);
    const conditions = (obj?.status?.conditions ?? []) as { type: string; status: string }[];
    return conditions.some((c) => c.type === "Established" && c.status === "True");
}

/** The first object of `collection` (an API list path) with `labels` that is not being deleted. */
async function labelled(client: ApiClient, collection: string, labels: Record<string, string>) {
    const selector = Object.entries(labels)
        .map(([k, v]) => `${k}=${v}`)
        .join(",");
    const list = await client.list(`${collection}?labelSelector=${encodeURIComponent(selector)}`);
    return list.find((d: KubeObject) => !d.metadata.deletionTimestamp);
}

/** The loopback serving certificate of the sim's webhook servers (made once, in the sim's pki folder). */
function servingCert(dir: string, namespace: string, service: string): StartContext["cert"] {
    const pki = path.join(dir, "pki");
    const name = `webhook-${namespace}-${service}`;
    const files = { cert: path.join(pki, `${name}.crt`), key: path.join(pki, `${name}.key`) };
    if (!fs.existsSync(files.cert)) {
        const dns = [service, `${service}.${namespace}`, `${service}.${namespace}.svc`];
        Object.assign(files, createServingCert(pki, name, [`IP:${LOOPBACK}`, ...dns.map((d) => `DNS:${d}`)]));
    }
    return { ...files, caPem: fs.readFileSync(path.join(pki, "ca.crt"), "utf8") };
}

/** Waits until something accepts connections on the loopback `port` (true), or `timeoutMs` passes (false). */
async function listening(port: number, timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
        const ok = await new Promise<boolean>((resolve) => {
            const socket = net.connect(port, LOOPBACK);
            socket.once("connect", () => {
                socket.destroy();
                resolve(true);
            });
            socket.once("error", () => resolve(false));
        });
        if (ok) return true;
        await sleep(200);
    }
    return false;
}

/** How long a started webhook server has to listen before it is registered anyway (and its calls fail). */
export const LISTEN_TIMEOUT_MS = 30_000;

/** Starts (or starts again) one controller when its chart is there; registers its webhook server. */
async function supervise(client: ApiClient, log: Log, dir: string, kubeconfig: string, u: Upstream, s: UpstreamState) {
    const record = readPids(dir).find((r) => r.name === u.name);
    if (record && isRunning(record)) return;
    if (record) {
        const at = s.exitedAt.get(u.name) ?? Date.now();
        if (!s.exitedAt.has(u.name)) {
            s.exitedAt.set(u.name, at);
            log(`${u.name} (pid ${record.pid}) exited; last lines of its log:\n${logTail(record)}`);
        }
        if (Date.now() - at < RESTART_DELAY_MS) return;
    }
    if (!(await established(client, u.crd))) return;
    const deployment = await labelled(client, "/apis/apps/v1/deployments", u.deployment);
    if (!deployment) return;
    const namespace = deployment.metadata.namespace!;
    const pod = await labelled(client, `/api/v1/namespaces/${namespace}/pods`, u.deployment);
    if (!pod) return;
    const binary = upstreamBinary(u.build, u.binary);
    if (!fs.existsSync(binary)) {
        if (!s.reported.has(u.name))
            log(`${u.name}: not built in ${upstreamBinDir(u.build)} (npm run controllers:build)`);
        s.reported.add(u.name);
        return;
    }
    const service = u.webhook ? await u.webhook.service(client, namespace) : undefined;
    const cert = service ? servingCert(dir, service.namespace, service.name) : { cert: "", key: "", caPem: "" };
    const ports = s.ports.get(u.name) ?? (await freePorts(u.ports));
    s.ports.set(u.name, ports);
    const c: StartContext = { dir, kubeconfig, namespace, deployment, pod: pod.metadata.name, ports, cert };
    const { args, env } = u.command(c);
    await u.prepare?.(client, c, log);
    const argv = [binary, ...args];
    const started = startProcess(dir, u.name, u.launch ? u.launch(c, argv) : argv, { env, runs: argv });
    s.exitedAt.delete(u.name);
    log(`${u.name} ${u.build.version} started (pid ${started.pid}) for namespace ${namespace}`);
    if (service && u.webhook) {
        const port = u.webhook.port(c);
        // Registered once it listens, so that no call is routed to a port nothing answers yet.
        if (!(await listening(port, LISTEN_TIMEOUT_MS))) log(`${u.name}: nothing listens on ${port} yet`);
        const url = `https://${LOOPBACK}:${port}`;
        await registerLoopbackEndpoint(client, service, { url, caPem: cert.caPem });
        log(`${u.name}: webhook server of service ${service.namespace}/${service.name}:${service.port} on ${url}`);
    }
}

/** The supervisor's part of a reconcile pass: every upstream controller whose chart is installed runs. */
export async function reconcileUpstream(
    client: ApiClient,
    log: Log,
    dir: string,
    kubeconfig: string,
    state: UpstreamState,
): Promise<void> {
    for (const u of UPSTREAMS) await supervise(client, log, dir, kubeconfig, u, state);
}
