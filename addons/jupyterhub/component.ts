import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { RegistryConfig } from "../../config/schema";
import { namespacePullSecret } from "../../k8s/namespaced-pull-secret";
import { ExposedService, type Exposure } from "../shared/exposed-service";
import type { JupyterHubConfig } from "./schema";
import { AUTH_SECRET, SITE_CA, jupyterhubValues } from "./values";

/** Arguments of {@link JupyterHub}. */
export interface JupyterHubArgs {
    /** The validated `addons.jupyterhub` section. */
    section: JupyterHubConfig;
    /** The private registry (`registry`): server, credentials, pull Secret name. */
    registry: RegistryConfig;
    /** `aihub.domain`: the hub is served under `section.path` of it. */
    domain: string;
    /** CephFS (RWX) class for user homes; RWO class for the hub database. */
    rwxStorageClass: pulumi.Input<string>;
    rwoStorageClass: pulumi.Input<string>;
    /** Gateway or Ingress (`exposureOf`). */
    via: Exposure;
    /** PEM of the private CA behind AI Hub's certificate (`siteCaOf`), trusted for OIDC sign-in. @default none */
    siteCa?: pulumi.Input<string>;
    /** What the release waits for (image push, StorageClasses, the GPU operator). @default [] */
    after?: pulumi.Resource[];
    /** Helm wait in seconds. @default 900 */
    timeoutSeconds?: number;
}

/** JupyterHub: namespace, pull secret, the authenticator's Secret, the chart, and its route under the AI Hub host. */
export class JupyterHub extends pulumi.ComponentResource {
    /** The URL users open. */
    public readonly url: pulumi.Output<string>;
    public readonly release: k8s.helm.v3.Release;

    constructor(name: string, args: JupyterHubArgs, opts?: pulumi.ComponentResourceOptions) {
        super("aihub-airgap:addons:JupyterHub", name, {}, opts);
        const s = args.section;
        // Notebook pods run user code: Pod Security baseline (no privileged, host or added-capability pods).
        const labels = { "pod-security.kubernetes.io/enforce": "baseline" };
        const ns = new k8s.core.v1.Namespace(
            `${name}-ns`,
            { metadata: { name: s.namespace, labels } },
            { parent: this },
        );
        const pull = namespacePullSecret(this, name, ns.metadata.name, args.registry);
        const deps: pulumi.Resource[] = [pull, ...(args.after ?? [])];
        const auth = s.auth;
        const secretValue =
            auth.type === "ldap" ? auth.bindPassword : auth.type === "oidc" ? auth.clientSecret : undefined;
        if (secretValue) {
            deps.push(
                new k8s.core.v1.Secret(
                    `${name}-auth`,
                    {
                        metadata: { name: AUTH_SECRET.name, namespace: ns.metadata.name },
                        stringData: { [AUTH_SECRET.key]: pulumi.secret(secretValue) },
                    },
                    { parent: this },
                ),
            );
        }
        const siteCa = auth.type === "oidc" && args.siteCa !== undefined;
        if (siteCa) {
            deps.push(
                new k8s.core.v1.ConfigMap(
                    `${name}-site-ca`,
                    {
                        metadata: { name: SITE_CA.configMap, namespace: ns.metadata.name },
                        data: { [SITE_CA.key]: args.siteCa! },
                    },
                    { parent: this },
                ),
            );
        }
        this.release = new k8s.helm.v3.Release(
            `${name}-jupyterhub`,
            {
                name: "jupyterhub",
                chart: s.chart,
                namespace: ns.metadata.name,
                values: pulumi.all([args.rwxStorageClass, args.rwoStorageClass]).apply(([rwx, rwo]) =>
                    jupyterhubValues({
                        section: s,
                        registry: args.registry.server,
                        pullSecretName: args.registry.pullSecretName,
                        domain: args.domain,
                        rwxStorageClass: rwx,
                        rwoStorageClass: rwo,
                        siteCa,
                    }),
                ),
                timeout: args.timeoutSeconds ?? 900,
            },
            { parent: this, dependsOn: deps },
        );
        const route = new ExposedService(
            `${name}-route`,
            {
                namespace: ns.metadata.name,
                host: args.domain,
                path: s.path,
                // The chart's proxy Service (proxy-public) serves the hub and the users' servers.
                service: "proxy-public",
                port: 80,
                via: args.via,
                dependsOn: [this.release],
            },
            { parent: this },
        );
        this.url = route.url;
        this.registerOutputs({ url: this.url });
    }
}
