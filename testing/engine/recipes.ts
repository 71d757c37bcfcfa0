/**
 * What the engine build makes, and from which Go modules. Each binary is built in a wrapper module of its own (under
 * engine/modules/<name>, with a committed go.sum) so that minimum version selection cannot lift one binary's
 * dependencies to another's.
 *
 * The Go module proxy reachable here serves only module versions it already holds: it refuses queries by commit,
 * lists and most pseudo-versions. The versions below are the ones it serves (probed by commit of every release tag;
 * docs/development.md, "The real engine and the simulated cluster", lists what was tried and why these were chosen).
 */

/** One binary of the engine. */
export interface Recipe {
    /** Binary name, as placed in the bin directory. */
    name: string;
    /** Wrapper module folder under engine/modules. */
    module: string;
    /** Go package to build, relative to the wrapper ("." for the wrapper's own main package). */
    pkg: string;
    /** -X stamps, as "importpath.Var=value". */
    stamps: string[];
    /** Build tags. */
    tags?: string[];
    /** The versions this binary is made of: part of the cache key. */
    versions: Record<string, string>;
    /** Files generated into the wrapper from a module before building (schema embeds). */
    generate?: "kubernetes-provider-schema";
}

/** Pulumi CLI: the version of `@pulumi/pulumi` in package.json. */
export const PULUMI_VERSION = "3.248.0";
/**
 * pulumi-language-nodejs has no tags and the proxy holds none of the commits from v3.239 to v3.259: the newest it
 * holds is v3.184.0's, built against pkg/sdk v3.184.0 (its source does not compile against 3.248's). It speaks the
 * same gRPC protocol to the 3.248 CLI and runs the 3.248 Node.js SDK from node_modules.
 */
export const LANGUAGE_HOST = { release: "3.184.0", pseudo: "v3.0.0-20250718110245-a8f88047ab64" };
/** pulumi-kubernetes' provider module has no tags; the proxy holds the commit of v4.25.0 (and v4.18.1), not 4.34.2. */
export const KUBERNETES_PROVIDER = { release: "4.25.0", pseudo: "v4.0.0-20260115033456-f47bc2d6f199" };
export const KUBERNETES_VERSION = "1.34.3";
export const ETCD_VERSION = "3.6.6";
export const KWOK_VERSION = "0.8.0";

const kubeStamps = [
    `k8s.io/component-base/version.gitVersion=v${KUBERNETES_VERSION}`,
    "k8s.io/component-base/version.gitMajor=1",
    `k8s.io/component-base/version.gitMinor=${KUBERNETES_VERSION.split(".")[1]}`,
];

function kube(name: string): Recipe {
    return {
        name,
        module: "kube",
        pkg: `k8s.io/kubernetes/cmd/${name}`,
        stamps: kubeStamps,
        versions: { kubernetes: KUBERNETES_VERSION },
    };
}

/** Every binary, cheapest first so a cold build shows progress early. */
export const RECIPES: Recipe[] = [
    {
        name: "kwok",
        module: "kwok",
        pkg: "sigs.k8s.io/kwok/cmd/kwok",
        stamps: [],
        versions: { kwok: KWOK_VERSION },
    },
    {
        name: "etcd",
        module: "etcd",
        pkg: "go.etcd.io/etcd/server/v3",
        stamps: [],
        versions: { etcd: ETCD_VERSION },
    },
    {
        name: "pulumi",
        module: "pulumi",
        pkg: "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi",
        stamps: [`github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v${PULUMI_VERSION}`],
        tags: ["osusergo", "grpcnotrace"],
        versions: { pulumi: PULUMI_VERSION },
    },
    {
        name: "pulumi-language-nodejs",
        module: "langhost",
        pkg: "github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3",
        stamps: [`github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v${LANGUAGE_HOST.release}`],
        versions: { languageHost: LANGUAGE_HOST.pseudo },
    },
    {
        name: "pulumi-resource-kubernetes",
        module: "kubernetes-provider",
        pkg: ".",
        stamps: [`github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/version.Version=${KUBERNETES_PROVIDER.release}`],
        versions: { kubernetesProvider: KUBERNETES_PROVIDER.pseudo },
        generate: "kubernetes-provider-schema",
    },
    kube("kube-apiserver"),
    kube("kube-controller-manager"),
    kube("kube-scheduler"),
];
