/**
 * Policy checks on the AI Hub release: its values must point every image at the private registry, name the pull
 * Secret the program creates, and carry no chart default password.
 */
import { isMapping } from "../../../lib/merge";
import { chartDefaultSecrets } from "../../../modules/aihub/values";
import type { Checked, Finding, Policy } from "../policy";

const AIHUB = "aihub-airgap:aihub:AiHub";
const RELEASE = "kubernetes:helm.sh/v3:Release";

/** The Helm releases that belong to an AiHub component. */
function aihubReleases(regs: readonly Checked[]): Checked[] {
    const hubs = new Set(regs.filter((r) => r.type === AIHUB).map((r) => r.urn));
    return regs.filter((r) => r.type === RELEASE && hubs.has(r.parent));
}

/** `{path, value}` of string leaves whose key names an image location (`dockerURL`, `repoName`, `image`). */
function imageLeaves(v: unknown, at = ""): { path: string; value: string }[] {
    if (typeof v === "string") return /(^|\.)(dockerURL|repoName|image)$/.test(at) ? [{ path: at, value: v }] : [];
    if (Array.isArray(v)) return v.flatMap((x, i) => imageLeaves(x, `${at}[${i}]`));
    if (isMapping(v)) return Object.entries(v).flatMap(([k, x]) => imageLeaves(x, at ? `${at}.${k}` : k));
    return [];
}

const finding = (r: Checked, rule: string, text: string): Finding => ({
    level: "error",
    rule,
    resource: r.urn,
    text,
});

/** An image prefix or image in the AI Hub values outside the private registry. */
export const aihubImageOutsideRegistry: Policy = (regs, cfg) =>
    aihubReleases(regs).flatMap((r) =>
        imageLeaves(r.inputs.values)
            .filter((l) => !l.value.startsWith(`${cfg.registry.server}/`))
            .map((l) =>
                finding(
                    r,
                    "aihub-image-outside-registry",
                    `values.${l.path} = "${l.value}" is not in the private registry ${cfg.registry.server}`,
                ),
            ),
    );

/** AI Hub values without `common.imagePullSecret`, or naming a Secret the program does not create there. */
export const aihubMissingPullSecret: Policy = (regs) =>
    aihubReleases(regs).flatMap((r) => {
        const values = r.inputs.values;
        const common = isMapping(values) && isMapping(values.common) ? values.common : {};
        const name = common.imagePullSecret;
        const created = regs.some(
            (s) =>
                s.type === "kubernetes:core/v1:Secret" &&
                s.inputs.type === "kubernetes.io/dockerconfigjson" &&
                isMapping(s.inputs.metadata) &&
                s.inputs.metadata.name === name &&
                s.inputs.metadata.namespace === r.inputs.namespace,
        );
        if (typeof name === "string" && name !== "" && created) return [];
        return [
            finding(
                r,
                "aihub-missing-pull-secret",
                typeof name === "string" && name !== ""
                    ? `values.common.imagePullSecret = "${name}" names no pull Secret created in namespace ${String(r.inputs.namespace)}`
                    : "values.common.imagePullSecret is not set, so AI Hub pods cannot pull from the private registry",
            ),
        ];
    });

/** A chart default password or placeholder (`changeit`, `<ADMIN-PASS-PLACEHOLDER>`…) left in the AI Hub values. */
export const aihubChartDefaultPassword: Policy = (regs) =>
    aihubReleases(regs).flatMap((r) =>
        chartDefaultSecrets(r.inputs.values).map((p) =>
            finding(r, "aihub-chart-default-password", `values.${p} still holds the chart's default (set a secret)`),
        ),
    );

/** The application half's policies. */
export const APP_POLICIES: Policy[] = [aihubImageOutsideRegistry, aihubMissingPullSecret, aihubChartDefaultPassword];
