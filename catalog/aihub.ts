/**
 * The images each AI Hub chart version runs with its default deployment profiles (facts aihub-chart §5.2),
 * as upstream references. The values generator points the chart at the same images in the private registry.
 */
import { parseSemver } from "./versions";

/** Grafana tag (`grafana.staticVersion`) per chart version; the key set is also the set of known versions. */
const GRAFANA_TAGS: Record<string, string> = {
    "10.3.1": "10.1.6-ubuntu",
    "10.3.2": "10.1.6-ubuntu",
    "2024.0.0": "10.4.2-ubuntu",
    "2024.0.1": "10.4.2-ubuntu",
    "2024.0.3": "10.4.5-ubuntu",
    "2024.1.0": "10.4.8-ubuntu",
    "2024.1.1": "10.4.11-ubuntu",
    "2024.1.2": "10.4.11-ubuntu",
    "2025.0.0": "11.4.0-ubuntu",
    "2025.0.1": "11.5.1-ubuntu",
    "2025.1.0": "11.6.1-ubuntu",
    "2025.1.1": "11.6.2-ubuntu",
    "2026.0.0": "12.1.1-ubuntu",
    "2026.0.2": "12.3.2-ubuntu",
};

/** Repositories under `rapidminer/` that every known chart version runs, tagged with the chart version. */
const RAPIDMINER_REPOS = [
    "aihub-backend-init-container",
    "panopticon-monetdb",
    "panopticon-pyserve",
    "panopticon-rserve",
    "panopticonviz",
    "rapidminer-activemq-artemis",
    "rapidminer-aihub",
    "rapidminer-aihub-ui",
    "rapidminer-coding-environment-storage",
    "rapidminer-deployment-init",
    "rapidminer-deployment-landing-page",
    "rapidminer-grafana-init",
    "rapidminer-grafana-proxy",
    "rapidminer-jobagent",
    "rapidminer-jupyter_notebook",
    "rapidminer-jupyterhub-jupyterhub",
    "rapidminer-jupyterhub-postgres",
    "rapidminer-keycloak",
    "rapidminer-licenseproxy",
    "rapidminer-platform-admin-webui",
    "rapidminer-proxy",
    "rapidminer-scoringagent",
    "rapidminer-webapi-gateway",
    "rm-letsencrypt-client",
];

/** The chart versions this catalog knows. */
export function aihubKnownVersions(): string[] {
    return Object.keys(GRAFANA_TAGS);
}

/** The Grafana tag a chart version runs; throws naming the version when unknown. */
export function aihubGrafanaTag(version: string): string {
    const tag = GRAFANA_TAGS[version.replace(/^v/, "")];
    if (!tag) {
        throw new Error(
            `AI Hub chart ${version} is not in the image catalog (known: ${aihubKnownVersions().join(", ")}); add it to catalog/aihub.ts`,
        );
    }
    return tag;
}

/**
 * Upstream references of every image the chart version runs with default profiles, including the notebook image
 * JupyterHub spawns per user. Throws naming the version when unknown.
 */
export function aihubImages(version: string): string[] {
    const grafana = aihubGrafanaTag(version);
    const v = version.replace(/^v/, "");
    const sv = parseSemver(v)!;
    const postgres = sv.major >= 2026 ? "postgres-17" : "postgres-14";
    const images = [...RAPIDMINER_REPOS, postgres].map((r) => `docker.io/rapidminer/${r}:${v}`);
    images.push(`docker.io/grafana/grafana:${grafana}`);
    // 2025.1.1 hard-codes busybox:latest for the ActiveMQ volume fix; 2026.0 takes it from dockerURL.
    if (v === "2025.1.1") images.push("docker.io/library/busybox:latest");
    if (sv.major >= 2026) images.push(`docker.io/rapidminer/busybox:${v}`);
    return images.sort();
}
