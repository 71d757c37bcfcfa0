/**
 * The AI Hub chart's values layout per version (facts aihub-chart §2.3): which keys a version uses for the
 * renamed blocks and which features it has. Everything the values generator varies on comes from here.
 */
import { aihubGeneration, compareSemver, parseSemver, type AiHubGeneration, type Semver } from "./versions";

/** What differs between chart versions. */
export interface AiHubLayout {
    version: string;
    generation: AiHubGeneration;
    /** `jobagent` (10.3.x, 2024.0.0) or `jobagents` (2024.0.1+). */
    jobAgentKey: "jobagent" | "jobagents";
    /** `webApiAgent` (before 2025.0) or `webApiAgents` (2025.0+). */
    webApiAgentKey: "webApiAgent" | "webApiAgents";
    /** True from 2025.1.0: each entry of `<key>.agents[]` carries its own `repoName`/`imageName`. */
    perAgentImages: boolean;
    /** True from 2025.0: `common.publicCert` serves the proxy's certificate; plain HTTP is gone. */
    publicCert: boolean;
    /**
     * True for 2024.0.0–2025.0.x: the job clean-up ConfigMap reads `JobContextCronExpression` and `jobMaxAge` (the
     * chart's values spell them otherwise) and inserts `jobBatchSize` unquoted.
     */
    oddJobCleanupKeys: boolean;
    /** Name of the chart's proxy Service (the Ingress backend). */
    proxyService: string;
    /**
     * StatefulSet names of the chart's own `agents[]` per list key, i.e. the agents that run when the values give no
     * list (the chart's values.yaml): 2025.0.x ships a second web API agent, `webapi-agent-second-queue`.
     */
    defaultAgents: Partial<Record<"jobagents" | "webApiAgents", string[]>>;
}

const at = (v: Semver, s: string): boolean => compareSemver(v, parseSemver(s)!) >= 0;

/** The layout of a chart version; throws naming the version when it is not a supported one. */
export function aihubLayout(version: string): AiHubLayout {
    const v = parseSemver(version);
    const generation = v && aihubGeneration(v);
    if (!v || !generation) {
        throw new Error(`AI Hub chart ${version} is not supported (use a 10.3.x, 2024.x, 2025.x or 2026.x chart)`);
    }
    return {
        version: version.replace(/^v/, ""),
        generation,
        jobAgentKey: at(v, "2024.0.1") ? "jobagents" : "jobagent",
        webApiAgentKey: at(v, "2025.0.0") ? "webApiAgents" : "webApiAgent",
        perAgentImages: at(v, "2025.1.0"),
        publicCert: at(v, "2025.0.0"),
        oddJobCleanupKeys: at(v, "2024.0.0") && !at(v, "2025.1.0"),
        proxyService: "proxy-svc-pub",
        defaultAgents: {
            ...(at(v, "2024.0.1") ? { jobagents: ["job-agents-default-queue"] } : {}),
            ...(at(v, "2025.0.0")
                ? {
                      webApiAgents: at(v, "2025.1.0")
                          ? ["webapi-agent-default-queue"]
                          : ["webapi-agent-default-queue", "webapi-agent-second-queue"],
                  }
                : {}),
        },
    };
}
