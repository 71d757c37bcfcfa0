import { z } from "zod";
import { dnsName, imageRef, k8sName, quantity, secret, version } from "../../config/schema";

/** One server option users pick when they start a notebook (kubespawner `profileList`). */
const profile = z.strictObject({
    /** Name shown in the spawn form. */
    name: z.string().min(1),
    /** One line under the name. @default none */
    description: z.string().optional(),
    /** CPU cores guaranteed and limited. @default 1 */
    cpu: z.number().positive().default(1),
    /** Memory guaranteed and limited. @default 2Gi */
    memory: quantity.default("2Gi"),
    /** GPUs requested (`nvidia.com/gpu`); needs the gpu add-on. @default 0 */
    gpus: z.number().int().min(0).default(0),
    /** Notebook image (upstream name, mapped into the private registry); @default the first of `images` */
    image: imageRef.optional(),
    /** Preselected in the form. @default false */
    default: z.boolean().default(false),
});

/** Who may log in. */
const auth = z.discriminatedUnion("type", [
    z.strictObject({
        /** NativeAuthenticator: users sign up, admins approve. */
        type: z.literal("native"),
        /** Admin user names. @default [] */
        admins: z.array(z.string().min(1)).default([]),
    }),
    z.strictObject({
        /** LDAPAuthenticator with a search bind. */
        type: z.literal("ldap"),
        server: dnsName,
        port: z.number().int().min(1).max(65535).default(636),
        /** TLS to the LDAP server. @default true */
        ssl: z.boolean().default(true),
        bindDn: z.string().min(1),
        /** Secret: bind password. */
        bindPassword: secret,
        userSearchBase: z.string().min(1),
        userAttribute: z.string().default("uid"),
        admins: z.array(z.string().min(1)).default([]),
    }),
    z.strictObject({
        /** GenericOAuthenticator against AI Hub's Keycloak (`https://<aihub.domain>/auth/realms/<realm>`). */
        type: z.literal("oidc"),
        /** Keycloak realm. @default master (AI Hub's `common.defaultSSORealm`) */
        realm: z.string().default("master"),
        clientId: z.string().min(1),
        /** Secret: the confidential client's secret. */
        clientSecret: secret,
        /** Users of these Keycloak groups are admins. @default [] */
        adminGroups: z.array(z.string().min(1)).default([]),
    }),
]);

/** `addons.jupyterhub`: JupyterHub (zero-to-jupyterhub) with CephFS user storage. */
export const jupyterhubSchema = z.strictObject({
    /** Chart version; selects the image catalog. */
    version: version.refine((v) => v === "4.4.0", { error: "has no image catalog (use 4.4.0)" }).default("4.4.0"),
    /** Path of the packaged jupyterhub chart. */
    chart: z.string().min(1),
    /** @default jupyterhub */
    namespace: k8sName.default("jupyterhub"),
    /** Path under aihub.domain; not one AI Hub serves (its own JupyterHub is at /jupyter). @default /addons/jupyterhub */
    path: z
        .string()
        .regex(/^\/[a-z0-9][-a-z0-9/]*[a-z0-9]$/, {
            error: "must be a path like /addons/jupyterhub (no trailing slash)",
        })
        .default("/addons/jupyterhub"),
    /** Per-user home volume on the CephFS (RWX) class. @default 10Gi */
    storage: z.strictObject({ capacity: quantity.default("10Gi") }).default({ capacity: "10Gi" }),
    /** Notebook images users may run (upstream names; the bundle carries them). The first is the default. */
    images: z.array(imageRef).min(1, { error: "must list at least one notebook image" }),
    /** Server options. @default one CPU profile with the first image */
    profiles: z.array(profile).default([]),
    /** Idle culling. @default on, 3600 s idle, checked every 600 s */
    cull: z
        .strictObject({
            enabled: z.boolean().default(true),
            timeout: z.number().int().positive().default(3600),
            every: z.number().int().positive().default(600),
        })
        .default({ enabled: true, timeout: 3600, every: 600 }),
    auth,
});

export type JupyterHubConfig = z.output<typeof jupyterhubSchema>;
export type JupyterHubProfile = JupyterHubConfig["profiles"][number];
