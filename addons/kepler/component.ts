import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { AddOnNamespace } from "../../k8s/namespace";
import type { Provided } from "../../platform/contracts";
import { keplerImage } from "./catalog";
import { dashboardConfigMap } from "./dashboard";
import type { KeplerConfig } from "./schema";
import { keplerValues, RELEASE_NAME, SERVICE_ACCOUNT } from "./values";

/** Arguments of {@link Kepler}. */
export interface KeplerArgs {
    /** The validated `addons.kepler` section. */
    section: KeplerConfig;
    /** Private registry every image comes from, and its pull credentials. */
    registry: { server: string; username: string; password: pulumi.Input<string>; pullSecretName: string };
    /** The monitoring add-on: its Prometheus scrapes Kepler, its Grafana shows the dashboard. */
    monitoring: NonNullable<Provided["monitoring"]>;
    /** What must exist first (the image push). @default [] */
    dependsOn?: pulumi.Input<pulumi.Resource>[];
    /** Helm timeout in seconds. @default 600 */
    timeoutSeconds?: number;
}

/**
 * Kepler: namespace, pull secret, the ServiceAccount with the pull secret and the read access the exporter needs
 * (pods and nodes, the kubelet's pod list), the release with its ServiceMonitor for the monitoring Prometheus, and
 * the Grafana dashboard in the monitoring namespace.
 */
export class Kepler extends pulumi.ComponentResource {
    /** The namespace name. */
    public readonly namespace: pulumi.Output<string>;
    /** The release. */
    public readonly release: k8s.helm.v3.Release;

    constructor(name: string, args: KeplerArgs, opts?: pulumi.ComponentResourceOptions) {
        super("aihub-airgap:addons:Kepler", name, {}, opts);
        const s = args.section;
        const ns = new AddOnNamespace(
            `${name}-ns`,
            // The exporter is privileged and reads the host's /proc and /sys.
            { name: s.namespace, registry: args.registry, podSecurity: "privileged" },
            { parent: this },
        );
        this.namespace = ns.name;
        const sa = new k8s.core.v1.ServiceAccount(
            `${name}-sa`,
            {
                metadata: { name: SERVICE_ACCOUNT, namespace: this.namespace },
                imagePullSecrets: [{ name: ns.pullSecretName }],
            },
            { parent: this },
        );
        const role = new k8s.rbac.v1.ClusterRole(
            `${name}-reader`,
            {
                metadata: { name: `${RELEASE_NAME}-reader` },
                rules: [
                    { apiGroups: [""], resources: ["pods", "nodes"], verbs: ["get", "list", "watch"] },
                    // The kubelet's /pods endpoint (pod informer mode "kubelet") authorizes through nodes/proxy.
                    { apiGroups: [""], resources: ["nodes/proxy"], verbs: ["get"] },
                ],
            },
            { parent: this },
        );
        const binding = new k8s.rbac.v1.ClusterRoleBinding(
            `${name}-reader-binding`,
            {
                metadata: { name: `${RELEASE_NAME}-reader` },
                roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: role.metadata.name },
                subjects: [{ kind: "ServiceAccount", name: sa.metadata.name, namespace: this.namespace }],
            },
            { parent: this },
        );
        this.release = new k8s.helm.v3.Release(
            `${name}-release`,
            {
                name: RELEASE_NAME,
                chart: s.chart,
                namespace: this.namespace,
                values: keplerValues({
                    image: keplerImage(s.version),
                    registry: args.registry.server,
                    selectorLabels: args.monitoring.selectorLabels,
                    scrapeInterval: s.scrapeInterval,
                }),
                timeout: args.timeoutSeconds ?? 600,
                maxHistory: 10,
            },
            // Its ServiceMonitor needs the CRD the monitoring release installs.
            {
                parent: this,
                dependsOn: [ns.pullSecret, sa, binding, ...args.monitoring.ready, ...(args.dependsOn ?? [])],
            },
        );
        const dashboard = dashboardConfigMap(
            args.monitoring.namespace,
            args.monitoring.dashboardLabels,
            args.monitoring.datasourceUid,
        );
        new k8s.core.v1.ConfigMap(`${name}-dashboard`, dashboard, { parent: this, dependsOn: args.monitoring.ready });
        this.registerOutputs({ namespace: this.namespace });
    }
}
