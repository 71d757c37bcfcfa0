/** The checks both engine scenarios make, each failing with what the engine or the cluster said. */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import YAML from "yaml";
import { DECOY_CONTEXT } from "./kubeconfigs";
import type { EngineScenario, PlannedObject } from "./scenario";
import { figure } from "./steps";
import { podPullFailures } from "../helpers/kubelet-pull";

/** The Helm releases (namespace/name) of the core: the CSI drivers' only with Rook >= 1.20. */
function coreReleases(s: EngineScenario): string[] {
    const csi = s.plain.rook.csiDriversChart ? ["rook-ceph/ceph-csi-drivers"] : [];
    return ["aihub/rapidminer-aihub", ...csi, "rook-ceph/rook-ceph"];
}

/**
 * `pulumi up`, then: every planned object exists, the releases (the core's and `moreReleases`) are deployed, every
 * pod's image is in the private registry and is pulled from it (manifest and config) with that pod's pull Secrets.
 */
export async function upCreatesThePlan(
    s: EngineScenario,
    planned: PlannedObject[],
    moreReleases: string[] = [],
): Promise<void> {
    // The environment's KUBECONFIG names a decoy: the objects below land on the sim only through the stack's
    // aihub-airgap:kubernetes (its kubeconfig's current context is the decoy too, so `context` must be honoured).
    const envKubeconfig = YAML.parse(fs.readFileSync(s.cli.env().KUBECONFIG!, "utf8"));
    assert.equal(envKubeconfig["current-context"], DECOY_CONTEXT);
    const stackKubeconfig = YAML.parse(fs.readFileSync(String(s.plain.kubernetes.kubeconfig), "utf8"));
    assert.equal(stackKubeconfig["current-context"], DECOY_CONTEXT);
    const r = await s.pulumiOk(["up", "--yes", "--skip-preview"]);
    figure(`${s.stack} pulumi up`, r.seconds);
    // The provider must be the installed kubernetes 4.25.0 plugin, not whatever binary a PATH lookup finds.
    assert.doesNotMatch(r.stdout + r.stderr, /from \$PATH/);
    assert.ok(planned.length > 10, `the plan lists only ${planned.length} objects`);
    assert.deepEqual(await s.missing(planned), []);
    assert.deepEqual(await s.deployedReleases(), [...coreReleases(s), ...moreReleases].sort());
    const images = await s.podImages();
    assert.ok(images.length > 0, "no pods at all");
    assert.deepEqual(
        images.filter((i) => !i.image.startsWith(`${s.registry.host}/`)),
        [],
    );
    const pushed = s.registry.requests().filter((l) => /^PUT \/v2\/.+\/manifests\//.test(l));
    assert.ok(pushed.length >= 1, "RegistryMirror pushed no image manifest");
    // kwok pulls nothing: pull every pod's every image as its kubelet would, with the pod's own pull Secrets.
    const t0 = Date.now();
    assert.deepEqual(await podPullFailures(s.sim.client, s.registry.caCert), []);
    figure(
        `${s.stack} pull of ${new Set(images.map((i) => i.image)).size} images as the kubelets would`,
        (Date.now() - t0) / 1000,
    );
}

/** A second preview must show no change at all: any perpetual diff fails with the engine's diff. */
export async function previewShowsNoChanges(s: EngineScenario): Promise<void> {
    await s.pulumiOk(["preview", "--expect-no-changes", "--diff"]);
}

/** The steps of `pulumi preview --json` other than `same`, as `op type::name`. */
export async function previewSteps(s: EngineScenario): Promise<string[]> {
    const r = await s.pulumiOk(["preview", "--json"]);
    const doc = JSON.parse(r.stdout) as { steps?: { op: string; urn: string }[] };
    return (doc.steps ?? [])
        .filter((x) => x.op !== "same")
        .map((x) => {
            const parts = x.urn.split("::");
            return `${x.op} ${parts[parts.length - 2].split("$").pop()}::${parts[parts.length - 1]}`;
        });
}

/**
 * `pulumi destroy --yes` removes everything: the Rook CRs are deleted before the operator release that serves them,
 * the AI Hub namespace (with the PVCs the chart keeps) before any Ceph resource or StorageClass behind them, and
 * none of the planned objects is left. Returns the engine's output.
 */
export async function destroyRemovesEverything(s: EngineScenario, planned: PlannedObject[]): Promise<string> {
    const pvcs = await s.view.list("v1", "PersistentVolumeClaim");
    assert.ok(pvcs.filter((p) => p.metadata.namespace === "aihub").length > 0, "no AI Hub PVC to keep before destroy");
    const r = await s.pulumiOk(["destroy", "--yes", "--skip-preview"]);
    figure(`${s.stack} pulumi destroy`, r.seconds);
    const lines = r.stdout.split("\n");
    const at = (re: RegExp) => lines.findIndex((l) => re.test(l));
    const nsGone = at(/core\/v1:Namespace\s+aihub-ns\s+deleted/);
    assert.ok(nsGone >= 0, "destroy output lacks the AI Hub namespace's deletion");
    const cephStarts = ["cephfs-sc", "cephfs-csi-group", "cephfs-cr", "rbd-sc", "rbd-cr"]
        .map((name) => ({ name, i: at(new RegExp(`\\s${name}\\s+deleting`)) }))
        .filter((x) => x.i >= 0);
    assert.ok(cephStarts.length >= 3, `destroy output lacks the CephFS deletions: ${JSON.stringify(cephStarts)}`);
    assert.deepEqual(
        cephStarts.filter((x) => x.i < nsGone).map((x) => x.name),
        [],
        "started deleting before the AI Hub namespace (and its kept PVCs) was gone",
    );
    assert.deepEqual(
        (await s.view.list("v1", "PersistentVolumeClaim")).map((p) => p.metadata.name),
        [],
    );
    const crGone = at(/CephCluster\s+\S+\s+deleted/);
    const operatorStarts = at(/helm\.sh\/v3:Release\s+rook-rook-ceph\s+deleting/);
    assert.ok(crGone >= 0 && operatorStarts >= 0, `destroy output lacks the CephCluster or operator release lines`);
    assert.ok(crGone < operatorStarts, "the operator release started deleting before the CephCluster was gone");
    // A Node patch (the gpu add-on's label) leaves the Node, which the stack never created, in place.
    const owned = planned.filter((o) => o.type !== "kubernetes:core/v1:NodePatch");
    assert.deepEqual(await s.remaining(owned), []);
    assert.deepEqual(await s.deployedReleases(), []);
    return r.stdout;
}

/** No secret value in any state file (history and backups included), in the engine's output, or in any argv. */
export function noSecretInPlainText(s: EngineScenario, secrets: string[]): void {
    // 2 set secrets + the TLS key's lines + 20 generated credentials.
    assert.ok(secrets.length >= 22, `only ${secrets.length} secret values found to look for`);
    const files = s.stateFiles();
    assert.ok(files.length > 0, "no state files");
    const leaks: string[] = [];
    for (const f of files) {
        const text = fs.readFileSync(f, "utf8");
        for (const v of secrets) if (text.includes(v)) leaks.push(`${f}: ${v.slice(0, 4)}…`);
    }
    const output = s.cli.outputLog.join("\n");
    for (const v of secrets) if (output.includes(v)) leaks.push(`engine output: ${v.slice(0, 4)}…`);
    for (const v of secrets) for (const c of s.argv.containing(v)) leaks.push(`argv: ${c.slice(0, 60)}…`);
    assert.deepEqual(leaks, []);
}
