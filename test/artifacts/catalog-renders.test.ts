/**
 * The image catalogs against real renders of every supported chart version (../shared/charts): each chart rendered by
 * helm with the values the program sends (and, for AI Hub, through the release's post-renderer), every image the
 * render names — pod containers, the notebook image JupyterHub spawns, the CSI images Rook hands to the CSI operator —
 * is the catalog's image mapped into the private registry, and the catalog holds nothing the render does not name.
 */
/* eslint-disable @typescript-eslint/no-explicit-any -- tests walk rendered, untyped manifests */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as YAML from "yaml";
import { aihubImages, aihubKnownVersions } from "../../catalog/aihub";
import { rookImages, ROOK_CATALOG_VERSIONS } from "../../catalog/rook";
import { CSI_IMAGE_SET_CONFIGMAP } from "../../catalog/rook-names";
import { isInRegistry, mapImages } from "../../lib/imageref";
import { containerImages } from "../../modules/aihub/postrender";
import { csiDriversValues, rookOperatorValues, type RookValuesInput } from "../../modules/ceph/rook-values";
import { REGISTRY as R } from "../app/fixtures";
import { helm, postRendered } from "../helpers/helm";
import { aihubVendorVersions, renderAihubVendorChart, vendorChart } from "../helpers/vendor-charts";

const parse = (out: string): any[] =>
    YAML.parseAllDocuments(out, { uniqueKeys: false })
        .map((d) => d.toJSON())
        .filter(Boolean);

/** The release's manifest as the cluster gets it: the chart rendered, then the post-renderer. */
function aihubManifest(version: string): any[] {
    const raw = renderAihubVendorChart(version)
        .map((o) => YAML.stringify(o))
        .join("---\n");
    return parse(postRendered(raw, { registry: R }));
}

/** Every image an AI Hub render names: containers of every pod template, and the notebook image JupyterHub starts. */
function aihubRenderedImages(objs: any[]): string[] {
    const pods = objs.flatMap((o) => containerImages(o).map((c) => c.image));
    const notebook = objs
        .filter((o) => o.kind === "ConfigMap" && o.data?.DOCKER_NOTEBOOK_IMAGE)
        .map((o) => o.data.DOCKER_NOTEBOOK_IMAGE as string);
    return [...new Set([...pods, ...notebook])].sort();
}

/** Mapped targets of a catalog, sorted. */
const targets = (refs: string[]) =>
    mapImages(refs, R)
        .map((m) => m.target)
        .sort();

describe("AI Hub image catalog against the real charts", () => {
    it("the catalog knows exactly the 14 real chart versions", () => {
        assert.deepEqual([...aihubKnownVersions()].sort(), [...aihubVendorVersions()].sort());
        assert.equal(aihubVendorVersions().length, 14);
    });

    for (const version of aihubVendorVersions()) {
        it(`${version}: every image of the release is private and is the catalog's; the catalog has no other`, () => {
            const objs = aihubManifest(version);
            const images = aihubRenderedImages(objs);
            assert.deepEqual(
                images.filter((i) => !isInRegistry(i, R)),
                [],
            );
            assert.deepEqual(images, targets(aihubImages(version)));
            // No string anywhere else in the release names an upstream registry host.
            assert.doesNotMatch(JSON.stringify(objs), /"(docker\.io|quay\.io|ghcr\.io|registry\.k8s\.io|gcr\.io)\//);
            // A data key rendered null is stored as "" by an install but deleted by Helm's three-way merge on every
            // upgrade (and adoption): a recovered or upgraded release would differ from a fresh one (issue 26).
            const nulls = objs
                .filter((o) => o.kind === "ConfigMap" || o.kind === "Secret")
                .flatMap((o) =>
                    Object.entries({ ...o.data, ...o.stringData })
                        .filter(([, v]) => v === null)
                        .map(([k]) => `${o.kind} ${o.metadata.name} ${k}`),
                );
            assert.deepEqual(nulls, []);
        });
    }
});

const rookInput = (version: string): RookValuesInput => ({
    version,
    registry: R,
    pullSecretName: "airgap-registry",
    namespace: "rook-ceph",
    rbd: true,
});

function renderRook(version: string): any[] {
    return parse(
        helm(["template", "rook-ceph", vendorChart(`rook-ceph-${version}.tgz`), "-n", "rook-ceph", "-f", "-"], {
            input: JSON.stringify(rookOperatorValues(rookInput(version))),
        }),
    );
}

/**
 * The images a Rook render names: pod containers, the CSI images of v1.9's operator ConfigMap (`*_IMAGE`, which the
 * operator starts the CSI pods with) and v1.20's ImageSet ConfigMap (which ceph-csi-operator starts them with).
 */
function rookRenderedImages(docs: any[]): string[] {
    const out = docs.flatMap((d) => containerImages(d).map((c) => c.image));
    for (const d of docs.filter((x) => x.kind === "ConfigMap")) {
        if (d.metadata.name === CSI_IMAGE_SET_CONFIGMAP) out.push(...(Object.values(d.data ?? {}) as string[]));
        if (d.metadata.name === "rook-ceph-operator-config") {
            for (const [k, v] of Object.entries(d.data ?? {})) if (/_IMAGE$/.test(k)) out.push(v as string);
        }
    }
    return [...new Set(out)].sort();
}

describe("Rook image catalog against the real charts", () => {
    it("the catalog knows exactly the two real rook-ceph charts", () => {
        assert.deepEqual([...ROOK_CATALOG_VERSIONS].sort(), ["v1.20.6", "v1.9.8"]);
    });

    for (const version of ROOK_CATALOG_VERSIONS) {
        it(`${version}: every image the render names is private and is the catalog's; the catalog has no other`, () => {
            const images = rookRenderedImages(renderRook(version));
            assert.deepEqual(
                images.filter((i) => !isInRegistry(i, R)),
                [],
            );
            assert.deepEqual(images, targets(rookImages(version)));
        });
    }

    it("v1.20.6: the ImageSet overrides every image key ceph-csi-operator v1.0.4 starts a driver with", () => {
        // ceph/ceph-csi-operator v1.0.4 internal/controller/defaults.go `imageDefaults` (keys provisioner, attacher,
        // resizer, snapshotter, registrar, snapshot-metadata, plugin, addons) is overlaid with the ImageSet ConfigMap
        // (driver_controller.go, LoadState); a key the ImageSet lacks keeps its upstream default image, which no node
        // can pull in the gap. `snapshot-metadata` runs only beside an RBD driver for which a SnapshotMetadataService
        // resource exists, which the program never creates.
        const set = renderRook("v1.20.6").find((d) => d.metadata?.name === CSI_IMAGE_SET_CONFIGMAP);
        assert.deepEqual(Object.keys(set.data).sort(), [
            "addons",
            "attacher",
            "plugin",
            "provisioner",
            "registrar",
            "resizer",
            "snapshotter",
        ]);
        for (const image of Object.values(set.data) as string[]) assert.ok(isInRegistry(image, R), image);
    });

    it("ceph-csi-drivers 1.0.4: the Driver CRs name no image of their own; the OperatorConfig points at Rook's ImageSet", () => {
        const docs = parse(
            helm(
                [
                    "template",
                    "ceph-csi-drivers",
                    vendorChart("ceph-csi-drivers-1.0.4.tgz"),
                    "-n",
                    "rook-ceph",
                    "-f",
                    "-",
                ],
                {
                    input: JSON.stringify(csiDriversValues(rookInput("v1.20.6"))),
                },
            ),
        );
        const drivers = docs.filter((d) => d.kind === "Driver");
        assert.equal(drivers.length, 2);
        const named = (v: unknown, at: string): string[] =>
            typeof v === "string"
                ? /(^|\.)image$/i.test(at)
                    ? [`${at}=${v}`]
                    : []
                : v && typeof v === "object"
                  ? Object.entries(v).flatMap(([k, x]) => named(x, `${at}.${k}`))
                  : [];
        assert.deepEqual(
            docs.flatMap((d) => named(d, d.kind)),
            [],
        );
        assert.deepEqual(
            docs.flatMap((d) => containerImages(d)),
            [],
        );
        for (const d of drivers) assert.equal(d.spec.imageSet, undefined, d.metadata.name);
        const oc = docs.find((d) => d.kind === "OperatorConfig");
        assert.deepEqual(oc.spec.driverSpecDefaults.imageSet, { name: CSI_IMAGE_SET_CONFIGMAP });
    });
});
