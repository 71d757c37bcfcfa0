/**
 * The application half of the composition: AI Hub and its Ingress, after the StorageClasses (and the
 * RegistryMirror when the bundle is pushed by the program).
 */
import * as pulumi from "@pulumi/pulumi";
import { credentialNameProblems } from "../catalog/aihub-credentials";
import { AiHub } from "../modules/aihub/aihub";
import { AiHubIngress } from "../modules/aihub/aihub-ingress";
import { AiHubRoute } from "../modules/aihub/aihub-route";
import { AiHubScale } from "../modules/aihub/aihub-scale";
import { aihubLayout } from "../catalog/aihub-layout";
import { deepMerge } from "../lib/merge";
import { aihubWorkloads } from "../modules/aihub/scale";
import type { Provided } from "./contracts";
import { ConfigError } from "../lib/problems";
import type { PlatformConfig } from "./contracts";
import type { Storage } from "./contracts";
import { writePostRenderScript } from "../modules/aihub/postrender-script";

/** What the application half returns. */
export interface Application {
    aihub: AiHub;
    /** The replica counts of its workloads (`aihub.running`). */
    scale: AiHubScale;
    /** The Ingress, or in `ingress.mode` gateway the HTTPRoute on the shared Gateway. */
    ingress: AiHubIngress | AiHubRoute;
    /** Stack outputs of this half. */
    outputs: Record<string, pulumi.Input<unknown>>;
}

/** Builds AI Hub and its Ingress; throws a ConfigError naming `aihub.credentials.<name>` for unknown names. */
export function buildApplication(
    cfg: PlatformConfig,
    deps: {
        mirror?: pulumi.Resource;
        storage: Pick<Storage, "rwxStorageClass" | "rwoStorageClass" | "storageClasses">;
        /** Component options carrying the explicit Kubernetes provider. */
        kube: pulumi.ComponentResourceOptions;
        /** What the add-ons provide (the issuer of AI Hub's certificate, the shared Gateway). @default {} */
        provided?: Provided;
    },
    baseDir = process.cwd(),
): Application {
    const problems = credentialNameProblems(Object.keys(cfg.aihub.credentials));
    if (problems.length > 0) throw new ConfigError(problems);
    const { aihub: a, ingress: i } = cfg;
    const issuer = deps.provided?.issuer;
    const issued =
        issuer && i.mode !== "http" && !i.tlsCert
            ? { issuer: issuer.name, caCert: issuer.caCert, ready: issuer.ready }
            : undefined;
    const aihub = new AiHub(
        "aihub",
        {
            version: a.version,
            chart: a.chart,
            namespace: a.namespace,
            releaseName: a.releaseName,
            domain: a.domain,
            registry: cfg.registry,
            rwxStorageClass: deps.storage.rwxStorageClass,
            rwoStorageClass: deps.storage.rwoStorageClass,
            mode: i.mode,
            tlsCert: i.tlsCert,
            tlsKey: i.tlsKey,
            caCert: i.caCert,
            issued,
            vendorValues: a.vendorValues,
            inlineValues: a.values,
            credentials: a.credentials,
            license: a.license,
            // Written here, by the composition, so that the component only names it.
            postRenderer: writePostRenderScript(baseDir, { registry: cfg.registry.server, stopped: !a.running }),
            protect: cfg.protectData,
            storage: deps.storage.storageClasses,
            dependsOn: [...deps.storage.storageClasses, ...(deps.mirror ? [deps.mirror] : [])],
        },
        deps.kube,
    );
    const scale = new AiHubScale(
        "aihub-scale",
        {
            namespace: aihub.namespace,
            workloads: aihubWorkloads(aihubLayout(a.version), deepMerge(a.vendorValues, a.values)),
            running: a.running,
            release: aihub.release,
        },
        deps.kube,
    );
    // Not after the release: several AI Hub pods call the public URL while they start, so the Ingress must exist
    // before the release can become ready. It needs only the namespace (a data dependency) and its TLS Secret.
    const ingress =
        i.mode === "gateway"
            ? new AiHubRoute(
                  "aihub-route",
                  {
                      version: a.version,
                      namespace: aihub.namespace,
                      host: a.domain,
                      gateway: gatewayOf(deps.provided),
                      caCert: issued?.caCert ?? i.caCert,
                  },
                  deps.kube,
              )
            : new AiHubIngress(
                  "aihub-ingress",
                  {
                      version: a.version,
                      namespace: aihub.namespace,
                      host: a.domain,
                      className: i.className,
                      mode: i.mode,
                      tlsCert: i.tlsCert,
                      tlsKey: i.tlsKey,
                      issued,
                  },
                  deps.kube,
              );
    return {
        aihub,
        scale,
        ingress,
        outputs: {
            aihubUrl: aihub.url,
            aihubNamespace: aihub.namespace,
            aihubAdminUser: aihub.adminUser,
            aihubAdminPassword: aihub.adminPassword,
        },
    };
}

/** The shared Gateway; validation makes `ingress.mode` gateway need the add-on, so its absence is a bug. */
function gatewayOf(provided: Provided | undefined): NonNullable<Provided["gateway"]> {
    if (!provided?.gateway) throw new Error("ingress.mode gateway needs addons.gateway (validation checks this)");
    return provided.gateway;
}
