/**
 * Stands in for what a real cluster runs but the sim does not: the Rook operator (Ceph CR status, held to Rook's rules
 * in testing/sim/rook.ts, and, after an armed CephCluster is deleted, its cleanup Jobs), a CSI provisioner (PVs for
 * PVCs, but for the drivers whose real csi-provisioner runs: testing/sim/csi.ts), an ingress / load-balancer controller (loopback addresses, unless MetalLB is installed), the disk check
 * containers (testing/sim/preflight.ts) and the routing of webhook calls to loopback servers (testing/sim/webhooks.ts);
 * and it starts the real upstream controllers of the add-ons (cert-manager, MetalLB, prometheus-operator, Envoy
 * Gateway: testing/sim/upstream.ts) once their charts are in. Polls the API once a
 * second. Kept out of kwok because kwok reads its Stage files once at start-up and fails on a kind whose CRD does
 * not exist yet (the Rook CRDs arrive later, with the chart), and because a Stage selector cannot compare two
 * fields (generation vs observedGeneration).
 *
 * Run as a process by `startSim` (`node --import tsx testing/sim/controller.ts --kubeconfig <file> --dir <sim>`); the reconcile
 * functions are exported for tests.
 */
import { parseArgs } from "node:util";
import { ApiClient, type KubeObject } from "../../lib/kube-api";
import { reconcileAistore } from "./aistore";
import { startAistoreWebhook } from "./aistore-webhook";
import { reconcilePreflight } from "./preflight";
import { reconcileStartupApiCheck } from "./startupapicheck";
import { CSI_LEASE_NAMESPACE, provisionerLease } from "./csi";
import { cleanupArmed, reconcileCeph, ROOK_GROUP } from "./rook";
import type { Log } from "./log";
import { newUpstreamState, reconcileUpstream, type UpstreamState } from "./upstream";
import { reconcileWebhooks } from "./webhooks";

/** The provisioner whose StorageClasses mean "pre-made local volumes, nobody provisions". */
export const NO_PROVISIONER = "kubernetes.io/no-provisioner";
/** The label on every PV the sim provisions (only those are ever deleted). */
export const PROVISIONED_LABEL = "sim.aihub-airgap/provisioned";
/** The address Ingresses and LoadBalancer Services get. */
export const LOOPBACK_IP = "127.0.0.1";

/** Writes one line per action or error. */

/** The API path of a namespaced or cluster-scoped object. */
function objectPath(base: string, plural: string, obj: KubeObject): string {
    const ns = obj.metadata.namespace ? `/namespaces/${obj.metadata.namespace}` : "";
    return `${base}${ns}/${plural}/${obj.metadata.name}`;
}

/** The ServiceAccount Rook's cleanup Jobs run as (created by the rook-ceph chart). */
export const CLEANUP_SERVICE_ACCOUNT = "rook-ceph-default";
/** How long after an armed CephCluster is gone its cleanup Jobs start (Rook first waits for its daemons to stop). */
export const CLEANUP_DELAY_MS = 3000;

/** Rook's cleanup Job for one node, as Rook names and labels it; kwok completes its pod. */
export function cleanupJob(namespace: string, node: string, image: string): KubeObject {
    const labels = { app: "rook-ceph-cleanup", "rook-ceph-cleanup": "true", rook_cluster: namespace };
    return {
        apiVersion: "batch/v1",
        kind: "Job",
        metadata: { name: `cluster-cleanup-job-${node}`, namespace, labels },
        spec: {
            backoffLimit: 6,
            template: {
                metadata: { labels },
                spec: {
                    serviceAccountName: CLEANUP_SERVICE_ACCOUNT,
                    nodeSelector: { "kubernetes.io/hostname": node },
                    restartPolicy: "OnFailure",
                    containers: [{ name: "host-cleanup", image, args: ["ceph", "clean"] }],
                },
            },
        },
    };
}

/** Armed CephClusters seen alive (by namespace/name, with their image), and when a gone one's Jobs are due. */
export interface CleanupState {
    armed: Map<string, { namespace: string; image: string }>;
    due: Map<string, number>;
}

/** A fresh {@link CleanupState}. */
export function newCleanupState(): CleanupState {
    return { armed: new Map(), due: new Map() };
}

/**
 * Rook's cleanup: once an armed CephCluster (cleanupPolicy confirmed) is gone, after {@link CLEANUP_DELAY_MS}, one
 * cleanup Job per worker node, as the `rook-ceph-default` ServiceAccount. If that account or the namespace is gone by
 * then, the Jobs cannot run — what happens on a real cluster when the operator is deleted too early.
 */
export async function reconcileCleanup(
    client: ApiClient,
    log: Log,
    state: CleanupState,
    now = Date.now(),
): Promise<void> {
    const alive = new Set<string>();
    for (const c of await client.list(`/apis/${ROOK_GROUP}/v1/cephclusters`)) {
        const key = `${c.metadata.namespace}/${c.metadata.name}`;
        alive.add(key);
        const image = String((c.spec?.cephVersion as { image?: string } | undefined)?.image ?? "");
        if (cleanupArmed(c)) state.armed.set(key, { namespace: c.metadata.namespace ?? "", image });
        else state.armed.delete(key);
    }
    for (const [key, cluster] of state.armed) {
        if (alive.has(key)) continue;
        const due = state.due.get(key);
        if (due === undefined) {
            state.due.set(key, now + CLEANUP_DELAY_MS);
            continue;
        }
        if (now < due) continue;
        state.armed.delete(key);
        state.due.delete(key);
        const workers = (await client.list("/api/v1/nodes")).filter(
            (n) => n.metadata.labels?.["node-role.kubernetes.io/control-plane"] === undefined,
        );
        for (const n of workers) {
            const job = cleanupJob(cluster.namespace, n.metadata.name, cluster.image);
            await client.create(`/apis/batch/v1/namespaces/${cluster.namespace}/jobs`, job, true);
            log(
                `cleanup job ${cluster.namespace}/${job.metadata.name} created (CephCluster ${key} gone, cleanup armed)`,
            );
        }
    }
}

/** A StorageClass's fields the provisioner needs. */
interface ClassInfo {
    provisioner: string;
    reclaimPolicy: string;
}

/** The PV a CSI provisioner would create for a claim: same size, modes and class, pre-bound to the claim. */
export function volumeFor(pvc: KubeObject, cls: ClassInfo, className: string): KubeObject {
    const spec = pvc.spec as {
        accessModes?: string[];
        volumeMode?: string;
        resources?: { requests?: { storage?: string } };
    };
    const uid = pvc.metadata.uid ?? "";
    return {
        apiVersion: "v1",
        kind: "PersistentVolume",
        metadata: {
            name: `pvc-${uid}`,
            labels: { [PROVISIONED_LABEL]: "true" },
            annotations: { "pv.kubernetes.io/provisioned-by": cls.provisioner },
        },
        spec: {
            capacity: { storage: spec.resources?.requests?.storage ?? "1Gi" },
            accessModes: spec.accessModes?.length ? spec.accessModes : ["ReadWriteOnce"],
            volumeMode: spec.volumeMode ?? "Filesystem",
            storageClassName: className,
            persistentVolumeReclaimPolicy: cls.reclaimPolicy,
            claimRef: {
                apiVersion: "v1",
                kind: "PersistentVolumeClaim",
                namespace: pvc.metadata.namespace,
                name: pvc.metadata.name,
                uid,
            },
            csi: { driver: cls.provisioner, volumeHandle: `sim-${uid}`, fsType: "ext4" },
        },
    };
}

/**
 * The CSI provisioner's part: a Pending claim (no selector) whose StorageClass has a real provisioner gets a PV
 * pre-bound to it, which the PV controller then binds (also for WaitForFirstConsumer classes, since the sim's
 * scheduler does no volume binding). A provisioned PV with reclaim policy Delete is deleted once Released. A driver
 * whose real csi-provisioner holds its Lease (testing/sim/csi.ts) is left to it.
 */
export async function reconcileVolumes(client: ApiClient, log: Log): Promise<void> {
    const real = new Set(
        (await client.list(`/apis/coordination.k8s.io/v1/namespaces/${CSI_LEASE_NAMESPACE}/leases`))
            .filter((l) => (l.spec as { holderIdentity?: string } | undefined)?.holderIdentity)
            .map((l) => l.metadata.name),
    );
    const classes = new Map<string, ClassInfo>();
    for (const sc of await client.list("/apis/storage.k8s.io/v1/storageclasses")) {
        const provisioner = String(sc.provisioner ?? "");
        classes.set(sc.metadata.name, { provisioner, reclaimPolicy: String(sc.reclaimPolicy ?? "Delete") });
    }
    for (const pvc of await client.list("/api/v1/persistentvolumeclaims")) {
        const spec = (pvc.spec ?? {}) as { storageClassName?: string; volumeName?: string; selector?: unknown };
        if (pvc.status?.phase !== "Pending" || spec.volumeName || spec.selector || pvc.metadata.deletionTimestamp) {
            continue;
        }
        const cls = spec.storageClassName ? classes.get(spec.storageClassName) : undefined;
        if (!cls || !spec.storageClassName || !cls.provisioner || cls.provisioner === NO_PROVISIONER) continue;
        if (real.has(provisionerLease(cls.provisioner))) continue;
        const pv = volumeFor(pvc, cls, spec.storageClassName);
        if (await client.create("/api/v1/persistentvolumes", pv, true)) {
            log(
                `provisioned ${pv.metadata.name} for ${pvc.metadata.namespace}/${pvc.metadata.name} (${cls.provisioner})`,
            );
        }
    }
    const provisioned = await client.list(`/api/v1/persistentvolumes?labelSelector=${PROVISIONED_LABEL}%3Dtrue`);
    for (const pv of provisioned) {
        const phase = pv.status?.phase;
        if ((phase !== "Released" && phase !== "Failed") || pv.spec?.persistentVolumeReclaimPolicy !== "Delete")
            continue;
        if (pv.metadata.deletionTimestamp) continue;
        await client.delete(`/api/v1/persistentvolumes/${pv.metadata.name}`);
        log(`deleted ${pv.metadata.name} (claim gone, reclaim policy Delete)`);
    }
}

/** True when the object's status already carries the loopback load-balancer address. */
function hasLoopbackAddress(obj: KubeObject): boolean {
    const lb = obj.status?.loadBalancer as { ingress?: { ip?: string }[] } | undefined;
    return lb?.ingress?.length === 1 && lb.ingress[0].ip === LOOPBACK_IP;
}

/** True when a Service already has an address. */
function hasAddress(svc: KubeObject): boolean {
    const lb = svc.status?.loadBalancer as { ingress?: { ip?: string }[] } | undefined;
    return (lb?.ingress?.length ?? 0) > 0;
}

/** MetalLB's pool CRD: once it exists, the real MetalLB controller (testing/sim/upstream.ts) owns LoadBalancer Services. */
export const METALLB_POOL_CRD = "ipaddresspools.metallb.io";

/**
 * The ingress / load-balancer controller's part: Ingresses get 127.0.0.1, and so do LoadBalancer Services while
 * MetalLB is not installed (with it, MetalLB's own controller assigns them, as on a cluster with no other one).
 */
export async function reconcileLoadBalancers(client: ApiClient, log: Log): Promise<void> {
    const status = { status: { loadBalancer: { ingress: [{ ip: LOOPBACK_IP }] } } };
    for (const ing of await client.list("/apis/networking.k8s.io/v1/ingresses")) {
        if (hasLoopbackAddress(ing) || ing.metadata.deletionTimestamp) continue;
        await client.mergePatch(objectPath("/apis/networking.k8s.io/v1", "ingresses", ing) + "/status", status);
        log(`ingress ${ing.metadata.namespace}/${ing.metadata.name}: ${LOOPBACK_IP}`);
    }
    if (await client.get(`/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${METALLB_POOL_CRD}`)) return;
    for (const svc of await client.list("/api/v1/services")) {
        if (svc.spec?.type !== "LoadBalancer" || hasAddress(svc) || svc.metadata.deletionTimestamp) continue;
        await client.mergePatch(objectPath("/api/v1", "services", svc) + "/status", status);
        log(`service ${svc.metadata.namespace}/${svc.metadata.name}: ${LOOPBACK_IP}`);
    }
}

/** Where the upstream controllers run (testing/sim/upstream.ts): the sim's directory and kubeconfig. */
export interface UpstreamRun {
    dir: string;
    kubeconfig: string;
    state: UpstreamState;
}

/** One pass of every part; a failing part is logged (once per distinct message) and does not stop the others. */
export async function reconcileOnce(
    client: ApiClient,
    log: Log,
    lastErrors = new Map<string, string>(),
    cleanup = newCleanupState(),
    upstream?: UpstreamRun,
): Promise<void> {
    const parts: [string, (c: ApiClient, l: Log) => Promise<void>][] = [
        ["ceph", reconcileCeph],
        ["ceph cleanup", (c, l) => reconcileCleanup(c, l, cleanup)],
        ["volumes", reconcileVolumes],
        ["upstream controllers", (c, l) => reconcileUpstreamIn(c, l, upstream)],
        ["load balancers", reconcileLoadBalancers],
        ["disk preflight", reconcilePreflight],
        ["cert-manager startupapicheck", reconcileStartupApiCheck],
        ["aistore", reconcileAistore],
    ];
    for (const [name, part] of parts) await runPart(client, log, lastErrors, name, part);
}

/** Runs one part; a failure is logged once per distinct message (`lastErrors`: the last one of each part). */
async function runPart(
    client: ApiClient,
    log: Log,
    lastErrors: Map<string, string>,
    name: string,
    part: (c: ApiClient, l: Log) => Promise<void>,
): Promise<void> {
    try {
        await part(client, log);
        lastErrors.delete(name);
    } catch (e) {
        const message = (e as Error).message;
        if (lastErrors.get(name) !== message) log(`${name}: ${message}`);
        lastErrors.set(name, message);
    }
}

/** The upstream controllers' part, when the controller knows the sim's directory. */
async function reconcileUpstreamIn(client: ApiClient, log: Log, upstream: UpstreamRun | undefined): Promise<void> {
    if (upstream) await reconcileUpstream(client, log, upstream.dir, upstream.kubeconfig, upstream.state);
}

/** Runs `pass` every `intervalMs` (at least 100 ms apart) until `signal` aborts. */
async function every(intervalMs: number, signal: AbortSignal, pass: () => Promise<void>): Promise<void> {
    while (!signal.aborted) {
        const started = Date.now();
        await pass();
        const wait = Math.max(100, intervalMs - (Date.now() - started));
        await new Promise<void>((resolve) => {
            const onAbort = () => {
                clearTimeout(timer);
                resolve();
            };
            const timer = setTimeout(() => {
                signal.removeEventListener("abort", onAbort);
                resolve();
            }, wait);
            signal.addEventListener("abort", onAbort, { once: true });
        });
    }
}

/**
 * How often webhook calls are routed to the loopback servers (testing/sim/webhooks.ts), apart from the other parts:
 * on a cluster a webhook answers once its pod serves, which a chart's install waits for; here it answers once this
 * routing has seen its configuration, and with the other parts' pass (1 s and more) a program that creates an object
 * right after the install (the AIStore after the AIS operator's release) could beat it.
 */
const WEBHOOK_ROUTING_MS = 200;

/**
 * Reconciles every `intervalMs` until `signal` aborts, and routes webhooks every {@link WEBHOOK_ROUTING_MS}; with
 * `dir`, also runs the upstream controllers there.
 */
export async function runController(
    client: ApiClient,
    log: Log,
    signal: AbortSignal,
    intervalMs = 1000,
    upstream?: { dir: string; kubeconfig: string },
): Promise<void> {
    const lastErrors = new Map<string, string>();
    const cleanup = newCleanupState();
    const run = upstream && { ...upstream, state: newUpstreamState() };
    await Promise.all([
        every(intervalMs, signal, () => reconcileOnce(client, log, lastErrors, cleanup, run)),
        every(WEBHOOK_ROUTING_MS, signal, () => runPart(client, log, lastErrors, "webhooks", reconcileWebhooks)),
    ]);
}

if (require.main === module) {
    const { values } = parseArgs({ options: { kubeconfig: { type: "string" }, dir: { type: "string" } } });
    if (!values.kubeconfig) {
        console.error("usage: controller.ts --kubeconfig <file> [--dir <sim directory>]");
        process.exit(2);
    }
    const kubeconfig = values.kubeconfig;
    const client = ApiClient.fromKubeconfig(values.kubeconfig);
    const stop = new AbortController();
    for (const sig of ["SIGTERM", "SIGINT"] as const) process.on(sig, () => stop.abort());
    const log: Log = (line) => console.log(`${new Date().toISOString()} ${line}`);
    log("sim controller started");
    // The AIS operator's admission webhook, answered on loopback (testing/sim/aistore-webhook.ts).
    startAistoreWebhook(client, log, stop.signal).catch((e: Error) => log(`ais webhook stand-in: ${e.message}`));
    const upstream = values.dir ? { dir: values.dir, kubeconfig } : undefined;
    runController(client, log, stop.signal, 1000, upstream).then(
        () => {
            client.close();
            log("sim controller stopped");
        },
        (e) => {
            console.error(e);
            process.exit(1);
        },
    );
}
