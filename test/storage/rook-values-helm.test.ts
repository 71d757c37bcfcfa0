/* eslint-disable @typescript-eslint/no-explicit-any -- tests walk rendered, untyped manifests */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseAllDocuments } from "yaml";
import { isInRegistry, mapImages } from "../../lib/imageref";
import { rookImages } from "../../catalog/rook";
import { csiDriversValues, rookOperatorValues, type RookValuesInput } from "../../modules/ceph/rook-values";
import { helm } from "../helpers/helm";
import { vendorChart } from "../helpers/vendor-charts";

const R = "registry.airgap.internal:5000";

/** The real vendor chart `<name>.tgz` (../shared/charts) rendered by helm, with `values` when given. */
function render(name: string, values?: object): any[] {
    const args = ["template", "rel", vendorChart(`${name}.tgz`), "--namespace", "rook-ceph"];
    const out = values ? helm([...args, "--values", "-"], { input: JSON.stringify(values) }) : helm(args);
    return parseAllDocuments(out)
        .map((d) => d.toJS())
        .filter(Boolean);
}

/** The rendered objects other than CustomResourceDefinitions. */
const notCrds = (docs: any[]) => docs.filter((d) => d.kind !== "CustomResourceDefinition");

/** Every image a render asks for: container images and the CSI image entries of the operator ConfigMaps. */
function renderedImages(docs: any[]): string[] {
    const images: string[] = [];
    for (const d of docs) {
        const containers = d.spec?.template?.spec?.containers ?? [];
        for (const c of containers) images.push(c.image);
        if (d.kind === "ConfigMap" && d.metadata.name === "rook-csi-operator-image-set-configmap") {
            images.push(...(Object.values(d.data ?? {}) as string[]));
        }
        if (d.kind === "ConfigMap" && d.metadata.name === "rook-ceph-operator-config") {
            for (const [k, v] of Object.entries(d.data ?? {})) if (/_IMAGE$/.test(k)) images.push(v as string);
        }
    }
    return images.sort();
}

const input = (version: string): RookValuesInput => ({
    version,
    registry: R,
    pullSecretName: "airgap-registry",
    namespace: "rook-ceph",
    rbd: true,
});

const mapped = (version: string) =>
    mapImages(rookImages(version), R)
        .map((m) => m.target)
        .sort();

describe("rook-ceph values rendered by helm (v1.20.6 layout: repository + tag, ceph-csi-operator subchart)", () => {
    it("without our values the chart renders the 9 upstream images", () => {
        const images = renderedImages(render("rook-ceph-v1.20.6"));
        assert.equal(images.length, 9);
        assert.ok(images.every((i) => !i.startsWith(R)));
    });

    it("with our values every rendered image is the catalog image in the private registry", () => {
        const docs = render("rook-ceph-v1.20.6", rookOperatorValues(input("v1.20.6")));
        const images = renderedImages(docs);
        assert.deepEqual(images, mapped("v1.20.6"));
        assert.ok(images.every((i) => isInRegistry(i, R)));
        // No upstream host anywhere but in the CRDs' descriptions (prose such as "docker.io/…" examples).
        assert.doesNotMatch(JSON.stringify(notCrds(docs)), /quay\.io|registry\.k8s\.io|docker\.io/);
    });

    it("puts the pull secret on all 9 Rook service accounts, the ceph-csi SA and the CSI operator pod", () => {
        const docs = render("rook-ceph-v1.20.6", rookOperatorValues(input("v1.20.6")));
        const sas = docs.filter((d) => d.kind === "ServiceAccount");
        assert.equal(sas.length, 10);
        for (const sa of sas) assert.deepEqual(sa.imagePullSecrets, [{ name: "airgap-registry" }], sa.metadata.name);
        const manager = docs.find((d) => d.metadata.name === "ceph-csi-controller-manager");
        assert.deepEqual(manager.spec.template.spec.imagePullSecrets, [{ name: "airgap-registry" }]);
    });
});

describe("rook-ceph values rendered by helm (v1.9.8 layout: single image strings, pspEnable)", () => {
    it("without our values only the operator image renders and a PodSecurityPolicy appears", () => {
        const docs = render("rook-ceph-v1.9.8");
        assert.deepEqual(renderedImages(docs), ["rook/ceph:v1.9.8"]);
        assert.ok(docs.some((d) => d.kind === "PodSecurityPolicy"));
    });

    it("with our values all 10 images point at the private registry, and no PodSecurityPolicy renders", () => {
        const docs = render("rook-ceph-v1.9.8", rookOperatorValues(input("v1.9.8")));
        const images = renderedImages(docs);
        assert.equal(images.length, 10);
        assert.deepEqual(images, mapped("v1.9.8"));
        assert.ok(!docs.some((d) => d.kind === "PodSecurityPolicy"));
        // No upstream host anywhere but in the CRDs' descriptions (prose such as "docker.io/…" examples).
        assert.doesNotMatch(JSON.stringify(notCrds(docs)), /quay\.io|registry\.k8s\.io|docker\.io/);
        const sas = docs.filter((d) => d.kind === "ServiceAccount");
        assert.equal(sas.length, 10);
        for (const sa of sas) assert.deepEqual(sa.imagePullSecrets, [{ name: "airgap-registry" }], sa.metadata.name);
    });
});

describe("ceph-csi-drivers values rendered by helm", () => {
    it("names the drivers after the operator namespace, points at Rook's ImageSet and puts the pull secret on every driver SA", () => {
        const docs = render("ceph-csi-drivers-1.0.4", csiDriversValues(input("v1.20.6")));
        assert.deepEqual(
            docs
                .filter((d) => d.kind === "Driver")
                .map((d) => d.metadata.name)
                .sort(),
            ["rook-ceph.cephfs.csi.ceph.com", "rook-ceph.rbd.csi.ceph.com"],
        );
        const sas = docs.filter((d) => d.kind === "ServiceAccount");
        assert.deepEqual(sas.map((s) => s.metadata.name).sort(), [
            "rook-ceph-cephfs-csi-ceph-com-ctrlplugin-sa",
            "rook-ceph-cephfs-csi-ceph-com-nodeplugin-sa",
            "rook-ceph-rbd-csi-ceph-com-ctrlplugin-sa",
            "rook-ceph-rbd-csi-ceph-com-nodeplugin-sa",
        ]);
        for (const sa of sas) assert.deepEqual(sa.imagePullSecrets, [{ name: "airgap-registry" }]);
        const oc = docs.find((d) => d.kind === "OperatorConfig");
        assert.equal(oc.metadata.namespace, "rook-ceph");
        assert.deepEqual(oc.spec.driverSpecDefaults.imageSet, { name: "rook-csi-operator-image-set-configmap" });
    });

    it("renders only the CephFS driver when no block StorageClass is configured", () => {
        const docs = render("ceph-csi-drivers-1.0.4", csiDriversValues({ ...input("v1.20.6"), rbd: false }));
        assert.deepEqual(
            docs.filter((d) => d.kind === "Driver").map((d) => d.metadata.name),
            ["rook-ceph.cephfs.csi.ceph.com"],
        );
    });
});

describe("the real ceph-csi-drivers 1.0.4 chart: snapshot policy of the Driver CRs", () => {
    // ceph-csi-operator v1.0.4 (commit 29a66b68) internal/controller/driver_controller.go,
    // reconcileControllerPluginDeployment: `if snPolicy != csiv1.NoneSnapshotPolicy { … "csi-snapshotter" … }` — a
    // driver whose spec says `none` gets no snapshotter sidecar, so its VolumeSnapshots never become ready.
    const policies = (values?: object) =>
        Object.fromEntries(
            render("ceph-csi-drivers-1.0.4", values)
                .filter((d) => d.kind === "Driver")
                .map((d) => [d.metadata.name, d.spec.snapshotPolicy]),
        );

    it("without our values the chart leaves RBD at none (the defect the values fix)", () => {
        const p = policies({ drivers: { rbd: { enabled: true }, cephfs: { enabled: true } } });
        assert.equal(p["rbd.csi.ceph.com"], "none");
        assert.equal(p["cephfs.csi.ceph.com"], "volumeSnapshot");
    });

    it("with our values both the RBD and the CephFS driver render snapshotPolicy volumeSnapshot", () => {
        assert.deepEqual(policies(csiDriversValues(input("v1.20.6"))), {
            "rook-ceph.rbd.csi.ceph.com": "volumeSnapshot",
            "rook-ceph.cephfs.csi.ceph.com": "volumeSnapshot",
        });
    });
});

describe("Rook image catalog", () => {
    it("lists 9 images for v1.20.6 and 10 for v1.9.8, and names an unknown version", () => {
        assert.equal(rookImages("v1.20.6").length, 9);
        assert.equal(rookImages("1.9.8").length, 10);
        assert.ok(rookImages("v1.20.6").includes("quay.io/cephcsi/ceph-csi-operator:v1.0.4"));
        assert.throws(() => rookImages("v1.15.0"), /Rook v1\.15\.0 is not in the image catalog/);
    });

    it("the values throw for a Rook version the catalog does not know", () => {
        assert.throws(() => rookOperatorValues(input("v1.18.2")), /v1\.18\.2/);
    });
});
