/**
 * Cross-field rules of the config contract (design §4; facts/rook-ceph.md §3). Each rule takes the sections
 * that parsed and adds problems; a rule whose sections failed to parse is skipped, so one run reports all it can.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { aihubKnownVersions } from "../catalog/aihub";
import { MANIFEST_FILE } from "../lib/bundle-layout";
import { parseImageRef } from "../lib/imageref";
import { cephDisks } from "./disks";
import { MIN_MON_BYTES, MIN_OSD_BYTES, quantityBytes } from "../lib/quantity";
import type { Problem } from "../lib/problems";
import { checkStorageRules } from "./rules-storage";
import type { CoreConfig, StackConfig } from "./schema";
import { readYamlFile, YamlFileError } from "../lib/yamlfile";
import { aihubAllowsHttp, cephMajorsFor, parseSemver, rookNeedsCsiDrivers, rookSupported } from "../catalog/versions";

/** Sections that parsed; any may be missing when its own schema failed. */
export type Sections = Partial<StackConfig>;

/** How rules treat files named in config (charts, values file). */
export interface FileCheck {
    /** Directory relative paths are resolved against (the project directory). */
    baseDir: string;
    /** `error` for `pulumi up`; `warn` where the bundle may not be there yet (`plan` on a laptop). */
    missing: "error" | "warn";
}

/** What the rules found. */
export interface RuleResult {
    errors: Problem[];
    warnings: Problem[];
    /** `aihub.valuesFile` parsed, when it is set and could be read (the one read of it). */
    vendorValues?: Record<string, unknown>;
}

/** Runs every cross-field rule. */
export function checkRules(s: Sections, files: FileCheck): RuleResult {
    const r: RuleResult = { errors: [], warnings: [] };
    if (s.ceph) checkCeph(s.ceph, r);
    if (s.rook) checkRook(s.rook, files, r);
    if (s.rook && s.ceph) checkCephImage(s.rook.version, s.ceph.image, r);
    if (s.aihub) checkAiHub(s.aihub, files, r);
    if (s.aihub && s.ingress) checkIngress(s.aihub.version, s.ingress, s.addons?.certManager !== undefined, r);
    r.errors.push(...checkStorageRules(s));
    if (s.bundle?.path) checkBundleManifest(s.bundle.path, files, r);
    return r;
}

/**
 * A bundle that is not there only warns: after a push admins may remove it to reclaim the space, and the program
 * then keeps the last push (modules/mirror/bundle-push.ts); a stack never pushed fails at `pulumi up` instead.
 */
function checkBundleManifest(bundlePath: string, files: FileCheck, r: RuleResult): void {
    if (fs.existsSync(path.resolve(files.baseDir, bundlePath, MANIFEST_FILE))) return;
    r.warnings.push({
        path: "bundle.path",
        text: `holds no ${MANIFEST_FILE}: the images pushed last are kept; a stack never pushed fails at \`pulumi up\` (run \`npm run bundle\` on the bastion and carry the bundle over)`,
    });
}

function checkCeph(ceph: CoreConfig["ceph"], r: RuleResult): void {
    const seenHosts = new Map<string, number>();
    ceph.nodes.forEach((node, i) => {
        const first = seenHosts.get(node.hostname);
        if (first !== undefined) {
            r.errors.push({
                path: `ceph.nodes[${i}].hostname`,
                text: `"${node.hostname}" is listed twice, also at ceph.nodes[${first}] (merge the two entries into one)`,
            });
        } else seenHosts.set(node.hostname, i);
    });
    // The same device twice is found on the raw input (rules-input.ts), after canonicalising the paths.
    for (const d of cephDisks(ceph)) {
        const bytes = quantityBytes(d.size);
        if (d.role === "mon") {
            if (bytes < MIN_MON_BYTES) {
                r.errors.push({
                    path: `${d.key}.size`,
                    text: `${d.size} is below 10G, the smallest mon disk the guide allows (use 10Gi or more)`,
                });
            }
            continue;
        }
        if (bytes < MIN_OSD_BYTES) {
            r.errors.push({
                path: `${d.key}.size`,
                text: `${d.size} is below 5Gi, the smallest device ceph-volume accepts (use a disk of at least 5Gi)`,
            });
        } else if (bytes < 10 * 2 ** 30) {
            r.warnings.push({ path: `${d.key}.size`, text: `${d.size} is a very small OSD (10Gi or more is advised)` });
        }
    }
    const monNodes = ceph.nodes.filter((n) => n.monDisk).length;
    if (ceph.monCount < 1 || ceph.monCount > 9) {
        r.errors.push({ path: "ceph.monCount", text: `${ceph.monCount} is outside 1–9 (use 1, 3 or 5)` });
    } else if (ceph.monCount % 2 === 0) {
        r.errors.push({ path: "ceph.monCount", text: "must be odd so the mons can form a majority (use 1, 3 or 5)" });
    } else if (ceph.monCount > monNodes) {
        r.errors.push({
            path: "ceph.monCount",
            text: `${ceph.monCount} mons need ${ceph.monCount} nodes with a monDisk, but ${monNodes} ${monNodes === 1 ? "has" : "have"} one (add monDisk to more ceph.nodes or lower ceph.monCount)`,
        });
    }
    const osdHosts = ceph.nodes.filter((n) => n.osdDisks.length > 0).length;
    if (osdHosts === 0) {
        r.errors.push({ path: "ceph.nodes", text: "no node has osdDisks (add at least one OSD disk)" });
    } else if (ceph.replicas > osdHosts) {
        r.errors.push({
            path: "ceph.replicas",
            text: `replica size ${ceph.replicas} needs ${ceph.replicas} hosts with OSD disks, but ${osdHosts} ${osdHosts === 1 ? "has" : "have"} them (lower ceph.replicas or add osdDisks to more nodes)`,
        });
    }
    if (ceph.replicas === 1 && ceph.requireSafeReplicaSize) {
        r.errors.push({
            path: "ceph.replicas",
            text: "replica size 1 keeps a single copy of every object (use 3, or for a lab set ceph.requireSafeReplicaSize: false)",
        });
    }
    const mdsPods = ceph.filesystem.activeMds * (ceph.filesystem.activeStandby ? 2 : 1);
    if (!ceph.allowMultiplePerNode && mdsPods > ceph.nodes.length) {
        r.errors.push({
            path: "ceph.filesystem.activeMds",
            text: `${mdsPods} MDS pods need ${mdsPods} nodes (one per node), but ceph.nodes has ${ceph.nodes.length} (lower activeMds, set activeStandby: false, or set ceph.allowMultiplePerNode: true)`,
        });
    }
    if (ceph.monCount === ceph.nodes.filter((n) => n.monDisk).length && ceph.monCount > 1) {
        r.warnings.push({
            path: "ceph.monCount",
            text: "every mon disk is in use, so a failed mon cannot move to another node (add a spare monDisk on another worker)",
        });
    }
}

/** Problem when `file` is missing, and a check that its base name carries `version`. */
function checkChartFile(
    at: string,
    file: string,
    version: string,
    example: string,
    files: FileCheck,
    r: RuleResult,
): void {
    const bare = version.replace(/^v/, "");
    const base = path.basename(file);
    if (!base.endsWith(".tgz")) {
        r.errors.push({ path: at, text: `"${file}" is not a packaged chart (give the .tgz file, e.g. ${example})` });
        return;
    }
    if (!base.includes(bare)) {
        r.errors.push({
            path: at,
            text: `chart file "${base}" does not match the declared version ${version} (use the chart of that version, e.g. ${example}, or change the version)`,
        });
    }
    checkFileExists(at, file, "run `npm run bundle` on the bastion and carry the bundle over", files, r);
}

function checkFileExists(at: string, file: string, fix: string, files: FileCheck, r: RuleResult): boolean {
    if (fs.existsSync(path.resolve(files.baseDir, file))) return true;
    (files.missing === "error" ? r.errors : r.warnings).push({
        path: at,
        text: `file "${file}" does not exist (${fix})`,
    });
    return false;
}

function checkRook(rook: CoreConfig["rook"], files: FileCheck, r: RuleResult): void {
    const v = parseSemver(rook.version)!;
    if (!rookSupported(v)) {
        r.errors.push({
            path: "rook.version",
            text: `${rook.version} is not supported (use v1.9.x or v1.10.x to v1.20.x)`,
        });
        return;
    }
    checkChartFile("rook.chart", rook.chart, rook.version, `rook-ceph-${rook.version}.tgz`, files, r);
    if (rookNeedsCsiDrivers(v)) {
        if (!rook.csiDriversChart) {
            r.errors.push({
                path: "rook.csiDriversChart",
                text: `Rook ${rook.version} deploys CSI through the ceph-csi-drivers chart, which is not set (set it, e.g. ./bundle/charts/ceph-csi-drivers-1.0.4.tgz)`,
            });
        } else if (!/^ceph-csi-drivers-\d+\.\d+\.\d+\.tgz$/.test(path.basename(rook.csiDriversChart))) {
            r.errors.push({
                path: "rook.csiDriversChart",
                text: `"${rook.csiDriversChart}" is not a ceph-csi-drivers chart (give ceph-csi-drivers-<version>.tgz)`,
            });
        } else {
            checkFileExists(
                "rook.csiDriversChart",
                rook.csiDriversChart,
                "run `npm run bundle` on the bastion",
                files,
                r,
            );
        }
    } else if (rook.csiDriversChart) {
        r.errors.push({
            path: "rook.csiDriversChart",
            text: `Rook ${rook.version} deploys CSI itself and takes no ceph-csi-drivers chart (remove rook.csiDriversChart)`,
        });
    }
}

function checkCephImage(rookVersion: string, image: string, r: RuleResult): void {
    const ref = parseImageRef(image);
    if (ref.digest) return;
    const m = /^v(\d+)\.\d+\.\d+(-\d+)?$/.exec(ref.tag ?? "");
    if (!m) {
        r.errors.push({
            path: "ceph.image",
            text: `tag "${ref.tag}" is not a pinned Ceph release (pin vX.Y.Z, e.g. quay.io/ceph/ceph:v19.2.3; floating tags mix versions)`,
        });
        return;
    }
    const range = cephMajorsFor(parseSemver(rookVersion)!);
    const major = Number(m[1]);
    if (range && (major < range.min || major > range.max)) {
        r.errors.push({
            path: "ceph.image",
            text: `Ceph v${major} is not supported by Rook ${rookVersion} (use a Ceph v${range.min}–v${range.max} image)`,
        });
    }
}

function checkAiHub(aihub: CoreConfig["aihub"], files: FileCheck, r: RuleResult): void {
    const known = aihubKnownVersions();
    if (!known.includes(aihub.version.replace(/^v/, ""))) {
        // One line for an unknown version: the generation, the images and the values layout all hang on it.
        r.errors.push({
            path: "aihub.version",
            text: `${aihub.version} is not a known AI Hub chart version (use one of: ${known.join(", ")}; or add it to catalog/aihub.ts)`,
        });
        return;
    }
    checkChartFile("aihub.chart", aihub.chart, aihub.version, `rapidminer-aihub-${aihub.version}.tgz`, files, r);
    if (aihub.valuesFile) r.vendorValues = checkValuesFile(aihub.valuesFile, files.baseDir, r);
}

/** Largest vendor values file read, in bytes. */
export const MAX_VALUES_FILE_BYTES = 4 * 2 ** 20;

/**
 * Reads the vendor values file as a YAML mapping: a regular file of at most {@link MAX_VALUES_FILE_BYTES}.
 * Throws a one-line YamlFileError naming the file.
 */
export function readValuesFile(file: string, baseDir: string): Record<string, unknown> {
    const full = path.resolve(baseDir, file);
    const doc = readYamlFile(full, MAX_VALUES_FILE_BYTES);
    if (doc === null || doc === undefined) return {};
    if (typeof doc !== "object" || Array.isArray(doc)) {
        throw new YamlFileError(full, "the top level is not a mapping of keys");
    }
    return doc as Record<string, unknown>;
}

/**
 * The values file must be there and readable for `plan` too: it is the admin's own file, not part of the bundle.
 * Returns its contents when it could be read.
 */
function checkValuesFile(file: string, baseDir: string, r: RuleResult): Record<string, unknown> | undefined {
    try {
        return readValuesFile(file, baseDir);
    } catch (e) {
        if (!(e instanceof YamlFileError)) throw e;
        r.errors.push({
            path: "aihub.valuesFile",
            text: `"${file}${e.position}" ${e.reason} (give a readable YAML file of at most ${MAX_VALUES_FILE_BYTES / 2 ** 20} MiB, or remove aihub.valuesFile)`,
        });
        return undefined;
    }
}

/** `issued`: the certManager add-on is on, so a missing certificate is issued (its own rules check the rest). */
function checkIngress(aihubVersion: string, ingress: CoreConfig["ingress"], issued: boolean, r: RuleResult): void {
    if (ingress.mode === "http" && !aihubAllowsHttp(parseSemver(aihubVersion)!)) {
        r.errors.push({
            path: "ingress.mode",
            text: `AI Hub ${aihubVersion} no longer serves plain HTTP (use https or https-custom-ca)`,
        });
    }
    if (issued && !ingress.tlsCert) return;
    if (ingress.mode !== "http") {
        if (!ingress.tlsCert) {
            r.errors.push({
                path: "ingress.tlsCert",
                text: `mode ${ingress.mode} needs the full-chain PEM certificate (set ingress.tlsCert, or turn on addons.certManager to issue one)`,
            });
        }
        if (!ingress.tlsKey) {
            r.errors.push({
                path: "ingress.tlsKey",
                text: `mode ${ingress.mode} needs the certificate's key (pulumi config set --secret --path ingress.tlsKey < key.pem)`,
            });
        }
    }
    if (ingress.mode === "https-custom-ca" && !ingress.caCert) {
        r.errors.push({
            path: "ingress.caCert",
            text: "mode https-custom-ca needs the CA certificate (set ingress.caCert)",
        });
    }
}
