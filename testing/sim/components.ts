/**
 * Command lines and config files of the sim's components (etcd, kube-apiserver, kube-controller-manager,
 * kube-scheduler, kwok, the stand-in controller). Pure functions of the layout and ports, so they can be checked
 * without starting anything.
 */
import * as path from "node:path";
import { pathToFileURL } from "node:url";
import { stringify as toYaml } from "yaml";
import { FRONT_PROXY_CLIENT, type Pki } from "./certs";
import { KWOK_ANNOTATION, KWOK_ANNOTATION_VALUE } from "./nodes";
import { LOOPBACK } from "./ports";

/** Service ClusterIPs come from here; its first address is the `kubernetes` Service (in the serving cert). */
export const SERVICE_CIDR = "10.96.0.0/16";
/** The `kubernetes` Service's address. */
export const FIRST_SERVICE_IP = "10.96.0.1";
/** Pod IPs (each node gets a /24 of it as podCIDR). */
export const POD_CIDR = "10.244.0.0/16";
/** The address kwok falls back to for a node without InternalIP. */
export const FALLBACK_NODE_IP = "10.88.0.1";
/** How long a node lease lasts; kwok renews it every quarter of that. */
export const NODE_LEASE_SECONDS = 40;

/** The ports of one sim, all found free at start. */
export interface SimPorts {
    etcdClient: number;
    etcdPeer: number;
    apiserver: number;
    controllerManager: number;
    scheduler: number;
}

/** Where everything of one sim lives, all under its directory. */
export interface SimLayout {
    dir: string;
    pki: string;
    etcdData: string;
    /** The admin kubeconfig (context `sim`). */
    kubeconfig: string;
    /** Per-component kubeconfigs. */
    kubeconfigs: { controllerManager: string; scheduler: string; kwok: string };
    schedulerConfig: string;
    /** The API server's AdmissionConfiguration (written only when the sim has a Pod Security default). */
    admissionConfig: string;
    kwokWorkdir: string;
    /** The state file: also marks the directory as a sim's (stopSim removes only such directories). */
    state: string;
}

/** The layout of a sim directory (absolute paths). */
export function simLayout(dir: string): SimLayout {
    const d = path.resolve(dir);
    return {
        dir: d,
        pki: path.join(d, "pki"),
        etcdData: path.join(d, "etcd"),
        kubeconfig: path.join(d, "kubeconfig"),
        kubeconfigs: {
            controllerManager: path.join(d, "kubeconfigs", "controller-manager.kubeconfig"),
            scheduler: path.join(d, "kubeconfigs", "scheduler.kubeconfig"),
            kwok: path.join(d, "kubeconfigs", "kwok.kubeconfig"),
        },
        schedulerConfig: path.join(d, "scheduler-config.yaml"),
        admissionConfig: path.join(d, "admission-config.yaml"),
        kwokWorkdir: path.join(d, "kwok"),
        state: path.join(d, "sim.json"),
    };
}

/** The URL of the API server. */
export function apiserverUrl(ports: SimPorts): string {
    return `https://${LOOPBACK}:${ports.apiserver}`;
}

/** etcd: single member on loopback, no fsync (a throwaway test store). */
export function etcdArgs(bin: string, l: SimLayout, p: SimPorts): string[] {
    const client = `http://${LOOPBACK}:${p.etcdClient}`;
    const peer = `http://${LOOPBACK}:${p.etcdPeer}`;
    return [
        path.join(bin, "etcd"),
        "--name=sim",
        `--data-dir=${l.etcdData}`,
        `--listen-client-urls=${client}`,
        `--advertise-client-urls=${client}`,
        `--listen-peer-urls=${peer}`,
        `--initial-advertise-peer-urls=${peer}`,
        `--initial-cluster=sim=${peer}`,
        "--initial-cluster-state=new",
        "--unsafe-no-fsync=true",
        "--auto-compaction-retention=1",
        "--log-level=warn",
    ];
}

/** A Pod Security Standard level. */
export type PodSecurityLevel = "privileged" | "baseline" | "restricted";

/**
 * The API server's AdmissionConfiguration with a cluster-wide Pod Security default: what a namespace without a
 * `pod-security.kubernetes.io/enforce` label gets (Kubernetes' own default is `privileged`; hardened distributions
 * set `baseline` or `restricted`). kube-system is exempt, as those distributions leave it.
 */
export function admissionConfig(level: PodSecurityLevel): string {
    return toYaml({
        apiVersion: "apiserver.config.k8s.io/v1",
        kind: "AdmissionConfiguration",
        plugins: [
            {
                name: "PodSecurity",
                configuration: {
                    apiVersion: "pod-security.admission.config.k8s.io/v1",
                    kind: "PodSecurityConfiguration",
                    defaults: { enforce: level, "enforce-version": "latest" },
                    exemptions: { usernames: [], runtimeClasses: [], namespaces: ["kube-system"] },
                },
            },
        ],
    });
}

/**
 * kube-apiserver: TLS with client-certificate auth, Node+RBAC authorisation, service-account tokens; with
 * `admission`, the AdmissionConfiguration file written from {@link admissionConfig}.
 */
export function apiserverArgs(bin: string, l: SimLayout, pki: Pki, p: SimPorts, admission = false): string[] {
    return [
        path.join(bin, "kube-apiserver"),
        `--etcd-servers=http://${LOOPBACK}:${p.etcdClient}`,
        `--bind-address=${LOOPBACK}`,
        `--advertise-address=${LOOPBACK}`,
        `--secure-port=${p.apiserver}`,
        `--cert-dir=${path.join(l.pki, "apiserver-generated")}`,
        `--tls-cert-file=${pki.apiserver.cert}`,
        `--tls-private-key-file=${pki.apiserver.key}`,
        `--client-ca-file=${pki.ca.cert}`,
        `--requestheader-client-ca-file=${pki.frontProxyCa.cert}`,
        `--requestheader-allowed-names=${FRONT_PROXY_CLIENT}`,
        "--requestheader-username-headers=X-Remote-User",
        "--requestheader-group-headers=X-Remote-Group",
        "--requestheader-extra-headers-prefix=X-Remote-Extra-",
        `--proxy-client-cert-file=${pki.frontProxyClient.cert}`,
        `--proxy-client-key-file=${pki.frontProxyClient.key}`,
        "--authorization-mode=Node,RBAC",
        "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
        `--service-account-key-file=${pki.serviceAccountPub}`,
        `--service-account-signing-key-file=${pki.serviceAccountKey}`,
        `--service-cluster-ip-range=${SERVICE_CIDR}`,
        "--allow-privileged=true",
        "--endpoint-reconciler-type=none",
        "--profiling=false",
        ...(admission ? [`--admission-control-config-file=${l.admissionConfig}`] : []),
        "--v=1",
    ];
}

/** kube-controller-manager: every default controller, one service account each, signing with the sim's CA. */
export function controllerManagerArgs(bin: string, l: SimLayout, pki: Pki, p: SimPorts): string[] {
    const kc = l.kubeconfigs.controllerManager;
    return [
        path.join(bin, "kube-controller-manager"),
        `--kubeconfig=${kc}`,
        `--authentication-kubeconfig=${kc}`,
        `--authorization-kubeconfig=${kc}`,
        `--bind-address=${LOOPBACK}`,
        `--secure-port=${p.controllerManager}`,
        `--cert-dir=${path.join(l.pki, "controller-manager-generated")}`,
        "--leader-elect=false",
        "--use-service-account-credentials=true",
        `--root-ca-file=${pki.ca.cert}`,
        `--service-account-private-key-file=${pki.serviceAccountKey}`,
        `--cluster-signing-cert-file=${pki.ca.cert}`,
        `--cluster-signing-key-file=${pki.ca.key}`,
        "--cluster-name=sim",
        "--kube-api-qps=100",
        "--kube-api-burst=200",
        "--profiling=false",
        "--v=1",
    ];
}

/**
 * The scheduler's configuration: no leader election, and no volume plugins that wait for PVCs to bind
 * (VolumeBinding; VolumeZone also refuses pods with unbound Immediate claims): the sim has no CSI driver.
 */
export function schedulerConfig(l: SimLayout): string {
    return toYaml({
        apiVersion: "kubescheduler.config.k8s.io/v1",
        kind: "KubeSchedulerConfiguration",
        clientConnection: { kubeconfig: l.kubeconfigs.scheduler, qps: 100, burst: 200 },
        leaderElection: { leaderElect: false },
        enableProfiling: false,
        profiles: [
            {
                schedulerName: "default-scheduler",
                plugins: { multiPoint: { disabled: [{ name: "VolumeBinding" }, { name: "VolumeZone" }] } },
            },
        ],
    });
}

/** kube-scheduler with the config above. */
export function schedulerArgs(bin: string, l: SimLayout, p: SimPorts): string[] {
    const kc = l.kubeconfigs.scheduler;
    return [
        path.join(bin, "kube-scheduler"),
        `--config=${l.schedulerConfig}`,
        `--authentication-kubeconfig=${kc}`,
        `--authorization-kubeconfig=${kc}`,
        `--bind-address=${LOOPBACK}`,
        `--secure-port=${p.scheduler}`,
        `--cert-dir=${path.join(l.pki, "scheduler-generated")}`,
        "--v=1",
    ];
}

/** The sim's kwok Stage files (shipped in sim/stages). */
export function stageFiles(): string[] {
    return ["node.yaml", "pod.yaml"].map((f) => path.join(__dirname, "stages", f));
}

/** kwok: manages only the annotated nodes, renews their leases, plays the sim's stages. */
export function kwokArgs(bin: string, l: SimLayout): string[] {
    return [
        path.join(bin, "kwok"),
        `--kubeconfig=${l.kubeconfigs.kwok}`,
        ...stageFiles().map((f) => `--config=${f}`),
        "--manage-all-nodes=false",
        `--manage-nodes-with-annotation-selector=${KWOK_ANNOTATION}=${KWOK_ANNOTATION_VALUE}`,
        `--node-lease-duration-seconds=${NODE_LEASE_SECONDS}`,
        `--cidr=${POD_CIDR}`,
        `--node-ip=${FALLBACK_NODE_IP}`,
    ];
}

/** The environment kwok runs with: its work directory inside the sim, so no ~/.kwok/kwok.yaml is read. */
export function kwokEnv(l: SimLayout): Record<string, string> {
    return { KWOK_WORKDIR: l.kwokWorkdir };
}

/**
 * The stand-in controller (testing/sim/controller.ts) under Node with tsx, talking as admin; it also starts the
 * upstream controllers (testing/sim/upstream.ts) as processes of the sim in its directory.
 */
export function controllerArgs(l: SimLayout): string[] {
    const tsx = pathToFileURL(require.resolve("tsx")).href;
    const script = path.join(__dirname, "controller.ts");
    return [process.execPath, "--import", tsx, script, "--kubeconfig", l.kubeconfig, "--dir", l.dir];
}
