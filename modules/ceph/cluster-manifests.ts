/**
 * Pure specs of the cluster half: the local StorageClass, one local PV per declared disk, the CephCluster spec
 * and the toolbox Deployment (facts/rook-ceph.md §2.1, §2.5, §3 rules 4–7).
 */
import type * as k8s from "@pulumi/kubernetes";
import { mapImage } from "../../lib/imageref";
import { quantityBytes } from "../../lib/quantity";
import type { CephConfig } from "../../config/schema";
import { parseSemver, rookLayout } from "../../catalog/versions";
import { cephDisks } from "../../config/disks";
import { LOCAL_STORAGE_CLASS, localPvName, TOOLBOX_NAME, type DiskRole } from "../../catalog/rook-names";

type Obj = Record<string, unknown>;

/**
 * A no-provisioner StorageClass; binding waits for the pod so the PV's node decides where a mon/OSD (or an AIS
 * target, under its own class name) runs.
 */
export function localStorageClassSpec(name = LOCAL_STORAGE_CLASS): k8s.storage.v1.StorageClassArgs {
    return {
        metadata: { name },
        provisioner: "kubernetes.io/no-provisioner",
        volumeBindingMode: "WaitForFirstConsumer",
        reclaimPolicy: "Retain",
    };
}

/** One local PV to create. */
export interface LocalPv {
    /** Stable name from host, role and device. */
    name: string;
    role: DiskRole;
    hostname: string;
    /** Config key of the disk, for messages. */
    key: string;
    /** The PersistentVolume manifest (without apiVersion/kind). */
    spec: k8s.core.v1.PersistentVolumeArgs;
}

/** One local PV per mon disk (`Filesystem`: Rook forces it on mon PVCs) and per OSD disk (`Block`). */
export function localPvs(ceph: CephConfig): LocalPv[] {
    return cephDisks(ceph).map((d) => {
        const name = localPvName(d.hostname, d.role, d.path);
        return {
            name,
            role: d.role,
            hostname: d.hostname,
            key: d.key,
            spec: {
                metadata: {
                    name,
                    labels: { "aihub-airgap/ceph-role": d.role, "aihub-airgap/node": d.hostname },
                },
                spec: {
                    capacity: { storage: d.size },
                    volumeMode: d.role === "mon" ? "Filesystem" : "Block",
                    accessModes: ["ReadWriteOnce"],
                    persistentVolumeReclaimPolicy: "Retain",
                    storageClassName: LOCAL_STORAGE_CLASS,
                    local: { path: d.path },
                    nodeAffinity: {
                        required: {
                            nodeSelectorTerms: [
                                {
                                    matchExpressions: [
                                        { key: "kubernetes.io/hostname", operator: "In", values: [d.hostname] },
                                    ],
                                },
                            ],
                        },
                    },
                },
            },
        };
    });
}

/** The smallest mon disk: the mon PVC request, so every mon PV can bind it. */
export function monRequest(ceph: CephConfig): string {
    const sizes = ceph.nodes.flatMap((n) => (n.monDisk ? [n.monDisk.size] : []));
    if (sizes.length === 0) throw new Error("no node has a monDisk");
    return sizes.reduce((a, b) => (quantityBytes(b) < quantityBytes(a) ? b : a));
}

/** OSD disks grouped by size: one storageClassDeviceSet per group, its PVC request equal to the size. */
export function osdSizeGroups(ceph: CephConfig): { size: string; count: number; setName: string }[] {
    const groups = new Map<string, number>();
    for (const n of ceph.nodes) for (const d of n.osdDisks) groups.set(d.size, (groups.get(d.size) ?? 0) + 1);
    return [...groups.entries()]
        .sort((a, b) => quantityBytes(a[0]) - quantityBytes(b[0]))
        .map(([size, count]) => ({ size, count, setName: `osd-${size.toLowerCase()}` }));
}

/** Inputs of the CephCluster spec. */
export interface ClusterSpecInput {
    ceph: CephConfig;
    /** Private registry the Ceph image is mapped into. */
    registry: string;
    /** Rook version; from v1.20 a size-1 lab also silences Ceph's no-redundancy warning. @default "v1.20.6" */
    rookVersion?: string;
}

/** The CephCluster `spec` (mons on local PVCs, OSDs from device sets, pinned private-registry Ceph image). */
export function cephClusterSpec({ ceph, registry, rookVersion = "v1.20.6" }: ClusterSpecInput): Obj {
    const spec: Obj = {
        cephVersion: { image: mapImage(ceph.image, registry), allowUnsupported: false },
        dataDirHostPath: ceph.dataDirHostPath,
        skipUpgradeChecks: false,
        continueUpgradeAfterChecksEvenIfNotHealthy: false,
        mon: {
            count: ceph.monCount,
            allowMultiplePerNode: ceph.allowMultiplePerNode,
            volumeClaimTemplate: {
                spec: { storageClassName: LOCAL_STORAGE_CLASS, resources: { requests: { storage: monRequest(ceph) } } },
            },
        },
        mgr: { count: ceph.nodes.length > 1 ? 2 : 1, allowMultiplePerNode: ceph.allowMultiplePerNode },
        dashboard: { enabled: ceph.dashboard, ssl: true },
        crashCollector: { disable: false },
        storage: {
            useAllNodes: false,
            useAllDevices: false,
            storageClassDeviceSets: osdSizeGroups(ceph).map((g) => ({
                name: g.setName,
                count: g.count,
                // Local PVs are tied to their node; an OSD must never move with its PVC.
                portable: false,
                placement: {
                    topologySpreadConstraints: [
                        {
                            maxSkew: 1,
                            topologyKey: "kubernetes.io/hostname",
                            whenUnsatisfiable: "ScheduleAnyway",
                            labelSelector: {
                                matchExpressions: [{ key: "app", operator: "In", values: ["rook-ceph-osd"] }],
                            },
                        },
                    ],
                },
                volumeClaimTemplates: [
                    {
                        metadata: { name: "data" },
                        spec: {
                            resources: { requests: { storage: g.size } },
                            storageClassName: LOCAL_STORAGE_CLASS,
                            volumeMode: "Block",
                            accessModes: ["ReadWriteOnce"],
                        },
                    },
                ],
            })),
        },
        resources: {
            mon: { requests: { cpu: "500m", memory: "1Gi" }, limits: { memory: "2Gi" } },
            mgr: { requests: { cpu: "250m", memory: "512Mi" }, limits: { memory: "1Gi" } },
            osd: { requests: { cpu: "500m", memory: "2Gi" }, limits: { memory: "4Gi" } },
        },
        priorityClassNames: {
            mon: "system-node-critical",
            osd: "system-node-critical",
            mgr: "system-cluster-critical",
        },
        disruptionManagement: { managePodBudgets: true },
    };
    if (ceph.replicas < 3 && rookLayout(parseSemver(rookVersion)!) !== "v1.9") {
        // Fewer copies on purpose (as Rook's cluster-test.yaml): with fewer OSDs than Ceph's default pool size (3) Ceph
        // reports TOO_FEW_OSDS, and with one copy POOL_NO_REDUNDANCY for every pool (both HEALTH_WARN, for good).
        const global: Record<string, string> = { osd_pool_default_size: String(ceph.replicas) };
        if (ceph.replicas === 1) global.mon_warn_on_pool_no_redundancy = "false";
        spec.cephConfig = { global };
    }
    if (ceph.wipeDisksOnDestroy) {
        // Design §3: set only when the stack is being torn down; Rook stops orchestrating while it is set.
        spec.cleanupPolicy = {
            confirmation: "yes-really-destroy-data",
            sanitizeDisks: { method: "quick", dataSource: "zero", iteration: 1 },
        };
    }
    return spec;
}

/**
 * The toolbox script: writes ceph.conf and the admin keyring from Rook's mon Secret, mon-endpoints ConfigMap and
 * optional config override, then re-writes them whenever one of those changes (kubelet updates the mounted files
 * after a mon failover or a key rotation), as Rook's own toolbox does. `sleep & wait` lets SIGTERM end it at once.
 */
const TOOLBOX_SCRIPT = [
    "endpoints=/etc/rook/mon-endpoints",
    "secret=/var/lib/rook-ceph-mon/secret.keyring",
    "override=/etc/rook-config-override/config",
    "trap 'exit 0' TERM INT",
    "write_keyring() {",
    '    printf "[%s]\\nkey = %s\\n" "$ROOK_CEPH_USERNAME" "$(cat "$secret")" > /etc/ceph/keyring.new',
    "    mv /etc/ceph/keyring.new /etc/ceph/keyring",
    "}",
    "write_conf() {",
    '    hosts=$(sed -e "s/[a-z0-9_-]*=//g" "$endpoints")',
    "    {",
    '        printf "[global]\\nmon_host = %s\\n\\n[client.admin]\\nkeyring = /etc/ceph/keyring\\n" "$hosts"',
    '        if [ -s "$override" ]; then printf "\\n"; cat "$override"; fi',
    "    } > /etc/ceph/ceph.conf.new",
    "    mv /etc/ceph/ceph.conf.new /etc/ceph/ceph.conf",
    '    echo "$(date) mon_host = $hosts"',
    "}",
    // Checksums before the first write: a change landing in between is then seen by the next round.
    'last_key=$(cat "$secret" | cksum)',
    'last_conf=$(cat "$endpoints" "$override" 2>/dev/null | cksum)',
    "write_keyring",
    "write_conf",
    "while true; do",
    "    sleep 10 &",
    "    wait $!",
    '    key=$(cat "$secret" | cksum)',
    '    conf=$(cat "$endpoints" "$override" 2>/dev/null | cksum)',
    '    if [ "$key" != "$last_key" ]; then write_keyring; last_key=$key; fi',
    '    if [ "$conf" != "$last_conf" ]; then write_conf; last_conf=$conf; fi',
    "done",
].join("\n");

/** Inputs of the toolbox Deployment. */
export interface ToolboxInput {
    namespace: string;
    /** The Ceph image as configured (upstream); mapped here. */
    cephImage: string;
    registry: string;
    pullSecretName: string;
    rookVersion: string;
}

/** The toolbox Deployment on the pinned Ceph image (the examples' floating tag would mix versions). */
export function toolboxSpec(input: ToolboxInput): k8s.apps.v1.DeploymentArgs {
    const labels = { app: TOOLBOX_NAME };
    // v1.9 has no rook-ceph-default account; its pods run as the namespace's `default` (facts §1.5).
    const serviceAccountName = rookLayout(parseSemver(input.rookVersion)!) === "v1.9" ? "default" : "rook-ceph-default";
    return {
        metadata: { name: TOOLBOX_NAME, namespace: input.namespace, labels },
        spec: {
            replicas: 1,
            selector: { matchLabels: labels },
            template: {
                metadata: { labels },
                spec: {
                    serviceAccountName,
                    imagePullSecrets: [{ name: input.pullSecretName }],
                    dnsPolicy: "ClusterFirstWithHostNet",
                    containers: [
                        {
                            name: TOOLBOX_NAME,
                            image: mapImage(input.cephImage, input.registry),
                            imagePullPolicy: "IfNotPresent",
                            command: ["/bin/bash", "-c", TOOLBOX_SCRIPT],
                            env: [
                                {
                                    name: "ROOK_CEPH_USERNAME",
                                    valueFrom: { secretKeyRef: { name: "rook-ceph-mon", key: "ceph-username" } },
                                },
                            ],
                            securityContext: {
                                runAsNonRoot: true,
                                runAsUser: 2016,
                                runAsGroup: 2016,
                                capabilities: { drop: ["ALL"] },
                            },
                            resources: { requests: { cpu: "50m", memory: "64Mi" }, limits: { memory: "256Mi" } },
                            volumeMounts: [
                                { name: "ceph-config", mountPath: "/etc/ceph" },
                                { name: "mon-endpoints", mountPath: "/etc/rook" },
                                { name: "mon-secret", mountPath: "/var/lib/rook-ceph-mon", readOnly: true },
                                { name: "config-override", mountPath: "/etc/rook-config-override", readOnly: true },
                            ],
                        },
                    ],
                    volumes: [
                        { name: "ceph-config", emptyDir: {} },
                        {
                            name: "mon-endpoints",
                            configMap: {
                                name: "rook-ceph-mon-endpoints",
                                items: [{ key: "data", path: "mon-endpoints" }],
                            },
                        },
                        {
                            name: "mon-secret",
                            secret: {
                                secretName: "rook-ceph-mon",
                                items: [{ key: "ceph-secret", path: "secret.keyring" }],
                            },
                        },
                        { name: "config-override", configMap: { name: "rook-config-override", optional: true } },
                    ],
                },
            },
        },
    };
}
