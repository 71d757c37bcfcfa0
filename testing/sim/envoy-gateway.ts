/**
 * Envoy Gateway's real controller v1.9.0 as a process of the sim (started by testing/sim/upstream.ts once the
 * gateway-helm chart is in; built by `npm run controllers:build` from testing/controllers/envoy-gateway): it reads the
 * Gateway API objects, writes their status, creates the Envoy proxies' Deployment and Service (kwok runs the pods,
 * MetalLB's real controller gives the Service its address), translates the routes to xDS and serves them, and answers
 * the chart's topology-injector webhook on loopback.
 *
 * It runs with the EnvoyGateway config the chart's ConfigMap `envoy-gateway-config` holds, and the environment and
 * files its Deployment gives it (gateway-helm v1.9.0 templates/envoy-gateway-deployment.yaml), changed only where a
 * process beside others differs from a container in a pod of its own:
 * - its `certs` volume (Secret `envoy-gateway` at /certs, a path upstream fixes in code: internal/xds/runner/runner.go
 *   `xdsTLSCertFilepath`, internal/provider/kubernetes/kubernetes.go `webhookTLSCertDir`) is mounted there in a mount
 *   namespace of its own ({@link launch}), and /var/lib/eg/wasm (its wasm-cache volume) is an empty directory there;
 * - the kubeconfig is the sim's (`KUBECONFIG`), not the pod's service account;
 * - the admin server listens on a free loopback port (config `admin.address`), the webhook server and the health probe
 *   on free ports too (fixed in code upstream; set by testing/controllers/envoy-gateway/server/main.go) since MetalLB's
 *   controller also serves on 9443. The xDS server (18000) and the metrics server (19001) keep upstream's fixed ports
 *   on all addresses, which in the tests' loopback-only network namespace means loopback.
 * - The chart's certgen hook Job creates the controller's certificates (internal/cmd/certgen.go@v1.9.0 writes the
 *   Secrets of internal/provider/kubernetes/secrets.go `CertsToSecret`, when they are missing); under kwok its pod
 *   runs nothing, so the sim creates those Secrets the same way, signed by the sim's CA and with the webhook server's
 *   loopback certificate as the controller's own.
 */
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import YAML from "yaml";
import type { ApiClient } from "../../lib/kube-api";
import { ENVOY_GATEWAY } from "../controllers-paths";
import { createClientCert } from "./certs";
import type { Log } from "./log";
import { LOOPBACK } from "./ports";
import type { StartContext, Upstream } from "./upstream";

/** The chart's ConfigMap with the controller's EnvoyGateway config (key `envoy-gateway.yaml`). */
export const EG_CONFIGMAP = "envoy-gateway-config";
/** The chart's Service of the controller (xDS, webhook, metrics). */
export const EG_SERVICE = "envoy-gateway";
/** The Service port the chart's topology-injector webhook calls (templates/envoy-proxy-topology-injector-webhook.yaml). */
export const EG_WEBHOOK_SERVICE_PORT = 9443;
/** The xDS server's port (internal/xds/bootstrap/bootstrap.go@v1.9.0 `DefaultXdsServerPort`). */
export const EG_XDS_PORT = 18000;
/** The chart's `kubernetesClusterDomain` default (values.yaml), passed as KUBERNETES_CLUSTER_DOMAIN. */
const CLUSTER_DOMAIN = "cluster.local";

/** The Secrets certgen makes (internal/provider/kubernetes/secrets.go@v1.9.0 `CertsToSecret`). */
export const EG_SECRETS = {
    controller: "envoy-gateway",
    proxy: "envoy",
    rateLimit: "envoy-rate-limit",
    hmac: "envoy-oidc-hmac",
};

/** The controller's folder in the sim's directory. */
function egDir(simDir: string): string {
    return path.join(simDir, "envoy-gateway");
}

/**
 * The chart's EnvoyGateway config with the one field a process beside others must change: the admin server on a
 * loopback port of its own (upstream's default is 127.0.0.1:19000, one fixed port per machine).
 */
export function simEnvoyGatewayConfig(chartConfig: string, adminPort: number): string {
    const eg = YAML.parse(chartConfig) as Record<string, unknown> & { provider?: { type?: string } };
    if (eg?.kind !== "EnvoyGateway" || eg.provider?.type !== "Kubernetes") {
        throw new Error(`${EG_CONFIGMAP}: not an EnvoyGateway config with provider Kubernetes`);
    }
    const admin = (eg.admin ?? {}) as Record<string, unknown>;
    return YAML.stringify({ ...eg, admin: { ...admin, address: { host: LOOPBACK, port: adminPort } } });
}

const b64 = (s: string | Buffer) => Buffer.from(s).toString("base64");

/** What certgen does when the Secrets are missing: the controller's, the proxies' and rate limit's certificates, the HMAC. */
async function certgen(client: ApiClient, c: StartContext, log: Log): Promise<void> {
    const secrets = `/api/v1/namespaces/${c.namespace}/secrets`;
    const ca = b64(c.cert.caPem);
    const pki = path.join(c.dir, "pki");
    const tls = (name: string, files: { cert: string; key: string }) => ({
        metadata: { name, namespace: c.namespace, labels: { "control-plane": "envoy-gateway" } },
        type: "kubernetes.io/tls",
        data: { "ca.crt": ca, "tls.crt": b64(fs.readFileSync(files.cert)), "tls.key": b64(fs.readFileSync(files.key)) },
    });
    const wanted = [
        () => tls(EG_SECRETS.controller, c.cert),
        () => tls(EG_SECRETS.proxy, createClientCert(pki, `eg-${c.namespace}-envoy`, "envoy")),
        () => tls(EG_SECRETS.rateLimit, createClientCert(pki, `eg-${c.namespace}-rate-limit`, "envoy-rate-limit")),
        () => ({
            metadata: { name: EG_SECRETS.hmac, namespace: c.namespace, labels: { "control-plane": "envoy-gateway" } },
            type: "Opaque",
            data: { "hmac-secret": b64(crypto.randomBytes(32)) },
        }),
    ];
    for (const make of wanted) {
        const secret = make();
        if (await client.get(`${secrets}/${secret.metadata.name}`)) continue;
        await client.create(secrets, secret, true);
        log(`secret ${c.namespace}/${secret.metadata.name}: made as the chart's certgen Job would`);
    }
}

/** Before each start: certgen's Secrets, the `certs` volume's files, the config file. */
async function prepare(client: ApiClient, c: StartContext, log: Log): Promise<void> {
    await certgen(client, c, log);
    const secret = await client.get(`/api/v1/namespaces/${c.namespace}/secrets/${EG_SECRETS.controller}`);
    const certs = path.join(egDir(c.dir), "certs");
    fs.mkdirSync(certs, { recursive: true, mode: 0o700 });
    for (const [k, v] of Object.entries((secret?.data ?? {}) as Record<string, string>)) {
        fs.writeFileSync(path.join(certs, k), Buffer.from(v, "base64"), { mode: 0o600 });
    }
    const cm = await client.get(`/api/v1/namespaces/${c.namespace}/configmaps/${EG_CONFIGMAP}`);
    const chartConfig = (cm?.data as Record<string, string> | undefined)?.["envoy-gateway.yaml"];
    if (!chartConfig) throw new Error(`ConfigMap ${c.namespace}/${EG_CONFIGMAP} has no envoy-gateway.yaml yet`);
    fs.writeFileSync(path.join(egDir(c.dir), "envoy-gateway.yaml"), simEnvoyGatewayConfig(chartConfig, c.ports[2]));
}

/**
 * Runs `argv` as the container would see its volumes: in a mount namespace of its own (private: nothing leaks out,
 * and it ends with the process) whose root is a tmpfs holding bind mounts of the machine's top-level folders, plus
 * /certs (the sim's copy of the Secret) and an empty /var/lib/eg/wasm. The shell execs each step, so the recorded
 * pid is the controller's. As root `unshare -m`; otherwise with a user namespace (`-rm`).
 */
export const LAUNCH_SCRIPT = [
    "set -e",
    'r=$1 certs=$2; shift 2; mount -t tmpfs sim-root "$r"',
    "for e in /*; do",
    '  n=${e#/}; case "$n" in certs | var) continue ;; esac',
    '  if [ -L "$e" ]; then ln -s "$(readlink "$e")" "$r/$n"; elif [ -d "$e" ]; then mkdir "$r/$n"; mount --rbind "$e" "$r/$n"; fi',
    "done",
    'mkdir -p "$r/certs" "$r/var/lib/eg/wasm"; mount --bind "$certs" "$r/certs"',
    `exec chroot "$r" sh -c 'cd "$0" && exec "$@"' "$PWD" "$@"`,
].join("\n");

export function launch(c: StartContext, argv: string[]): string[] {
    const root = path.join(egDir(c.dir), "root");
    fs.mkdirSync(root, { recursive: true });
    const flags = process.getuid?.() === 0 ? ["-m"] : ["-rm"];
    return [
        "unshare",
        ...flags,
        "--",
        "sh",
        "-c",
        LAUNCH_SCRIPT,
        "eg-launch",
        root,
        path.join(egDir(c.dir), "certs"),
        ...argv,
    ];
}

/** The controller as the sim runs it (see the file comment). */
export const ENVOY_GATEWAY_UPSTREAM: Upstream = {
    name: "envoy-gateway",
    build: ENVOY_GATEWAY,
    binary: "envoy-gateway",
    crd: "envoyproxies.gateway.envoyproxy.io",
    deployment: { "control-plane": "envoy-gateway" },
    // Webhook server, health probe, admin server.
    ports: 3,
    command: (c) => ({
        args: ["server", `--config-path=${path.join(egDir(c.dir), "envoy-gateway.yaml")}`],
        env: {
            KUBECONFIG: c.kubeconfig,
            ENVOY_GATEWAY_NAMESPACE: c.namespace,
            KUBERNETES_CLUSTER_DOMAIN: CLUSTER_DOMAIN,
            EG_SIM_WEBHOOK_PORT: String(c.ports[0]),
            EG_SIM_HEALTH_PROBE_ADDRESS: `${LOOPBACK}:${c.ports[1]}`,
        },
    }),
    launch,
    webhook: {
        service: async (_client, namespace) => ({ namespace, name: EG_SERVICE, port: EG_WEBHOOK_SERVICE_PORT }),
        port: (c) => c.ports[0],
    },
    prepare,
};
