import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { GeneratedSecret } from "../../k8s/generated-secret";
import { ExposedService, type Exposure } from "../shared/exposed-service";
import { AddOnNamespace } from "../../k8s/namespace";
import { monitoringImages } from "./catalog";
import { cephRuleSpec, cephServiceMonitorSpec } from "./ceph";
import type { MonitoringConfig } from "./schema";
import {
    GRAFANA_ADMIN_KEYS,
    GRAFANA_PORT,
    GRAFANA_SERVICE,
    monitoringValues,
    RELEASE_NAME,
    SELECTOR_LABELS,
} from "./values";

/** Arguments of {@link Monitoring}. */
export interface MonitoringArgs {
    /** The validated `addons.monitoring` section. */
    section: MonitoringConfig;
    /** Private registry every image comes from, and its pull credentials. */
    registry: { server: string; username: string; password: pulumi.Input<string>; pullSecretName: string };
    /** The Ceph RWO StorageClass for the Prometheus, Alertmanager and Grafana volumes. */
    storageClass: pulumi.Input<string>;
    /** The AI Hub host Grafana is served under. */
    host: string;
    /** Gateway or Ingress for Grafana (addons/shared/exposed-service.ts `exposureOf`). */
    exposure: Exposure;
    /** Namespace of the Rook cluster whose mgr metrics are scraped (when `section.ceph`). */
    rookNamespace: string;
    /**
     * What must exist first: the image push and the StorageClasses (the namespace, and with it the PVCs, also goes
     * before them on destroy). @default []
     */
    dependsOn?: pulumi.Input<pulumi.Resource>[];
    /** Protect the release (Grafana's volume is the chart's and goes with it). @default true */
    protect?: boolean;
    /** Helm timeout in seconds. @default 900 */
    timeoutSeconds?: number;
}

/**
 * kube-prometheus-stack: namespace, pull secret, a generated Grafana admin password in its own Secret, the release
 * with every image private and volumes on the Ceph RWO class, Grafana under a path of the AI Hub host, and the Ceph
 * ServiceMonitor and alert rules.
 */
export class Monitoring extends pulumi.ComponentResource {
    /** The namespace name. */
    public readonly namespace: pulumi.Output<string>;
    /** The release; monitors and rules of other add-ons wait for it (it installs the CRDs and the operator). */
    public readonly release: k8s.helm.v3.Release;
    /** Where users open Grafana. */
    public readonly grafanaUrl: pulumi.Output<string>;
    /** Grafana's generated admin password (secret). */
    public readonly grafanaAdminPassword: pulumi.Output<string>;

    constructor(name: string, args: MonitoringArgs, opts?: pulumi.ComponentResourceOptions) {
        super("aihub-airgap:addons:Monitoring", name, {}, opts);
        const s = args.section;
        const ns = new AddOnNamespace(
            `${name}-ns`,
            // node-exporter runs with the host's network and PID namespace.
            { name: s.namespace, registry: args.registry, podSecurity: "privileged", dependsOn: args.dependsOn },
            { parent: this },
        );
        this.namespace = ns.name;
        this.grafanaAdminPassword = pulumi.secret(
            new GeneratedSecret(`${name}-grafana-password`, { shape: "password" }, { parent: this }).value,
        );
        const admin = new k8s.core.v1.Secret(
            `${name}-grafana-admin`,
            {
                metadata: { name: "grafana-admin", namespace: this.namespace },
                stringData: {
                    [GRAFANA_ADMIN_KEYS.user]: "admin",
                    [GRAFANA_ADMIN_KEYS.password]: this.grafanaAdminPassword,
                },
            },
            { parent: this },
        );
        const route = new ExposedService(
            `${name}-grafana`,
            {
                namespace: this.namespace,
                host: args.host,
                path: s.grafana.path,
                service: GRAFANA_SERVICE,
                port: GRAFANA_PORT,
                via: args.exposure,
            },
            { parent: this },
        );
        this.grafanaUrl = route.url;
        const values = pulumi.all([args.storageClass, route.url]).apply(([storageClass, grafanaUrl]) =>
            monitoringValues({
                section: s,
                images: monitoringImages(s.version),
                registry: args.registry.server,
                pullSecretName: args.registry.pullSecretName,
                storageClass,
                adminSecretName: "grafana-admin",
                grafanaUrl,
            }),
        );
        this.release = new k8s.helm.v3.Release(
            `${name}-release`,
            {
                name: RELEASE_NAME,
                chart: s.chart,
                namespace: this.namespace,
                values,
                timeout: args.timeoutSeconds ?? 900,
                maxHistory: 10,
            },
            {
                parent: this,
                dependsOn: [ns.pullSecret, admin, ...(args.dependsOn ?? [])],
                protect: args.protect ?? true,
            },
        );
        if (s.ceph) {
            const metadata = { namespace: this.namespace, labels: SELECTOR_LABELS };
            new k8s.apiextensions.CustomResource(
                `${name}-ceph-mgr`,
                {
                    apiVersion: "monitoring.coreos.com/v1",
                    kind: "ServiceMonitor",
                    metadata: { ...metadata, name: "ceph-mgr" },
                    spec: cephServiceMonitorSpec(args.rookNamespace),
                },
                { parent: this, dependsOn: [this.release] },
            );
            new k8s.apiextensions.CustomResource(
                `${name}-ceph-rules`,
                {
                    apiVersion: "monitoring.coreos.com/v1",
                    kind: "PrometheusRule",
                    metadata: { ...metadata, name: "ceph" },
                    spec: cephRuleSpec(),
                },
                { parent: this, dependsOn: [this.release] },
            );
        }
        this.registerOutputs({
            namespace: this.namespace,
            grafanaUrl: this.grafanaUrl,
            grafanaAdminPassword: this.grafanaAdminPassword,
        });
    }
}
