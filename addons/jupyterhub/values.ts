/**
 * Helm values of the zero-to-jupyterhub chart: every image in the private registry, user homes on the CephFS (RWX)
 * class, profiles, culling, the authenticator, served under a path of the AI Hub host behind our route (the chart's
 * own proxy stays a ClusterIP Service, autohttps off). Secrets never enter the values: they come from a Secret the
 * component writes, through `hub.extraEnv` references.
 */
import { mapImage, mapRepository } from "../../lib/imageref";
import { JUPYTERHUB_CATALOG } from "./catalog";
import type { JupyterHubConfig, JupyterHubProfile } from "./schema";

/** The ConfigMap (created by the component) with the site CA the hub trusts for AI Hub's Keycloak, and its mount. */
export const SITE_CA = { configMap: "jupyterhub-site-ca", key: "ca.crt", dir: "/etc/aihub-airgap/site-ca" };

/** The Secret (created by the component) holding the authenticator's secret, and its key. */
export const AUTH_SECRET = { name: "jupyterhub-auth", key: "secret" };
/** The GPU extended resource name (the gpu add-on's `resourceName`). */
export const GPU_RESOURCE = "nvidia.com/gpu";

/** Inputs of {@link jupyterhubValues}. */
export interface JupyterHubValuesInput {
    section: JupyterHubConfig;
    registry: string;
    pullSecretName: string;
    /** `aihub.domain`. */
    domain: string;
    /** CephFS (RWX) class for user homes. */
    rwxStorageClass: string;
    /** RWO class for the hub's sqlite database. */
    rwoStorageClass: string;
    /** The site CA is in {@link SITE_CA}'s ConfigMap (OIDC against AI Hub's Keycloak behind a private CA). @default false */
    siteCa?: boolean;
}

type Values = Record<string, unknown>;

/** Keycloak of AI Hub: `https://<domain>/auth/realms/<realm>` (AI Hub's SSO path). */
export function keycloakIssuer(domain: string, realm: string): string {
    return `https://${domain}/auth/realms/${realm}`;
}

/** The profiles users pick; with none configured, one CPU profile with the first image. */
export function profileList(s: JupyterHubConfig, registry: string): Values[] {
    const profiles: JupyterHubProfile[] = s.profiles.length
        ? s.profiles
        : [{ name: "CPU", cpu: 1, memory: "2Gi", gpus: 0, default: true }];
    return profiles.map((p) => ({
        display_name: p.name,
        ...(p.description ? { description: p.description } : {}),
        ...(p.default ? { default: true } : {}),
        kubespawner_override: {
            image: mapImage(p.image ?? s.images[0], registry),
            cpu_guarantee: p.cpu,
            cpu_limit: p.cpu,
            mem_guarantee: p.memory,
            mem_limit: p.memory,
            ...(p.gpus > 0
                ? {
                      extra_resource_guarantees: { [GPU_RESOURCE]: String(p.gpus) },
                      extra_resource_limits: { [GPU_RESOURCE]: String(p.gpus) },
                  }
                : {}),
        },
    }));
}

/**
 * `hub.config`, `hub.extraEnv`, `hub.extraConfig` of the authenticator; with `siteCa`, OIDC trusts the site CA (Python's
 * default context reads `SSL_CERT_FILE`), so the token call to a Keycloak behind a private CA verifies.
 */
export function authValues(s: JupyterHubConfig, domain: string, siteCa = false): Values {
    const a = s.auth;
    const fromSecret = (env: string) => ({
        [env]: { valueFrom: { secretKeyRef: { name: AUTH_SECRET.name, key: AUTH_SECRET.key } } },
    });
    if (a.type === "native") {
        return {
            config: {
                JupyterHub: { authenticator_class: "nativeauthenticator.NativeAuthenticator" },
                Authenticator: { admin_users: a.admins },
                NativeAuthenticator: { open_signup: false },
            },
        };
    }
    if (a.type === "ldap") {
        return {
            config: {
                JupyterHub: { authenticator_class: "ldapauthenticator.LDAPAuthenticator" },
                Authenticator: { admin_users: a.admins, allow_all: true },
                LDAPAuthenticator: {
                    server_address: a.server,
                    server_port: a.port,
                    use_ssl: a.ssl,
                    lookup_dn: true,
                    lookup_dn_search_user: a.bindDn,
                    user_search_base: a.userSearchBase,
                    user_attribute: a.userAttribute,
                },
            },
            extraEnv: fromSecret("LDAP_BIND_PASSWORD"),
            extraConfig: {
                "aihub-airgap-ldap":
                    "import os\nc.LDAPAuthenticator.lookup_dn_search_password = os.environ['LDAP_BIND_PASSWORD']\n",
            },
        };
    }
    const issuer = keycloakIssuer(domain, a.realm);
    return {
        config: {
            JupyterHub: { authenticator_class: "oauthenticator.generic.GenericOAuthenticator" },
            GenericOAuthenticator: {
                client_id: a.clientId,
                oauth_callback_url: `https://${domain}${s.path}/hub/oauth_callback`,
                authorize_url: `${issuer}/protocol/openid-connect/auth`,
                token_url: `${issuer}/protocol/openid-connect/token`,
                userdata_url: `${issuer}/protocol/openid-connect/userinfo`,
                login_service: "AI Hub",
                username_claim: "preferred_username",
                scope: ["openid", "profile", "email"],
                allow_all: true,
                ...(a.adminGroups.length ? { admin_groups: a.adminGroups, claim_groups_key: "groups" } : {}),
            },
        },
        // OAuthenticator reads its client secret from OAUTH_CLIENT_SECRET.
        extraEnv: {
            ...fromSecret("OAUTH_CLIENT_SECRET"),
            ...(siteCa ? { SSL_CERT_FILE: `${SITE_CA.dir}/${SITE_CA.key}` } : {}),
        },
        ...(siteCa
            ? {
                  extraVolumes: [{ name: "site-ca", configMap: { name: SITE_CA.configMap } }],
                  extraVolumeMounts: [{ name: "site-ca", mountPath: SITE_CA.dir, readOnly: true }],
              }
            : {}),
    };
}

/** Sets `{ name, tag }` under a dotted path. */
function putImage(v: Values, dotted: string, image: { name: string; tag: string }): void {
    const keys = dotted.split(".");
    let o = v;
    for (const k of keys.slice(0, -1)) o = (o[k] ??= {}) as Values;
    o[keys[keys.length - 1]] = { ...(o[keys[keys.length - 1]] as object | undefined), ...image };
}

/** The chart's values. */
export function jupyterhubValues(i: JupyterHubValuesInput): Values {
    const s = i.section;
    const R = i.registry;
    const first = mapImage(s.images[0], R);
    const v: Values = {
        imagePullSecrets: [i.pullSecretName],
        hub: {
            baseUrl: s.path,
            db: { pvc: { storageClassName: i.rwoStorageClass } },
            ...authValues(s, i.domain, i.siteCa),
        },
        proxy: { service: { type: "ClusterIP" }, https: { enabled: false } },
        singleuser: {
            image: { name: mapRepository(s.images[0], R), tag: first.slice(first.lastIndexOf(":") + 1) },
            storage: {
                type: "dynamic",
                capacity: s.storage.capacity,
                dynamic: { storageClass: i.rwxStorageClass, storageAccessModes: ["ReadWriteMany"] },
            },
            profileList: profileList(s, R),
            // The chart's default adds a privileged NET_ADMIN init container to every notebook pod to block the cloud
            // metadata address with iptables; Pod Security baseline (this namespace's level) refuses it, and the
            // chart's singleuser NetworkPolicy already leaves that address out of the pods' egress.
            cloudMetadata: { blockWithIptables: false },
        },
        cull: { enabled: s.cull.enabled, timeout: s.cull.timeout, every: s.cull.every },
        ingress: { enabled: false },
        httpRoute: { enabled: false },
    };
    for (const [path, img] of Object.entries(JUPYTERHUB_CATALOG[s.version])) {
        const ref = mapImage(`${img.name}:${img.tag}`, R);
        putImage(v, path, { name: mapRepository(img.name, R), tag: ref.slice(ref.lastIndexOf(":") + 1) });
    }
    return v;
}
