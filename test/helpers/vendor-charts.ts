/**
 * The real vendor charts in ../shared/charts (packaged as each vendor publishes them; test inputs only, never
 * committed), and the AI Hub ones rendered with the repository's values as the release renders them.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as YAML from "yaml";
import type { Document } from "yaml";
import { readValuesFile } from "../../config/rules";
import { releaseValues } from "../../modules/aihub/values";
import { valuesInput } from "../app/fixtures";
import { helm } from "./helm";

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** The directory of the real vendor charts. */
export const VENDOR_CHARTS = path.resolve(__dirname, "..", "..", "..", "shared", "charts");

const ROOT = path.resolve(__dirname, "..", "..");

/** The path of a packaged vendor chart in {@link VENDOR_CHARTS}, e.g. `rook-ceph-v1.20.6.tgz`; throws when absent. */
export function vendorChart(file: string): string {
    const p = path.join(VENDOR_CHARTS, file);
    if (!fs.existsSync(p)) throw new Error(`vendor chart ${file} is not in ${VENDOR_CHARTS} (see its README.md)`);
    return p;
}

/** The real AI Hub chart of `version`. */
export function aihubVendorChart(version: string): string {
    return vendorChart(`rapidminer-aihub-${version}.tgz`);
}

/** The versions of the real AI Hub charts (`rapidminer-aihub-<version>.tgz`), oldest first. */
export function aihubVendorVersions(): string[] {
    return fs
        .readdirSync(VENDOR_CHARTS)
        .map((f) => /^rapidminer-aihub-(.+)\.tgz$/.exec(f)?.[1])
        .filter((v): v is string => v !== undefined)
        .sort((a, b) => a.localeCompare(b, "en", { numeric: true }));
}

/** The real AI Hub chart of `version` rendered by helm with values/aihub.yaml under the generated values. */
export function renderAihubVendorChart(version: string): Obj[] {
    const values = releaseValues(
        valuesInput(version, { mode: "https", license: "LICENSE-TEXT" }),
        readValuesFile("values/aihub.yaml", ROOT),
        {},
    );
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "aihub-vendor-"));
    try {
        const file = path.join(dir, "values.yaml");
        fs.writeFileSync(file, YAML.stringify(values));
        const out = helm([
            "template",
            "rapidminer-aihub",
            aihubVendorChart(version),
            "--namespace",
            "aihub",
            "-f",
            file,
        ]);
        return YAML.parseAllDocuments(out, { uniqueKeys: false })
            .map((d) => d.toJSON() as Obj)
            .filter((o) => o);
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

/**
 * Every claim name the rendered objects make: the PersistentVolumeClaims, and for each StatefulSet volume claim
 * template `<template>-<statefulset>-<ordinal>` (the StatefulSet controller's name) for ordinals 0..`maxOrdinal`.
 */
export function claimNames(objs: Obj[], maxOrdinal = 2): string[] {
    const names = objs.filter((o) => o.kind === "PersistentVolumeClaim").map((o) => o.metadata.name as string);
    for (const sts of objs.filter((o) => o.kind === "StatefulSet")) {
        for (const t of sts.spec.volumeClaimTemplates ?? []) {
            for (let i = 0; i <= maxOrdinal; i++) names.push(`${t.metadata.name}-${sts.metadata.name}-${i}`);
        }
    }
    return names;
}

/**
 * A project dir for the airgap stack with the real vendor charts it names (rook-ceph v1.20.6, ceph-csi-drivers 1.0.4,
 * AI Hub 2026.0.2) copied into `charts/` and the stack file's chart paths pointing at them; `edit` changes the stack
 * document before it is written.
 */
export function vendorProject(dir: string, edit: (doc: Document) => void): string {
    const charts = path.join(dir, "charts");
    fs.mkdirSync(charts, { recursive: true });
    for (const file of ["rook-ceph-v1.20.6.tgz", "ceph-csi-drivers-1.0.4.tgz", "rapidminer-aihub-2026.0.2.tgz"]) {
        fs.copyFileSync(vendorChart(file), path.join(charts, file));
    }
    const doc = YAML.parseDocument(fs.readFileSync(path.join(ROOT, "Pulumi.airgap.yaml"), "utf8"));
    doc.setIn(["config", "aihub-airgap:rook", "chart"], "./charts/rook-ceph-v1.20.6.tgz");
    doc.setIn(["config", "aihub-airgap:rook", "csiDriversChart"], "./charts/ceph-csi-drivers-1.0.4.tgz");
    doc.setIn(["config", "aihub-airgap:aihub", "chart"], "./charts/rapidminer-aihub-2026.0.2.tgz");
    edit(doc);
    fs.writeFileSync(path.join(dir, "Pulumi.airgap.yaml"), doc.toString());
    return dir;
}
