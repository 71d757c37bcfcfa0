/**
 * The upstream controllers the simulated cluster runs in place of stand-ins (testing/sim/upstream.ts), and where
 * `npm run controllers:build` (testing/controllers-build.ts) puts them: `~/.cache/aihub-airgap/<name>/<version>/bin`.
 */
import * as os from "node:os";
import * as path from "node:path";

/** One upstream release built from a wrapper module under testing/controllers/. */
export interface UpstreamBuild {
    /** Cache folder name (and the wrapper module's folder under testing/controllers/). */
    name: string;
    /** The upstream release (the version its wrapper module's go.mod requires). */
    version: string;
    /** Binary name → Go package it is built from (relative packages are the wrapper module's own mains). */
    binaries: Record<string, string>;
    /** -X stamps, as "importpath.Var=value". @default none */
    stamps?: string[];
}

/** The cert-manager controller and webhook (mains of our own over the root module's packages). */
export const CERT_MANAGER: UpstreamBuild = {
    name: "cert-manager",
    version: "v1.21.1",
    binaries: { "cert-manager-controller": "./controller", "cert-manager-webhook": "./webhook" },
};

/** The MetalLB controller, which also serves MetalLB's validating and conversion webhooks. */
export const METALLB: UpstreamBuild = {
    name: "metallb",
    version: "v0.16.1",
    binaries: { "metallb-controller": "go.universe.tf/metallb/controller" },
};

/**
 * prometheus-operator at the version kube-prometheus-stack 88.5.3 pins (its appVersion). Its web server also answers
 * the chart's PrometheusRule and AlertmanagerConfig admission webhooks (the chart's separate admission-webhook
 * Deployment is off by default, so `cmd/admission-webhook` is not built).
 */
export const PROMETHEUS_OPERATOR: UpstreamBuild = {
    name: "prometheus-operator",
    version: "v0.93.1",
    binaries: { "prometheus-operator": "github.com/prometheus-operator/prometheus-operator/cmd/operator" },
};

/**
 * Envoy Gateway (its cmd/envoy-gateway root command, with the listen ports a process beside others needs) and
 * xds-dump, a client of its xDS server the engine test reads the translated routes with.
 */
export const ENVOY_GATEWAY: UpstreamBuild = {
    name: "envoy-gateway",
    version: "v1.9.0",
    binaries: { "envoy-gateway": "./server", "xds-dump": "./xds-dump" },
};

/**
 * The CSI machinery behind VolumeSnapshots and provisioning (testing/sim/csi.ts): external-snapshotter v8.6.0's
 * snapshot-controller and csi-snapshotter sidecar and external-provisioner v5.3.0's csi-provisioner sidecar, in one
 * wrapper module so that their shared packages (client-go, csi-lib-utils, gRPC) compile once.
 */
export const CSI_SIDECARS: UpstreamBuild = {
    name: "csi-sidecars",
    version: "snapshotter-v8.6.0-provisioner-v5.3.0",
    binaries: {
        "snapshot-controller": "github.com/kubernetes-csi/external-snapshotter/v8/cmd/snapshot-controller",
        "csi-snapshotter": "github.com/kubernetes-csi/external-snapshotter/v8/cmd/csi-snapshotter",
        "csi-provisioner": "github.com/kubernetes-csi/external-provisioner/v5/cmd/csi-provisioner",
    },
};

/**
 * The in-memory mock CSI driver of csi-test v4.0.2 (cmd/mock-driver: volumes and snapshots kept in memory, its
 * name set with `--name`), the driver behind the sidecars. Its own module: it is built against CSI spec v1.3.0, whose
 * generated server interfaces predate the ones the sidecars' spec v1.12.0 requires, and csi-test v5 no longer has a
 * mock driver (the CSI hostpath driver is not served here).
 */
export const CSI_MOCK: UpstreamBuild = {
    name: "csi-mock",
    version: "v4.0.2",
    binaries: { "csi-mock-driver": "github.com/kubernetes-csi/csi-test/v4/cmd/mock-driver" },
};

/**
 * syft, which `bundle` runs (stack key `bundle.syft`) to list each image's contents; the pipeline tests run this
 * build. Its own command, with the version stamped as its release builds stamp it.
 */
export const SYFT: UpstreamBuild = {
    name: "syft",
    version: "v1.57.2",
    binaries: { syft: "github.com/anchore/syft/cmd/syft" },
    stamps: ["main.version=1.57.2"],
};

/** Every upstream build, in build order. */
export const UPSTREAM_BUILDS = [
    CERT_MANAGER,
    METALLB,
    PROMETHEUS_OPERATOR,
    ENVOY_GATEWAY,
    CSI_SIDECARS,
    CSI_MOCK,
    SYFT,
];

/** The cache folder of one build's binaries. */
export function upstreamBinDir(b: UpstreamBuild): string {
    return path.join(os.homedir(), ".cache", "aihub-airgap", b.name, b.version, "bin");
}

/** Full path of one binary of a build. */
export function upstreamBinary(b: UpstreamBuild, binary: string): string {
    return path.join(upstreamBinDir(b), binary);
}
