/**
 * The explicit Kubernetes provider every Kubernetes resource uses (through its component parents). Default providers
 * are disabled in Pulumi.yaml (`pulumi:disable-default-providers: [kubernetes]`), so a resource that missed it fails
 * instead of landing on kubectl's current context.
 */
import * as k8s from "@pulumi/kubernetes";
import { getVersion } from "@pulumi/kubernetes/utilities";
import type * as pulumi from "@pulumi/pulumi";
import type { KubernetesConfig } from "../config/schema";

/** Logical name of the provider resource; its URN is `…::pulumi:providers:kubernetes::kubernetes`. */
export const KUBERNETES_PROVIDER_NAME = "kubernetes";

/** The provider's inputs: only the keys that are set, so an unset key never shows as a diff. */
export function kubernetesProviderArgs(k: KubernetesConfig): k8s.ProviderArgs {
    return {
        ...(k.kubeconfig !== undefined ? { kubeconfig: k.kubeconfig } : {}),
        ...(k.context !== undefined ? { context: k.context } : {}),
    };
}

/**
 * The name of the default provider a stack made before this provider existed used (`default_4_25_0`). The provider
 * aliases it, so the engine sees the same provider and moves those resources over without replacing them.
 */
export function defaultProviderName(version = getVersion()): string {
    return `default_${version.replace(/[.+-]/g, "_")}`;
}

/** The provider, and the component options that hand it to every child. */
export function kubernetesProvider(k: KubernetesConfig): {
    provider: k8s.Provider;
    opts: pulumi.ComponentResourceOptions;
} {
    const provider = new k8s.Provider(KUBERNETES_PROVIDER_NAME, kubernetesProviderArgs(k), {
        aliases: [{ name: defaultProviderName() }],
    });
    return { provider, opts: { providers: [provider] } };
}
