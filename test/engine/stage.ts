/**
 * What an engine test stands on besides the cluster: the real vendor charts (../shared/charts) copied where an admin's
 * bundle carries them, a site certificate for the AI Hub domain, a loopback "upstream" and a private TLS+htpasswd
 * registry, and a bundle of generated images that RegistryMirror pushes during `pulumi up`.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parseSemver, rookNeedsCsiDrivers } from "../../catalog/versions";
import { buildBundle } from "../../pipeline/bundle";
import { startUpstream } from "../fixtures/images/upstream";
import { makeCertificates, startRegistry, type TestRegistry } from "../helpers/registry";
import { vendorChart } from "../helpers/vendor-charts";

/** The chart files of a scenario: the Rook operator, the CSI drivers (Rook >= 1.20 only) and AI Hub. */
export interface StagedCharts {
    rook: string;
    csi?: string;
    aihub: string;
}

/**
 * Copies the real vendor charts into `dir`: rook-ceph of `rookVersion` (its CRDs in its templates, and from v1.20 the
 * ceph-csi-operator subchart with the csi.ceph.io CRDs), ceph-csi-drivers 1.0.4 for Rook >= 1.20, and the AI Hub
 * chart of `aihubVersion`. Returns the .tgz paths.
 */
export function stageCharts(dir: string, aihubVersion: string, rookVersion: string): StagedCharts {
    fs.mkdirSync(dir, { recursive: true });
    const copy = (file: string) => {
        const to = path.join(dir, file);
        fs.copyFileSync(vendorChart(file), to);
        return to;
    };
    return {
        rook: copy(`rook-ceph-${rookVersion}.tgz`),
        ...(rookNeedsCsiDrivers(parseSemver(rookVersion)!) ? { csi: copy("ceph-csi-drivers-1.0.4.tgz") } : {}),
        aihub: copy(`rapidminer-aihub-${aihubVersion}.tgz`),
    };
}

/** A site CA and a certificate for `domain` signed by it (what an internal CA hands out). */
export function siteCertificate(dir: string, domain: string): { cert: string; key: string; ca: string } {
    fs.mkdirSync(dir, { recursive: true });
    const ca = makeCertificates(dir, domain);
    const read = (f: string) => fs.readFileSync(path.join(dir, f), "utf8");
    return { cert: read("server.crt"), key: read("server.key"), ca };
}

/** The private registry (TLS with a test CA, htpasswd) and a bundle of generated images addressed to it. */
export async function registryAndBundle(
    work: string,
    stack: string,
    user: string,
    password: string,
    charts: string[],
): Promise<{ registry: TestRegistry; upstream: TestRegistry; bundle: string }> {
    const up = await startUpstream(work, 0.05);
    const registry = await startRegistry(work, { tls: true, auth: { username: user, password } });
    const bundle = path.join(work, "bundle");
    await buildBundle({
        out: bundle,
        stack,
        registry: registry.host,
        platforms: ["linux/amd64"],
        images: up.refs,
        charts,
        upstreamTlsVerify: false,
        write: () => {},
    });
    return { registry, upstream: up.registry, bundle };
}
