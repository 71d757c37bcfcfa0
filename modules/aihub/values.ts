/**
 * The AI Hub chart values, as a pure function of validated config per chart layout. Layers, later wins:
 * site defaults < vendor values file < computed values (registry, domain, storage, TLS, credentials) < inline values.
 */
import { mapRepository } from "../../lib/imageref";
import { aihubGrafanaTag } from "../../catalog/aihub";
import type { IngressConfig } from "../../config/schema";
import { credentialValues } from "../../catalog/aihub-credentials";
import type { AiHubLayout } from "../../catalog/aihub-layout";
import { atPath, deepMerge, isMapping } from "../../lib/merge";

/** Secret the proxy serves as its public certificate (2025.0+, `common.publicCert.tlsSecretName`). */
export const PUBLIC_CERT_SECRET = "aihub-public-tls";
/** Secret the proxy mounts for an encrypted key's password; it must exist once publicCert is set. */
export const CERT_PASSWORD_SECRET = "aihub-public-tls-password";
/** Secret with the custom CA (`common.customCA.tlsSecretName`). */
export const CUSTOM_CA_SECRET = "customca";
/** The chart's initial admin user. */
export const ADMIN_USER = "admin";

/** Resolved inputs of the generator. */
export interface ValuesInput {
    layout: AiHubLayout;
    /** Public host name (`aihub.domain`), also the Ingress host. */
    domain: string;
    /** Release namespace = `common.productNS`. */
    namespace: string;
    /** Private registry `host[:port][/project]`. */
    registry: string;
    /** Name of the image pull Secret in the namespace. */
    pullSecretName: string;
    /** CephFS StorageClass (ReadWriteMany). */
    rwxStorageClass: string;
    /** RBD StorageClass when enabled, else the CephFS class. */
    rwoStorageClass: string;
    mode: IngressConfig["mode"];
    /** Credential values by name (see credentials.ts); every name must be present. */
    credentials: Record<string, string>;
    /** License value (`aihub.license`), when given. */
    license?: string;
}

/** The registry prefix (with trailing `/`) that replaces an upstream Docker Hub namespace, per design §5. */
export function registryPrefix(upstreamNamespace: string, registry: string): string {
    return mapRepository(`docker.io/${upstreamNamespace}/x`, registry).slice(0, -1);
}

/** Public URL of AI Hub for a mode (the Ingress listens on the default port of the scheme). */
export function publicUrl(domain: string, mode: IngressConfig["mode"]): string {
    return `${mode === "http" ? "http" : "https"}://${domain}`;
}

/** Values below the vendor file: plain names and unused fields the chart leaves as placeholders or null. */
export function siteDefaults(l: AiHubLayout): Record<string, unknown> {
    return {
        common: { timeZone: "UTC" },
        aihubDB: { dbName: "aihub", dbUser: "aihub" },
        keycloakDB: { dbName: "keycloak", dbUser: "keycloak" },
        jupyterDB: { dbName: "jupyterhub", dbUser: "jupyterhub" },
        activemq: { broker: { username: "aihub" } },
        webApiGateway: { webapiRegistryUsername: "webapi" },
        // Panopticon renders the Altair One credentials and the License Manager's host and port whatever the licence
        // type and mode: blank them. Altair One is refused in the gap; mode on_prem without a host and port is refused
        // by validation (config/license.ts reads the chart's defaults, the values file and inline values, not these),
        // and a legacy `rapidminer` licence never uses them.
        license: {
            altair: {
                altairOne: { credentials: { username: "", password: "" }, authCode: { code: "" } },
                onPrem: { host: "", port: "" },
            },
        },
        // Let's Encrypt is off; its mail and the 2026 chart's sample nginx snippet would keep chart placeholders.
        letsEncrypt: { webMasterEmail: "" },
        // 2025.x and 2026.x render these three into the proxy ConfigMap with `| quote`, which writes nothing for an
        // unset value: the key is null in the manifest. An install stores it as "", but Helm's three-way merge on
        // every later upgrade (and on adopting objects) reads null as "delete this key": the ConfigMap then differs
        // from a fresh install's. Empty strings render the same on both paths.
        proxy: {
            customNginxConfig: "",
            accessControlAllowOriginWebapi: "",
            accessControlAllowOriginRts: "",
            accessControlAllowOriginKeycloak: "",
        },
        // Same for the job clean-up keys of 2024.0–2025.0 (see AiHubLayout.oddJobCleanupKeys): the batch size goes in
        // unquoted, so its value is YAML text, and `""` is the empty string an install stores.
        ...(l.oddJobCleanupKeys
            ? {
                  aihubBackend: {
                      jobservice: {
                          scheduledArchiveJob: { JobContextCronExpression: "", jobMaxAge: "", jobBatchSize: '""' },
                      },
                  },
              }
            : {}),
    };
}

/** The values this program owns; they win over the vendor file. */
export function computedValues(i: ValuesInput): Record<string, unknown> {
    const l = i.layout;
    const https = i.mode !== "http";
    const url = publicUrl(i.domain, i.mode);
    const dockerURL = registryPrefix("rapidminer", i.registry);
    const common: Record<string, unknown> = {
        domain: i.domain,
        deploymentPort: https ? "443" : "80",
        deploymentProtocol: https ? "https" : "http",
        publicUrl: url,
        ssoDomain: i.domain,
        ssoPublicUrl: url,
        productNS: i.namespace,
        dockerURL,
        platform: "Other",
        imagePullSecret: i.pullSecretName,
        initialUser: ADMIN_USER,
        customCA: { enabled: i.mode === "https-custom-ca", tlsSecretName: CUSTOM_CA_SECRET },
    };
    if (l.publicCert) {
        common.publicCert = {
            tlsSecretName: PUBLIC_CERT_SECRET,
            passwordFile: { enabled: false, passwordSecretName: CERT_PASSWORD_SECRET },
        };
    }
    const layers: Record<string, unknown>[] = [
        {
            common,
            storage: { defaultStorageClassRWX: i.rwxStorageClass, defaultStorageClassRWO: i.rwoStorageClass },
            letsEncrypt: { allowLetsEncrypt: "false" },
            grafana: { repoName: registryPrefix("grafana", i.registry), staticVersion: aihubGrafanaTag(l.version) },
            jupyterNoteBook: { repoName: dockerURL },
        },
        ...credentialValues(l, i.credentials).map(([p, v]) => atPath(p, v)),
    ];
    // Before 2025.1 the agent image is set once per block; from 2025.1 per agent (see pinAgentImages).
    if (!l.perAgentImages) {
        layers.push(atPath(`${l.jobAgentKey}.repoName`, dockerURL), atPath(`${l.webApiAgentKey}.repoName`, dockerURL));
    }
    if (i.license) layers.push(atPath("license.rapidminer.licenseValue", i.license));
    return deepMerge(...layers);
}

/**
 * From 2025.1 each `agents[]` entry names its own registry: entries the vendor file lists get the private registry
 * (entries left to the chart's defaults fall back to `common.dockerURL`).
 */
export function pinAgentImages(values: Record<string, unknown>, l: AiHubLayout, dockerURL: string): void {
    if (!l.perAgentImages) return;
    for (const key of [l.jobAgentKey, l.webApiAgentKey]) {
        const block = values[key];
        if (!isMapping(block) || !Array.isArray(block.agents)) continue;
        block.agents = block.agents.map((a) => (isMapping(a) ? { ...a, repoName: dockerURL } : a));
    }
}

/** The release values: site defaults < vendor file < computed < inline. */
export function releaseValues(
    i: ValuesInput,
    vendor: Record<string, unknown>,
    inline: Record<string, unknown>,
): Record<string, unknown> {
    const merged = deepMerge(siteDefaults(i.layout), vendor, computedValues(i));
    pinAgentImages(merged, i.layout, registryPrefix("rapidminer", i.registry));
    return deepMerge(merged, inline);
}

/** Values keys that hold a secret. */
export const SECRET_KEY = /(pass|password|secret|cryptkey|token|licensevalue)$/i;
const CHART_DEFAULT = /^(changeit|changit|admin|password)$|PLACEHOLDER|^<.*>$|<ADMIN-PASS/i;

/** Paths whose secret-looking key still holds a chart default or placeholder (`changeit`, `<ADMIN-PASS…>`…). */
export function chartDefaultSecrets(v: unknown, at = ""): string[] {
    if (typeof v === "string") {
        const key = at.split(/[.[]/).pop() ?? "";
        return SECRET_KEY.test(key) && CHART_DEFAULT.test(v) ? [at] : [];
    }
    if (Array.isArray(v)) return v.flatMap((x, n) => chartDefaultSecrets(x, `${at}[${n}]`));
    if (isMapping(v)) return Object.entries(v).flatMap(([k, x]) => chartDefaultSecrets(x, at ? `${at}.${k}` : k));
    return [];
}
