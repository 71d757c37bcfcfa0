/** The Kepler add-on: per-pod energy metrics in the monitoring add-on's Prometheus, with a Grafana dashboard. */
import type { PlatformConfig } from "../../platform/contracts";
import type { AddOnProblems } from "../../platform/contracts";
import { defineAddOn } from "../shared/define";
import { chartVersionProblems } from "../shared/chart";
import { keplerImage } from "./catalog";
import { Kepler } from "./component";
import { keplerSchema, type KeplerConfig } from "./schema";

/** Kepler needs the monitoring add-on (its CRDs, Prometheus and Grafana), and a chart of the declared version. */
export function keplerRules(s: KeplerConfig, all: Partial<PlatformConfig>): AddOnProblems {
    const errors = chartVersionProblems("addons.kepler.chart", s.chart, s.version, `kepler-${s.version}.tgz`);
    if (all.addons?.monitoring === undefined) {
        errors.push({
            path: "addons.kepler",
            text: "needs addons.monitoring (turn it on: its Prometheus scrapes Kepler and its Grafana shows the dashboard; or set addons.kepler.enabled: false)",
        });
    }
    return { errors };
}

export const kepler = defineAddOn({
    name: "kepler",
    title: "Kepler: energy per node and pod from RAPL, in Prometheus and a Grafana dashboard",
    requires: ["monitoring"],
    schema: keplerSchema,
    rules: keplerRules,
    charts: (s) => [{ key: "addons.kepler.chart", path: s.chart }],
    images: (s) => [keplerImage(s.version)],
    build: (s, deps) => {
        const monitoring = deps.provided.monitoring;
        if (!monitoring) throw new Error("addons.kepler needs addons.monitoring (validation checks this)");
        const k = new Kepler(
            "kepler",
            {
                section: s,
                registry: deps.cfg.registry,
                monitoring,
                dependsOn: deps.mirror ? [deps.mirror] : [],
            },
            deps.kube,
        );
        return { component: k };
    },
});
