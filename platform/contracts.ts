/**
 * What an add-on is: a config section under `aihub-airgap:addons.<name>`, the charts and images the bundle carries
 * for it, the rules that compare it with the rest of the config, and the components it builds. The table in
 * `table.ts` registers every add-on; composition, validation, `plan`, the bundle inventory and the tests iterate it.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { z } from "zod";
import type { Problem } from "../lib/problems";
import type { StackConfig } from "../config/schema";
import type { CephBlockPool } from "../modules/ceph/ceph-block-pool";
import type { CephCluster } from "../modules/ceph/ceph-cluster";
import type { CephFilesystem } from "../modules/ceph/ceph-filesystem";
import type { DiskPreflight } from "../modules/ceph/disk-preflight";
import type { RookOperator } from "../modules/ceph/rook-operator";
import type { SnapshotController } from "../modules/ceph/snapshot-controller";
import type { aistoreSchema } from "../addons/aistore/schema";
import type { certManagerSchema } from "../addons/cert-manager/schema";
import type { gatewaySchema } from "../addons/gateway/schema";
import type { gpuSchema } from "../addons/gpu/schema";
import type { jupyterhubSchema } from "../addons/jupyterhub/schema";
import type { keplerSchema } from "../addons/kepler/schema";
import type { metallbSchema } from "../addons/metallb/schema";
import type { monitoringSchema } from "../addons/monitoring/schema";

/**
 * The schema of each add-on's section, by its key under `aihub-airgap:addons`. Taken from the add-ons' schema files
 * (which import no contract), not from the table, so no import circle runs through the contracts;
 * platform/registry.test.ts checks that the table registers exactly these.
 */
interface AddOnSchemas {
    metallb: typeof metallbSchema;
    certManager: typeof certManagerSchema;
    gateway: typeof gatewaySchema;
    aistore: typeof aistoreSchema;
    monitoring: typeof monitoringSchema;
    kepler: typeof keplerSchema;
    gpu: typeof gpuSchema;
    jupyterhub: typeof jupyterhubSchema;
}

/** The validated `addons` section: one key per enabled add-on. */
export type AddOnsConfig = { [K in keyof AddOnSchemas]?: z.output<AddOnSchemas[K]> };

/** The validated config of a stack: the core sections and the enabled add-ons' sections, typed by the table. */
export type PlatformConfig = StackConfig<AddOnsConfig>;

/** The built storage half. */
export interface Storage {
    operator: RookOperator;
    /** The disk checks the CephCluster waits for. */
    preflight: DiskPreflight;
    cluster: CephCluster;
    filesystem: CephFilesystem;
    blockPool?: CephBlockPool;
    /** The snapshot CRDs and controller, when this stack installs them. */
    snapshotController?: SnapshotController;
    /** Names of the VolumeSnapshotClass per StorageClass name, when snapshots are enabled. */
    snapshotClasses: Record<string, string>;
    /**
     * Per StorageClass name, the class of shallow read-only volumes from its snapshots (CephFS only: RBD has none),
     * when snapshots are enabled; the backup copies through them instead of full clones.
     */
    shallowClasses: Record<string, string>;
    /** The VolumeSnapshotClass resources (and the shallow StorageClass), for `dependsOn` of the backup. */
    snapshotClassResources: pulumi.Resource[];
    /** The CephFS (RWX) StorageClass name. */
    rwxStorageClass: pulumi.Output<string>;
    /** The RBD StorageClass when enabled, else the CephFS one. */
    rwoStorageClass: pulumi.Output<string>;
    /** The StorageClass resources workloads must depend on. */
    storageClasses: pulumi.Resource[];
    /** Stack outputs of this half. */
    outputs: Record<string, pulumi.Input<unknown>>;
}

/** A chart the stack installs, named by the config key that gives its path. */
export interface AddOnChart {
    /** Config key path, e.g. `addons.metallb.chart`. */
    key: string;
    /** Path as given in config. */
    path: string;
}

/**
 * What add-ons hand to later add-ons and to the application. Each field belongs to one add-on, which sets it;
 * readers check that it is there (the table's order is the build order).
 */
export interface Provided {
    /** MetalLB: LoadBalancer Services get an address once these are ready. */
    loadBalancer?: {
        /** Resources a LoadBalancer Service must wait for (the pool and its advertisement). */
        ready: pulumi.Resource[];
        /** How many addresses the pool holds in total (capped at Number.MAX_SAFE_INTEGER for large IPv6 blocks). */
        addressCount: number;
        /** The pool's blocks as configured (`a.b.c.d-a.b.c.e` ranges and CIDRs). */
        addresses: string[];
    };
    /** cert-manager: a ClusterIssuer signing with the site CA. */
    issuer?: {
        /** ClusterIssuer name. */
        name: string;
        /** PEM of the CA the issuer signs with (what clients must trust). */
        caCert: pulumi.Output<string>;
        /** Resources a Certificate must wait for. */
        ready: pulumi.Resource[];
    };
    /** The Gateway API implementation and the shared Gateway. */
    gateway?: {
        /** Gateway name and namespace, the parent of every HTTPRoute. */
        name: string;
        namespace: string;
        /** The listener routes attach to (`sectionName` of their parentRef): the HTTPS one for `aihub.domain`. */
        sectionName: string;
        /** The external address the Gateway's LoadBalancer Service got. */
        address: pulumi.Output<string>;
        /** Resources a route must wait for. */
        ready: pulumi.Resource[];
    };
    /** Monitoring: the Prometheus that scrapes ServiceMonitors/PodMonitors. */
    monitoring?: {
        namespace: string;
        /** Labels a ServiceMonitor, PodMonitor or PrometheusRule needs to be picked up. */
        selectorLabels: Record<string, string>;
        /** Resources (CRDs, operator) a monitor or rule must wait for. */
        ready: pulumi.Resource[];
        /** Labels of a ConfigMap (in `namespace`) whose JSON files Grafana loads as dashboards. */
        dashboardLabels: Record<string, string>;
        /** The uid of Grafana's Prometheus datasource, for dashboards' panels. */
        datasourceUid: string;
    };
    /** The NVIDIA GPU operator. */
    gpu?: {
        /** Extended resource name pods request, `nvidia.com/gpu`. */
        resourceName: string;
        ready: pulumi.Resource[];
    };
}

/** What `build` gets besides the add-on's own section. */
export interface AddOnDeps {
    /** The whole validated config (core sections and every add-on). */
    cfg: PlatformConfig;
    /** The push of the bundle's images, when the program pushes them; anything that pulls waits for it. */
    mirror?: pulumi.Resource;
    /** The storage half: StorageClass names and resources. */
    storage: Storage;
    /** Component options carrying the explicit Kubernetes provider. */
    kube: pulumi.ComponentResourceOptions;
    /** What add-ons earlier in the table provide. */
    provided: Provided;
    /** Directory relative paths (charts) resolve against. */
    projectDir: string;
}

/** What an add-on built. */
export interface AddOnBuilt {
    /** The add-on's top component. */
    component: pulumi.ComponentResource;
    /** What it hands to later add-ons and the application. @default nothing */
    provides?: Provided;
    /** Stack outputs; names must not clash with other add-ons' (prefix them with the add-on's name). */
    outputs?: Record<string, pulumi.Input<unknown>>;
}

/** Problems found by an add-on's rules. */
export interface AddOnProblems {
    errors: Problem[];
    warnings?: Problem[];
}

/**
 * One add-on. `S` is the schema of its section without `enabled` (the table adds that key: a present section is on
 * unless `enabled: false`).
 */
export interface AddOn<N extends string = string, S extends z.ZodType = z.ZodType> {
    /** Key under `aihub-airgap:addons`, e.g. `metallb`. */
    name: N;
    /** One line saying what it is for (plan, docs). */
    title: string;
    /**
     * The other add-ons it reads when they are on: their config (in `rules`) or what they provide (in `build`). An
     * add-on never imports another's code; platform/registry.test.ts checks this list against the sources and that
     * a provider comes earlier in the table.
     */
    requires: readonly string[];
    /** Schema of the section; field-level rules and defaults live here. */
    schema: S;
    /** Paths of secret values inside the section (`ca.key`, `*` matches one key); plain text there is an error. */
    secretPaths?: readonly string[];
    /**
     * Rules comparing the section with the rest of the config (other add-ons, nodes, pools). Paths are absolute
     * below the namespace, e.g. `addons.aistore.size`. `all` holds every section that parsed.
     */
    rules?(section: z.output<S>, all: Partial<PlatformConfig>): AddOnProblems;
    /** The charts the bundle carries and the program installs. */
    charts(section: z.output<S>): AddOnChart[];
    /** Upstream images: the catalog for the configured version, images started at run time, images from config. */
    images(section: z.output<S>, cfg: PlatformConfig): string[];
    /** Builds the add-on's components. */
    build(section: z.output<S>, deps: AddOnDeps): AddOnBuilt;
}
