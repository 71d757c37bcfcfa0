import * as assert from "node:assert/strict";
import { describe, it } from "node:test";
import { getPath } from "../../lib/merge";
import { APP_POLICIES } from "../../platform/plan/policies/app";
import { runPolicies } from "../../platform/plan/findings";
import { composePlatform, stackValues, type Recorder, type Registration } from "../harness";
import { BUNDLE_PUSH_TYPE } from "../../modules/mirror/bundle-push";

const compose = (stack: string, values: Record<string, unknown>) => composePlatform(stack, values);

const custom = (rec: Recorder, name: string): Registration => {
    const found = rec.all().filter((r) => r.name === name && r.custom);
    assert.equal(found.length, 1, name);
    return found[0];
};

describe("the airgap stack's application half inside the whole platform", () => {
    it("StorageClass → release → ingress, values from the storage half and the vendor file, outputs", async () => {
        const { rec, cfg } = await compose("airgap", stackValues("airgap"));
        const release = custom(rec, "aihub");
        const ingress = custom(rec, "aihub-ingress");
        const cephfs = rec
            .ofType("kubernetes:storage.k8s.io/v1:StorageClass")
            .find((r) => getPath(r.inputs, "metadata.name") === "rook-cephfs")!;
        const rbd = rec
            .ofType("kubernetes:storage.k8s.io/v1:StorageClass")
            .find((r) => getPath(r.inputs, "metadata.name") === "rook-ceph-block")!;
        assert.ok(rec.dependsOn(release, cephfs), "release → CephFS StorageClass");
        assert.ok(rec.dependsOn(release, rbd), "release → RBD StorageClass");
        // Item 4: AI Hub pods call the public URL while the release starts, so the Ingress must not wait for it.
        assert.ok(!rec.dependsOn(ingress, release), "the Ingress does not wait for the release");
        const ns = custom(rec, "aihub-ns");
        assert.deepEqual(ingress.propDeps["metadata"], [ns.urn], "the Ingress's namespace comes from the Namespace");
        assert.ok(rec.dependsOn(ingress, custom(rec, "aihub-ingress-tls")), "ingress → its TLS Secret");
        const push = rec.ofType(BUNDLE_PUSH_TYPE);
        assert.equal(push.length, 1);
        assert.ok(rec.dependsOn(release, push[0]), "release → registry mirror push");
        assert.ok(!rec.dependsOn(release, ingress));
        assert.equal(release.protect, true);

        const v = release.inputs.values;
        assert.equal(getPath(v, "storage.defaultStorageClassRWX"), "rook-cephfs");
        assert.equal(getPath(v, "storage.defaultStorageClassRWO"), "rook-ceph-block");
        assert.equal(getPath(v, "common.timeZone"), "Europe/Berlin");
        assert.equal(getPath(v, "license.altair.onPrem.host"), "license.airgap.internal");
        assert.equal(getPath(v, "license.altair.mode"), "on_prem");
        // The reference stack licenses through the Altair License Manager: no legacy license value is set.
        assert.equal(getPath(v, "license.rapidminer.licenseValue"), undefined);
        assert.equal(getPath(v, "common.dockerURL"), "registry.airgap.internal:5000/rapidminer/");
        assert.ok(release.secretInputs.includes("values"));

        const stack = rec.ofType("pulumi:pulumi:Stack")[0];
        assert.equal(stack.outputs?.aihubUrl, "https://aihub.airgap.internal");
        assert.equal(stack.outputs?.aihubNamespace, "aihub");
        assert.equal(stack.outputs?.aihubAdminUser, "admin");
        assert.match(stack.outputs?.aihubAdminPassword as string, /^[A-Za-z0-9]{32}$/);
        assert.ok(stack.secretOutputs?.includes("aihubAdminPassword"));
        assert.ok(!stack.secretOutputs?.includes("aihubUrl"));

        assert.deepEqual(runPolicies(rec.all(), cfg, APP_POLICIES), []);
    });

    it("the AI Hub namespace (and the PVCs the chart keeps) goes before every Ceph resource behind the classes", async () => {
        const { rec } = await compose("airgap", stackValues("airgap"));
        const ns = custom(rec, "aihub-ns");
        const ceph = rec
            .all()
            .filter((r) =>
                /^kubernetes:(ceph\.rook\.io\/v1:(CephFilesystem|CephFilesystemSubVolumeGroup|CephBlockPool)|storage\.k8s\.io\/v1:StorageClass)$/.test(
                    r.type,
                ),
            )
            .filter((r) => getPath(r.inputs, "metadata.name") !== "local-storage");
        assert.deepEqual(ceph.map((r) => r.name).sort(), [
            "cephfs-cr",
            "cephfs-csi-group",
            "cephfs-sc",
            "rbd-cr",
            "rbd-sc",
        ]);
        // Destroy runs in reverse dependency order: the namespace depends on each, directly or through a class.
        const reaches = (from: Registration, to: Registration, seen = new Set<string>()): boolean =>
            from.deps.includes(to.urn) ||
            from.deps.some((d) => {
                if (seen.has(d)) return false;
                seen.add(d);
                const next = rec.registrations.get(d);
                return next !== undefined && reaches(next, to, seen);
            });
        assert.deepEqual(
            ceph.filter((r) => !reaches(ns, r)).map((r) => r.name),
            [],
        );
    });

    it("policy findings: an image outside the registry, a missing pull secret, a chart default password", async () => {
        const values = stackValues("airgap");
        (values.aihub as Record<string, unknown>).values = {
            grafana: { repoName: "grafana/" },
            common: { imagePullSecret: "" },
            // Not one of the known credential paths, which validation refuses in plain text before any policy runs.
            panopticonVizapp: { adminPassword: "changeit" },
        };
        const { rec, cfg } = await compose("airgap", values);
        const found = runPolicies(rec.all(), cfg, APP_POLICIES).map((f) => [f.rule, f.text]);
        assert.deepEqual(found, [
            [
                "aihub-image-outside-registry",
                'values.grafana.repoName = "grafana/" is not in the private registry registry.airgap.internal:5000',
            ],
            [
                "aihub-missing-pull-secret",
                "values.common.imagePullSecret is not set, so AI Hub pods cannot pull from the private registry",
            ],
            [
                "aihub-chart-default-password",
                "values.panopticonVizapp.adminPassword still holds the chart's default (set a secret)",
            ],
        ]);
    });

    it("the lab stack: no block pool, so RWO falls back to CephFS; not protected; custom CA Secret", async () => {
        const { rec, cfg } = await compose("lab", stackValues("lab"));
        const release = custom(rec, "aihub");
        assert.equal(getPath(release.inputs.values, "storage.defaultStorageClassRWO"), "rook-cephfs");
        assert.equal(getPath(release.inputs.values, "common.customCA.enabled"), true);
        assert.equal(release.protect, false);
        assert.ok(rec.dependsOn(release, rec.byName("aihub-custom-ca")));
        assert.deepEqual(runPolicies(rec.all(), cfg, APP_POLICIES), []);
    });
});
