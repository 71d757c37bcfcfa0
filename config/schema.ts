/**
 * The stack-config contract (design §4) as zod schemas, one per top-level key of namespace `aihub-airgap:`.
 * Field-level rules live here; rules that compare fields live in `rules.ts`. Secret fields come out of parsing
 * as `pulumi.Output<string>` marked secret, because zod drops Pulumi's secret marking.
 */
import * as crypto from "node:crypto";
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { imageRefProblem, registryHostProblem, registryServerProblem } from "../lib/imageref";
import { extraFileName } from "../lib/bundle-layout";
import { devicePathProblem } from "../lib/devices";
import { isQuantity, MAX_DISK_BYTES, quantityBytes } from "../lib/quantity";
import { cronProblem } from "../lib/cron";
import { parseCertificates } from "../lib/pem";

/** Paths of secret values; `*` matches one key. Any of these given in plain text is a config error. */
export const SECRET_PATHS = [
    "registry.password",
    "aihub.license",
    "aihub.credentials.*",
    "ingress.tlsKey",
    "backup.target.s3.accessKeyId",
    "backup.target.s3.secretAccessKey",
] as const;

/** Longest secret value accepted (a licence is a few KiB; the pull Secret must stay far below 1 MiB). */
export const MAX_SECRET_CHARS = 16384;
/** Longest registry password accepted (it is written twice into every pull Secret). */
export const MAX_REGISTRY_PASSWORD_CHARS = 1024;

export const secretOf = (max: number) =>
    z
        .string({
            error: "must be a secret string (set it with `pulumi config set --secret --path <key>`, which prompts)",
        })
        .min(1, { error: "must not be empty (set it with `pulumi config set --secret --path <key>`, which prompts)" })
        .max(max, { error: `is longer than ${max} characters (set a shorter value)` })
        .transform((v) => pulumi.secret(v));
export const secret = secretOf(MAX_SECRET_CHARS);

/** A string checked by a function that says what is wrong (and how to fix it), or nothing. */
export const checkedString = (problem: (v: string) => string | undefined, typeError: string) =>
    z.string({ error: typeError }).superRefine((v, ctx) => {
        const text = problem(v);
        if (text) ctx.addIssue({ code: "custom", message: text });
    });

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_NAME = /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

export const k8sName = z
    .string()
    .max(63, { error: "is longer than 63 characters (use a shorter name)" })
    .regex(DNS_LABEL, { error: "is not a DNS-1123 label (use lower-case letters, digits and '-')" });
/** Why a domain is not a DNS name users can open, or undefined. */
export function domainProblem(v: string): string | undefined {
    const fix = "(write the FQDN users open, e.g. aihub.example.com)";
    if (!DNS_NAME.test(v)) {
        return `is not a DNS name: use lower-case letters, digits, '-' and '.', no trailing dot ${fix}`;
    }
    if (v.split(".").some((l) => l.length > 63)) return `has a label longer than 63 characters ${fix}`;
    if (/^[\d.]+$/.test(v)) return `is an IP address, not a DNS name ${fix}`;
    return undefined;
}
export const dnsName = checkedString(domainProblem, "must be a DNS name (e.g. aihub.example.com)");
const SIZE_FIX = "write it like 10Gi or 256Gi";
/** Why a disk size is not accepted, or undefined. Minimums per role are checked in rules.ts. */
function sizeProblem(v: string): string | undefined {
    if (/^\d+(\.\d+)?$/.test(v)) return `"${v}" has no unit, so it means ${v} bytes (${SIZE_FIX})`;
    if (!isQuantity(v)) return `is not a Kubernetes quantity (${SIZE_FIX})`;
    if (quantityBytes(v) > MAX_DISK_BYTES)
        return `${v} is above 1Pi, larger than any disk (check the unit; ${SIZE_FIX})`;
    return undefined;
}
export const quantity = z
    .union([z.number(), z.string()], { error: `must be a size (${SIZE_FIX})` })
    .transform(String)
    .pipe(checkedString(sizeProblem, `must be a size (${SIZE_FIX})`));
/** An image reference: the image rule's syntax and the distribution spec's limits (lib/imageref.ts). */
export const imageRef = checkedString(imageRefProblem, "must be an image reference (e.g. quay.io/ceph/ceph:v19.2.3)");
/** PEM certificates, parsed as X.509 (tls.ts); `keyHome` is the secret a private key pasted here belongs in. */
export const pem = (keyHome?: string) =>
    z.string().superRefine((v, ctx) => {
        const r = parseCertificates(v, keyHome);
        if ("error" in r) ctx.addIssue({ code: "custom", message: r.error });
    });
export const version = z
    .string()
    .regex(/^v?\d+\.\d+\.\d+$/, { error: "is not a full version (write all three numbers, e.g. v1.20.6 or 2026.0.2)" });
const devicePath = checkedString(devicePathProblem, "must be a device path (write it like /dev/nvme1n1)");

/** Linux's PATH_MAX (linux/limits.h): the longest path a host path may be. */
export const PATH_MAX = 4096;

/** A raw disk on a worker. */
export const disk = z.strictObject({
    /** Device path on the node, e.g. `/dev/nvme1n1`. */
    path: devicePath,
    /** Capacity of the local PV; at most the real device size. */
    size: quantity,
});

const REGISTRY_FIX = "write host[:port][/project] without https://, e.g. registry.airgap.internal:5000";

/** Why an upstream mirror (`bundle.upstreamMirrors` value) is not accepted, or undefined. */
function mirrorProblem(v: string): string | undefined {
    if (/^([a-z][a-z0-9+.-]*:\/\/)?[^/]*@/i.test(v)) {
        return "carries credentials in the address, which would sit in the stack file in plain text (remove user:password@ and log in on the bastion instead: `skopeo login <mirror host>` prompts for the password and the bundle's pulls use that login)";
    }
    const p = registryServerProblem(v);
    return (
        p &&
        `is not a registry address: ${p} (${REGISTRY_FIX.replace("registry.airgap.internal:5000", "artifactory.corp.example/dockerhub-remote")})`
    );
}

/** The private registry inside the gap. */
export const registrySchema = z.strictObject({
    server: checkedString((v) => {
        const p = registryServerProblem(v);
        return p && `is not a registry address: ${p} (${REGISTRY_FIX})`;
    }, `must be a registry address (${REGISTRY_FIX})`),
    username: z
        .string()
        .min(1, { error: "must not be empty (set the registry user)" })
        .max(255, { error: "is longer than 255 characters (use the registry's user name)" })
        .refine((v) => !/[:\p{Cc}\p{Cf}]/u.test(v), {
            error: "contains ':' or a control character, which basic auth cannot carry (use the registry's user name)",
        }),
    password: secretOf(MAX_REGISTRY_PASSWORD_CHARS),
    caCert: pem().optional(),
    /** Name of the image pull Secret created in each namespace. */
    pullSecretName: k8sName.default("airgap-registry"),
});

/** Why a `bundle.publicKey` value is not a PEM ECDSA P-256 public key (the fix included), or undefined. */
function publicKeyProblem(v: string): string | undefined {
    const fix = "paste the public half of the bundle signing key (openssl pkey -in bundle-key.pem -pubout)";
    if (/PRIVATE KEY/.test(v)) return `is a private key: never put it in the stack; ${fix}`;
    let key: crypto.KeyObject;
    try {
        key = crypto.createPublicKey({ key: v, format: "pem" });
    } catch {
        return `is not a PEM public key: ${fix}`;
    }
    if (key.asymmetricKeyType !== "ec" || key.asymmetricKeyDetails?.namedCurve !== "prime256v1") {
        return `is not an ECDSA P-256 key: ${fix}`;
    }
    return undefined;
}

/** True when no name occurs twice. */
const duplicatesAbsent = (names: string[]) => new Set(names).size === names.length;

/** The bundle carried across the gap. */
export const bundleSchema = z.strictObject({
    path: z.string().min(1).optional(),
    platforms: z
        .array(
            z.string().regex(/^[a-z0-9]+\/[a-z0-9]+(\/[a-z0-9]+)?$/, {
                error: "is not a platform (write os/arch, e.g. linux/amd64)",
            }),
        )
        .min(1, { error: "must name at least one platform (e.g. [linux/amd64])" })
        .default(["linux/amd64"]),
    extraImages: z.array(imageRef).default([]),
    upstreamMirrors: z
        .record(
            z.string().refine((k) => !registryHostProblem(k), {
                error: "is not an upstream registry host (use the host of the images, e.g. docker.io or quay.io)",
            }),
            checkedString(mirrorProblem, "must be a registry address"),
        )
        .default({}),
    upstreamTlsVerify: z.boolean().default(true),
    /**
     * PEM public key (ECDSA P-256) the bundle must be signed with: RegistryMirror's push (and `npm run push`) refuse
     * a bundle it did not sign, and a signed bundle when it is unset.
     */
    publicKey: z
        .string()
        .superRefine((v, ctx) => {
            const bad = publicKeyProblem(v);
            if (bad) ctx.addIssue({ code: "custom", message: bad });
        })
        .optional(),
    /**
     * Upstream signatures to check on the bastion with cosign before anything is carried: each image matching
     * `images` (`*` = any characters) must be signed with `key` (PEM public key), or keyless by `identity` from
     * `issuer`. The first matching rule applies; images no rule matches are not checked.
     */
    verifyUpstream: z
        .array(
            z
                .strictObject({
                    images: z.string().min(1, { error: "must be an image reference pattern, e.g. quay.io/ceph/*" }),
                    key: z
                        .string()
                        .refine(
                            (v) => {
                                try {
                                    crypto.createPublicKey({ key: v, format: "pem" });
                                    return true;
                                } catch {
                                    return false;
                                }
                            },
                            { error: "is not a PEM public key (the vendor's cosign.pub)" },
                        )
                        .optional(),
                    identity: z.string().min(1).optional(),
                    issuer: z.string().min(1).optional(),
                    insecureIgnoreTlog: z.boolean().default(false),
                })
                .refine((r) => (r.key ? !r.identity && !r.issuer : !!r.identity && !!r.issuer), {
                    error: "give either key (a public key), or identity and issuer (keyless), not both",
                }),
        )
        .default([]),
    /** Sigstore's trusted_root.json (path from the project): given to cosign and carried as sigstore/trusted_root.json. */
    trustedRoot: z.string().min(1).optional(),
    /**
     * The syft binary (a path from the project, or a command on PATH): each image's contents are scanned with it into
     * sbom/images/. Unset: the SBOM lists the images, not what is inside them.
     */
    syft: z.string().min(1).optional(),
    /** Local paths or http(s) URLs carried under files/ (names must differ). */
    extraFiles: z
        .array(
            z
                .string()
                .min(1, { error: "must be a local path or an http(s) URL" })
                .refine((v) => !/^[a-z][a-z0-9+.-]*:\/\//i.test(v) || /^https?:\/\/[^/]/.test(v), {
                    error: "is a URL that is not http(s) (use an http:// or https:// URL, or a local path)",
                })
                .refine((v) => v === "" || !["", ".", ".."].includes(extraFileName(v)), {
                    error: "names no file (give a path or URL that ends in a file name)",
                }),
        )
        .refine((v) => duplicatesAbsent(v.map(extraFileName).filter((n) => n !== "")), {
            error: "two entries end in the same file name; each lands in files/<name>, so rename one",
        })
        .default([]),
});

/** The Rook operator. */
export const rookSchema = z.strictObject({
    version,
    chart: z
        .string()
        .min(1, { error: "must name the rook-ceph chart .tgz (e.g. ./bundle/charts/rook-ceph-v1.20.6.tgz)" }),
    csiDriversChart: z.string().min(1).optional(),
    namespace: k8sName.default("rook-ceph"),
});

/** The Ceph cluster, filesystem and classes. */
export const cephSchema = z.strictObject({
    image: imageRef,
    dataDirHostPath: z
        .string()
        .max(PATH_MAX, { error: `is longer than ${PATH_MAX} characters, Linux's PATH_MAX (use e.g. /var/lib/rook)` })
        .regex(/^\/\S+$/, { error: "must be an absolute path (e.g. /var/lib/rook)" })
        .refine((p) => !["/etc/ceph", "/rook", "/var/log/ceph"].includes(p.replace(/\/+$/, "")), {
            error: "is a path Rook reserves (use /var/lib/rook)",
        })
        .default("/var/lib/rook"),
    // Range and oddness are checked in rules.ts, so that a wrong count does not hide the disk-map problems.
    monCount: z
        .number({ error: "must be a number (e.g. 3)" })
        .int({ error: "must be a whole number (use 1, 3 or 5)" })
        .default(3),
    allowMultiplePerNode: z.boolean().default(false),
    nodes: z
        .array(
            z.strictObject({
                hostname: z
                    .string()
                    .regex(DNS_NAME, { error: "is not a node name (use the node's kubernetes.io/hostname label)" }),
                monDisk: disk.optional(),
                osdDisks: z.array(disk).default([]),
            }),
        )
        .min(1, { error: "must list at least one worker with disks (add ceph.nodes entries)" }),
    replicas: z
        .number()
        .int({ error: "must be a whole number (use 3)" })
        .min(1, { error: "must be at least 1 (use 3)" })
        .max(10, { error: "must be at most 10 (use 3)" })
        .default(3),
    requireSafeReplicaSize: z.boolean().default(true),
    filesystem: z
        .strictObject({
            name: k8sName.default("rmcephfs"),
            activeMds: z
                .number()
                .int()
                .min(1, { error: "must be at least 1 (use 1)" })
                .max(50, { error: "must be at most 50" })
                .default(1),
            activeStandby: z.boolean().default(true),
        })
        .prefault({}),
    storageClass: k8sName.default("rook-cephfs"),
    blockStorageClass: k8sName.optional(),
    snapshotClass: z.boolean().default(false),
    /** Install the snapshot CRDs and controller with the snapshot classes; false when the cluster already has them. */
    snapshotController: z.boolean().default(true),
    dashboard: z.boolean().default(true),
    wipeDisksOnDestroy: z.boolean().default(false),
});

/** AI Hub. */
export const aihubSchema = z.strictObject({
    version,
    chart: z
        .string()
        .min(1, { error: "must name the AI Hub chart .tgz (e.g. ./bundle/charts/rapidminer-aihub-2026.0.2.tgz)" }),
    namespace: k8sName.default("aihub"),
    releaseName: k8sName.default("rapidminer-aihub"),
    domain: dnsName,
    valuesFile: z.string().min(1).optional(),
    values: z.record(z.string(), z.unknown()).default({}),
    license: secret.optional(),
    credentials: z.record(z.string(), secret).default({}),
    /** false scales every AI Hub workload to 0 (front ends first, databases last); true runs them again. */
    running: z.boolean({ error: "must be true or false" }).default(true),
});

/** How traffic reaches the AI Hub proxy: an Ingress of the cluster's controller, or the gateway add-on's Gateway. */
export const INGRESS_MODES = ["http", "https", "https-custom-ca", "gateway"] as const;

/** The way into AI Hub: an Ingress, or an HTTPRoute on the shared Gateway (`gateway`). */
export const ingressSchema = z.strictObject({
    /** @default gateway when `addons.gateway` is on, else required (validate.ts resolves it). */
    mode: z
        .enum(INGRESS_MODES, { error: "is not a known mode (use http, https, https-custom-ca or gateway)" })
        .optional(),
    className: k8sName.default("nginx"),
    tlsCert: pem("ingress.tlsKey").optional(),
    tlsKey: secret.optional(),
    caCert: pem().optional(),
});

/**
 * The cluster the explicit Kubernetes provider targets (default providers are disabled in Pulumi.yaml), so a
 * `pulumi up` never lands on whatever context kubectl has current. Both keys are optional: without them the provider
 * reads `$KUBECONFIG` (or `~/.kube/config`) and its current context.
 */
export const kubernetesSchema = z.strictObject({
    /** Context name in the kubeconfig; @default its current context. */
    context: z
        .string()
        .min(1, { error: "must not be empty (name a context of the kubeconfig, or drop the key)" })
        .optional(),
    /** Path of the kubeconfig file, absolute or relative to the project directory; @default `$KUBECONFIG`. */
    kubeconfig: z
        .string()
        .min(1, { error: "must not be empty (give the kubeconfig's path, or drop the key)" })
        .refine((v) => !/^\s*(apiVersion|clusters|kind)\s*:/m.test(v), {
            error: "must be a path, not the kubeconfig's contents (e.g. ~/.kube/airgap.yaml)",
        })
        .optional(),
});

/** The choices of `backup.target`, named when it is missing or names neither or both. */
const BACKUP_TARGET_CHOICES =
    "pvc: {size} for a claim in the AI Hub namespace, or s3: {endpoint, bucket, accessKeyId, secretAccessKey}; e.g. target: { pvc: { size: 500Gi } }";

/** Where backups are copied: a PVC in the AI Hub namespace, or an S3-compatible bucket. */
const backupTargetSchema = z
    .strictObject(
        {
            pvc: z
                .strictObject({
                    /** Claim name; created by the program with `size` unless `existing` is true. */
                    name: k8sName.default("aihub-backup"),
                    size: quantity.default("200Gi"),
                    /** StorageClass of the claim (ReadWriteMany); defaults to `ceph.storageClass`. */
                    storageClass: k8sName.optional(),
                    existing: z.boolean().default(false),
                })
                .optional(),
            s3: z
                .strictObject({
                    endpoint: z.url({
                        protocol: /^https?$/,
                        error: "is not an http(s) URL (write it like https://minio.airgap.internal:9000)",
                    }),
                    bucket: z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, {
                        error: "is not an S3 bucket name (3-63 lower-case characters)",
                    }),
                    prefix: z
                        .string()
                        .regex(/^[A-Za-z0-9._/-]*$/, { error: "may only hold letters, digits and . _ / -" })
                        .default("aihub"),
                    region: z.string().min(1).default("us-east-1"),
                    accessKeyId: secret,
                    secretAccessKey: secret,
                })
                .optional(),
        },
        { error: (iss) => (iss.input === undefined ? `is missing (set ${BACKUP_TARGET_CHOICES})` : undefined) },
    )
    .refine((t) => (t.pvc === undefined) !== (t.s3 === undefined), {
        error: `must name exactly one target: pvc or s3 (${BACKUP_TARGET_CHOICES})`,
    });

/** Scheduled consistent backups: CSI snapshots of every AI Hub volume and dumps of its databases. */
export const backupSchema = z.strictObject({
    schedule: z.string().superRefine((v, ctx) => {
        const problem = cronProblem(v);
        if (problem) {
            ctx.addIssue({
                code: "custom",
                message: `is not a cron schedule: ${problem} (write five fields, minute hour day-of-month month day-of-week, e.g. "0 2 * * *" for 02:00 daily)`,
            });
        }
    }),
    retention: z
        .number({ error: "must be a number of backups to keep (e.g. 7)" })
        .int({ error: "must be a whole number of backups to keep (e.g. 7)" })
        .min(1, { error: "must keep at least 1 backup (e.g. 7)" })
        .max(100, { error: "must be at most 100 (each backup keeps its CSI snapshots)" })
        .default(7),
    target: backupTargetSchema,
    /** Time zone of `schedule` (CronJob `timeZone`). @default UTC */
    timeZone: z.string().min(1).default("Etc/UTC"),
});

/** The whole stack config, keyed as in Pulumi.<stack>.yaml without the `aihub-airgap:` prefix. */
export const sectionSchemas = {
    protectData: z.boolean({ error: "must be true or false" }).default(true),
    /**
     * Run the project's policy pack (`policy/`) on every `preview` and `up` started through `npm run pulumi`, as if
     * `--policy-pack ./policy` were given (the program itself ignores it). @default false
     */
    policyPack: z.boolean({ error: "must be true or false" }).default(false),
    registry: registrySchema,
    bundle: bundleSchema.optional(),
    rook: rookSchema,
    ceph: cephSchema,
    aihub: aihubSchema,
    ingress: ingressSchema,
    kubernetes: kubernetesSchema.prefault({}),
    backup: backupSchema.optional(),
} as const;

/** The names of the config keys this project reads. */
export type SectionName = keyof typeof sectionSchemas;

/** The validated core sections, with secrets as secret Outputs. */
export type CoreConfig = {
    [K in SectionName]: K extends "ingress"
        ? z.output<typeof ingressSchema> & { mode: (typeof INGRESS_MODES)[number] }
        : K extends "aihub"
          ? z.output<typeof aihubSchema> & {
                /** `aihub.valuesFile` parsed, read once by validation; `{}` without one. */
                vendorValues: Record<string, unknown>;
            }
          : z.output<(typeof sectionSchemas)[K]>;
};

/**
 * The validated config: the core sections and `addons`, one key per enabled add-on. `A` is the type of `addons`;
 * the platform's add-on table gives it (`PlatformConfig` in platform/contracts.ts).
 */
export type StackConfig<A = Record<string, unknown>> = CoreConfig & { addons: A };
export type RegistryConfig = CoreConfig["registry"];
export type BundleConfig = NonNullable<CoreConfig["bundle"]>;
export type RookConfig = CoreConfig["rook"];
export type CephConfig = CoreConfig["ceph"];
export type AiHubConfig = CoreConfig["aihub"];
export type IngressConfig = CoreConfig["ingress"];
export type KubernetesConfig = CoreConfig["kubernetes"];
export type BackupConfig = NonNullable<CoreConfig["backup"]>;
export type DiskConfig = z.output<typeof disk>;
