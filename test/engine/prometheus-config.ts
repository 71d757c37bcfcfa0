/**
 * What the real prometheus-operator (run by the sim, testing/sim/upstream.ts) made of a Prometheus resource: the
 * scrape configuration it generated into the Secret `prometheus-<name>` (key `prometheus.yaml.gz`, read by the
 * config reloader beside Prometheus) and the Services of the cluster each ServiceMonitor job keeps. Nothing runs
 * Prometheus here, so the keep rules of a job (Service labels, endpoint port name: what the operator's
 * generateServiceMonitorConfig emits, pkg/prometheus/promcfg.go@v0.93.1) are applied to the live Services the way
 * Prometheus' relabelling would apply them to the endpoints it discovers.
 */
import * as zlib from "node:zlib";
import YAML from "yaml";
import type { ApiClient } from "../../lib/kube-api";

/** One generated scrape job, as far as the checks read it. */
export interface ScrapeJob {
    job_name: string;
    kubernetes_sd_configs?: { role: string; namespaces?: { names?: string[] } }[];
    relabel_configs?: { action?: string; source_labels?: string[]; regex?: string; target_label?: string }[];
}

/** The scrape jobs the operator generated for the Prometheus `name` in `namespace`, or undefined before it did. */
export async function generatedScrapeJobs(
    client: ApiClient,
    namespace: string,
    name: string,
): Promise<ScrapeJob[] | undefined> {
    const secret = await client.get(`/api/v1/namespaces/${namespace}/secrets/prometheus-${name}`);
    const gz = (secret?.data as Record<string, string> | undefined)?.["prometheus.yaml.gz"];
    if (!gz) return undefined;
    const config = YAML.parse(zlib.gunzipSync(Buffer.from(gz, "base64")).toString("utf8")) as {
        scrape_configs?: ScrapeJob[];
    };
    return config.scrape_configs ?? [];
}

/** A keep rule's regex matched against a whole value, as Prometheus anchors it. */
function fullMatch(regex: string, value: string): boolean {
    return new RegExp(`^(?:${regex})$`).test(value);
}

/**
 * The keep rules of a job that select what it scrapes: all but the sharding ones, which keep the targets whose
 * address hash falls on the Prometheus pod's own shard (`__tmp_hash`, `__tmp_disable_sharding`, `__tmp_current_shard`
 * against `$(SHARD)`: appendShardingRelabelingWithLabel in promcfg.go) — with one shard, as here, every target.
 */
export function selectionRules(job: ScrapeJob): NonNullable<ScrapeJob["relabel_configs"]> {
    return (job.relabel_configs ?? []).filter(
        (r) =>
            r.action === "keep" &&
            !(r.source_labels ?? []).every((l) => /^__tmp_(hash|disable_sharding|current_shard)$/.test(l)),
    );
}

const SERVICE_LABEL = /^__meta_kubernetes_service_label_(.+)$/;
const PORT_NAME = /^__meta_kubernetes_endpoint(slice)?_port_name$/;

/**
 * The `namespace/service:port` targets a ServiceMonitor job keeps among the cluster's Services: those in the
 * job's namespaces whose labels pass every Service-label keep rule, one per port whose name passes the port keep
 * rule. Throws on a keep rule over any other meta label (this reading of the job would be incomplete).
 */
export async function keptServiceTargets(client: ApiClient, job: ScrapeJob): Promise<string[]> {
    const sd = job.kubernetes_sd_configs?.[0];
    const namespaces = sd?.namespaces?.names;
    const services = await client.list("/api/v1/services");
    const keeps = selectionRules(job);
    const targets: string[] = [];
    for (const svc of services) {
        const ns = svc.metadata.namespace ?? "";
        if (namespaces && !namespaces.includes(ns)) continue;
        const labels = svc.metadata.labels ?? {};
        const sanitized = new Map(Object.entries(labels).map(([k, v]) => [k.replace(/[^a-zA-Z0-9_]/g, "_"), v]));
        const ports = (svc.spec?.ports as { name?: string; port: number }[] | undefined) ?? [];
        let keptPorts = ports;
        let kept = true;
        for (const rule of keeps) {
            const source = rule.source_labels ?? [];
            const label = SERVICE_LABEL.exec(source[0] ?? "");
            if (label) {
                const present = sanitized.has(label[1]);
                kept &&= fullMatch(rule.regex ?? "(.*)", `${sanitized.get(label[1]) ?? ""};${present}`);
            } else if (PORT_NAME.test(source[0] ?? "")) {
                keptPorts = keptPorts.filter((p) => fullMatch(rule.regex ?? "(.*)", p.name ?? ""));
            } else {
                throw new Error(`${job.job_name}: keep rule over ${source.join(",")} is not read here`);
            }
        }
        if (kept) targets.push(...keptPorts.map((p) => `${ns}/${svc.metadata.name}:${p.name ?? p.port}`));
    }
    return targets.sort();
}
