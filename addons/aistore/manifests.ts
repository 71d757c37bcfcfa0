/**
 * Pure manifests of the AIS cluster: the no-provisioner StorageClass and one local PV per mountpath disk, and the
 * `AIStore` spec (NVIDIA/ais-k8s v3.4.0 CRD `ais.nvidia.com/v1beta1`).
 */
import type * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import { mapImage } from "../../lib/imageref";
import { quantityBytes } from "../../lib/quantity";
import { AISTORE_CATALOG } from "./catalog";
import { aistoreDisks, aistorePvName } from "./disks";
import { clusterSize, type AistoreConfig } from "./schema";

/** The local (no-provisioner) StorageClass of the mountpath PVs (its own, so Ceph's mon claims never bind an AIS disk). */
export const AIS_LOCAL_STORAGE_CLASS = "aistore-local";
/** PV label telling which mountpath a disk serves; each target's claim selects it. */
export const MOUNT_LABEL = "aihub-airgap/ais-mount";
/** Service port of the proxies (the AIS and S3 API). */
export const PROXY_PORT = 51080;
/** Filesystem the kubelet makes on a mountpath disk (AIS recommends XFS). */
export const MOUNT_FS = "xfs";
/** Readiness of the `AIStore` resource (the operator sets `Ready` after its health check and full smap). */
export const WAIT_READY = { "pulumi.com/waitFor": "jsonpath={.status.state}=Ready" };

/** Path of mountpath `i` inside the targets. */
export const mountPath = (i: number): string => `/ais/mp${i}`;

/** One local PV per disk: Filesystem mode on the raw device (the kubelet formats it), pinned to its node. */
export function mountPvs(s: AistoreConfig): { name: string; spec: k8s.core.v1.PersistentVolumeArgs }[] {
    return aistoreDisks(s).map((d) => {
        const name = aistorePvName(d);
        return {
            name,
            spec: {
                metadata: { name, labels: { [MOUNT_LABEL]: String(d.mount), "aihub-airgap/node": d.hostname } },
                spec: {
                    capacity: { storage: d.size },
                    volumeMode: "Filesystem",
                    accessModes: ["ReadWriteOnce"],
                    persistentVolumeReclaimPolicy: "Retain",
                    storageClassName: AIS_LOCAL_STORAGE_CLASS,
                    local: { path: d.path, fsType: MOUNT_FS },
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

/** The target mounts: per local mountpath the smallest disk of that index, else `mounts` claims of the class. */
export function targetMounts(s: AistoreConfig): Record<string, unknown>[] {
    if (s.storageClass) {
        return Array.from({ length: s.storageClass.mounts }, (_, i) => ({
            path: mountPath(i),
            size: s.storageClass!.size,
            storageClass: s.storageClass!.name,
        }));
    }
    const bySlot = new Map<number, string>();
    for (const d of aistoreDisks(s)) {
        const cur = bySlot.get(d.mount);
        if (cur === undefined || quantityBytes(d.size) < quantityBytes(cur)) bySlot.set(d.mount, d.size);
    }
    return [...bySlot.entries()].map(([i, size]) => ({
        path: mountPath(i),
        size,
        storageClass: AIS_LOCAL_STORAGE_CLASS,
        selector: { matchLabels: { [MOUNT_LABEL]: String(i) } },
    }));
}

/** What the spec needs besides the section. */
export interface AistoreSpecInput {
    section: AistoreConfig;
    /** Private registry the AIS images are mapped into. */
    registry: string;
    pullSecretName: string;
    /** StorageClass of the daemons' state PVCs (the Ceph RWO class). */
    stateStorageClass: pulumi.Input<string>;
    /** ClusterIssuer of the cluster's certificate (with `tls`). */
    issuer?: string;
}

const ports = (pub: number) => ({
    servicePort: pub,
    portPublic: pub,
    portIntraControl: 51082,
    portIntraData: 51083,
});

/** The `AIStore` spec. Data and metadata are kept when the resource is deleted (cleanupData/cleanupMetadata false). */
export function aistoreSpec(i: AistoreSpecInput): Record<string, unknown> {
    const s = i.section;
    const images = AISTORE_CATALOG[s.version];
    return {
        size: clusterSize(s),
        nodeImage: mapImage(images.node, i.registry),
        initImage: mapImage(images.init, i.registry),
        ...(s.logSidecar ? { logSidecar: { image: mapImage(images.logs, i.registry) } } : {}),
        imagePullSecrets: [{ name: i.pullSecretName }],
        stateStorage: { pvc: { storageClass: i.stateStorageClass } },
        proxySpec: { ...ports(PROXY_PORT), ...(s.proxyResources ? { resources: s.proxyResources } : {}) },
        targetSpec: {
            ...ports(51081),
            mounts: targetMounts(s),
            ...(s.disablePodAntiAffinity ? { disablePodAntiAffinity: true } : {}),
            ...(s.targetResources ? { resources: s.targetResources } : {}),
        },
        enableExternalLB: s.externalLB,
        cleanupMetadata: false,
        cleanupData: false,
        ...(s.tls && i.issuer
            ? {
                  tls: {
                      certificate: {
                          issuerRef: { name: i.issuer, kind: "ClusterIssuer" },
                          ...(s.additionalDNSNames.length ? { additionalDNSNames: s.additionalDNSNames } : {}),
                      },
                  },
                  configToUpdate: { net: { http: { use_https: true, skip_verify: false } } },
              }
            : {}),
    };
}

/** The in-cluster AIS endpoint (the proxy Service) and its S3 API. */
export function endpoints(s: Pick<AistoreConfig, "name" | "namespace" | "tls">): { ais: string; s3: string } {
    const ais = `${s.tls ? "https" : "http"}://${s.name}-proxy.${s.namespace}.svc.cluster.local:${PROXY_PORT}`;
    return { ais, s3: `${ais}/s3` };
}
