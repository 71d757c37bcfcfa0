/**
 * Images of zero-to-jupyterhub 4.4.0 (chartpress stamps the tags at publish), by the chart's value path of
 * `{ name, tag }`. autohttps (traefik) and its secret-sync stay off in an air gap, so they are not carried; nor is
 * the network tools image, which only the iptables block of the cloud metadata address uses (off, values.ts).
 */
import type { JupyterHubConfig } from "./schema";

export const JUPYTERHUB_CATALOG: Record<string, Record<string, { name: string; tag: string }>> = {
    "4.4.0": {
        "hub.image": { name: "quay.io/jupyterhub/k8s-hub", tag: "4.4.0" },
        "proxy.chp.image": { name: "quay.io/jupyterhub/configurable-http-proxy", tag: "5.2.0" },
        "scheduling.userScheduler.image": { name: "registry.k8s.io/kube-scheduler", tag: "v1.30.14" },
        "scheduling.userPlaceholder.image": { name: "registry.k8s.io/pause", tag: "3.10.1" },
        "prePuller.hook.image": { name: "quay.io/jupyterhub/k8s-image-awaiter", tag: "4.4.0" },
        "prePuller.pause.image": { name: "registry.k8s.io/pause", tag: "3.10.1" },
    },
};

/** The chart's images and every notebook image users can pick. */
export function jupyterhubImages(s: JupyterHubConfig): string[] {
    const chart = Object.values(JUPYTERHUB_CATALOG[s.version]).map((i) => `${i.name}:${i.tag}`);
    return [...new Set([...chart, ...s.images, ...s.profiles.flatMap((p) => (p.image ? [p.image] : []))])];
}
