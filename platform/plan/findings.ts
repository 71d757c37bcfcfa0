/**
 * Policy checks over the recorded resources of a plan: what a reviewer of `pulumi preview` would look for.
 * Each check is a pure function of the registrations and the config.
 */
import { isInRegistry } from "../../lib/imageref";
import type { PlatformConfig } from "../contracts";
import { stringLeaves } from "../../lib/leaves";

export { stringLeaves };
import { APP_POLICIES } from "./policies/app";
import { STORAGE_POLICIES } from "./policies/storage";
import type { Checked, Finding, Policy } from "./policy";

/** Kinds whose pods pull images. */
const WORKLOAD_TYPES = new Set([
    "kubernetes:apps/v1:Deployment",
    "kubernetes:apps/v1:StatefulSet",
    "kubernetes:apps/v1:DaemonSet",
    "kubernetes:batch/v1:Job",
    "kubernetes:core/v1:Pod",
]);

/**
 * Container images in a workload's inputs (`…containers[i].image`) or a CR's `image` fields. An `image` beside a
 * `repository` is the split form (gpu-operator: `repository` + `image` + `version`) and is checked joined.
 */
export function imagesIn(r: Pick<Checked, "inputs">): { path: string; value: string }[] {
    const leaves = stringLeaves(r.inputs);
    const byPath = new Map(leaves.map((l) => [l.path, l.value]));
    return leaves
        .filter((l) => /(^|\.)image$/.test(l.path))
        .map((l) => {
            const repository = byPath.get(l.path.replace(/image$/, "repository"));
            if (repository === undefined) return l;
            const version = byPath.get(l.path.replace(/image$/, "version"));
            return { path: l.path, value: `${repository}/${l.value}${version ? `:${version}` : ""}` };
        });
}

/** Any container or CR image that does not come from the private registry. */
export const imageOutsideRegistry: Policy = (regs, cfg) =>
    regs.flatMap((r) =>
        imagesIn(r)
            .filter((l) => !isInRegistry(l.value, cfg.registry.server))
            .map((l) => ({
                level: "error" as const,
                rule: "image-outside-registry",
                resource: r.urn,
                text: `${l.path} = "${l.value}" is not in the private registry ${cfg.registry.server}`,
            })),
    );

/** A workload without `imagePullSecrets` (the private registry needs credentials). */
export const workloadWithoutPullSecret: Policy = (regs) =>
    regs
        .filter((r) => WORKLOAD_TYPES.has(r.type))
        .filter((r) => {
            const leaves = stringLeaves(r.inputs);
            return !leaves.some((l) => /imagePullSecrets\[\d+\]\.name$/.test(l.path));
        })
        .map((r) => ({
            level: "error" as const,
            rule: "workload-without-pull-secret",
            resource: r.urn,
            text: `${r.name} has no imagePullSecrets, so its pods cannot pull from the private registry`,
        }));

const SECRETISH = /(password|passwd|secret|token|cryptkey|\.key$|tls\.key|license|dockerconfigjson)/i;
/**
 * Keys that only name a Secret (`secretName`, CSI `…-secret-name` / `-secret-namespace`, the entries of a chart's
 * `imagePullSecrets`/`pullSecrets` list of names, an OAuth `token_url` endpoint, a chart's `existingSecret` and the
 * `passwordKey`/`userKey` inside it), not hold one.
 */
const SECRET_REFERENCE = /(secret-?name(space)?|pullSecrets\[\d+\]|token_?url|existingSecret|passwordKey|userKey)$/i;

/** A Secret's data, or a value whose name says it is secret, registered in plain text. */
export const plaintextSecret: Policy = (regs) =>
    regs.flatMap((r) => {
        const isSecretKind = r.type === "kubernetes:core/v1:Secret";
        return stringLeaves(r.inputs)
            .filter(
                (l) =>
                    l.value !== "" &&
                    (isSecretKind
                        ? /^(data|stringData)\./.test(l.path)
                        : SECRETISH.test(l.path.split(".").pop() ?? "") &&
                          !SECRET_REFERENCE.test(l.path.split(".").pop() ?? "")),
            )
            .filter(
                (l) =>
                    !r.secretInputs.some(
                        (s) => l.path === s || l.path.startsWith(`${s}.`) || l.path.startsWith(`${s}[`),
                    ),
            )
            .map((l) => ({
                level: "error" as const,
                rule: "plaintext-secret",
                resource: r.urn,
                text: `${l.path} holds a secret that is not marked secret (wrap it with pulumi.secret)`,
            }));
    });

/** Types that hold data: deleting them loses it. */
export const STATEFUL_TYPES = new Set([
    "kubernetes:core/v1:PersistentVolume",
    "kubernetes:ceph.rook.io/v1:CephCluster",
    "kubernetes:ceph.rook.io/v1:CephFilesystem",
    "kubernetes:ceph.rook.io/v1:CephBlockPool",
]);

/** A stateful resource without `protect` while `protectData` is on. */
export const unprotectedStateful: Policy = (regs, cfg) =>
    cfg.protectData
        ? regs
              .filter((r) => STATEFUL_TYPES.has(r.type) && !r.protect)
              .map((r) => ({
                  level: "error" as const,
                  rule: "unprotected-stateful",
                  resource: r.urn,
                  text: `${r.name} holds data but is not protected while protectData is true`,
              }))
        : [];

/** The policies `plan` runs. */
export const POLICIES: Policy[] = [
    imageOutsideRegistry,
    workloadWithoutPullSecret,
    plaintextSecret,
    unprotectedStateful,
    ...STORAGE_POLICIES,
    ...APP_POLICIES,
];

/** Runs every policy. */
export function runPolicies(regs: readonly Checked[], cfg: PlatformConfig, policies = POLICIES): Finding[] {
    return policies.flatMap((p) => p(regs, cfg));
}
