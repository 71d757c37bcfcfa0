/**
 * What an engine test stands on besides the cluster: the real vendor charts (../shared/charts) copied where an admin's
 * bundle carries them, a site certificate for the AI Hub domain, a loopback "upstream" and a private TLS+htpasswd
 * registry, and a bundle of generated images under every name the stack's pods use, which RegistryMirror pushes
 * during `pulumi up`.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parseSemver, rookNeedsCsiDrivers } from "../../catalog/versions";
import { buildBundle } from "../../pipeline/bundle";
import { execFileSync } from "node:child_process";
import { isInRegistry, mapImage } from "../../lib/imageref";
import { releaseImages } from "../../pipeline/rendered";
import { runPlan } from "../../platform/plan/run";
import { generateImages, type ImageSpec } from "../fixtures/images/generate";
import { layerBinary } from "../helpers/helm";
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

/** The private registry (TLS with a test CA, htpasswd) and a plain loopback "upstream" registry. */
export async function startRegistries(
    work: string,
    user: string,
    password: string,
): Promise<{ registry: TestRegistry; upstream: TestRegistry }> {
    const upstream = await startRegistry(work);
    try {
        const registry = await startRegistry(work, { tls: true, auth: { username: user, password } });
        return { registry, upstream };
    } catch (e) {
        await upstream.stop();
        throw e;
    }
}

/**
 * Every image the stack's pods will name, in the private registry's naming: the plan's images (catalogs and config,
 * run-time images included) and what the stack's releases render with its own values (pipeline/rendered.ts, as the
 * bundle command finds them), each mapped into `registry`.
 */
export async function stackPodImages(projectDir: string, stack: string, registry: string): Promise<string[]> {
    const plan = await runPlan({ projectDir, stack });
    if (plan.errors.length)
        throw new Error(`plan failed: ${plan.errors.map((e) => `${e.path}: ${e.text}`).join("; ")}`);
    const rendered = await releaseImages(projectDir, stack, layerBinary("helm"));
    const all = [...plan.images.map((i) => i.source), ...rendered];
    return [...new Set(all.map((r) => (isInRegistry(r, registry) ? r : mapImage(r, registry))))].sort();
}

/**
 * Nothing may be downloaded, so the images are synthetic: one small generated image (a shared base layer and one of
 * its own) per name in `images` (private-registry references), pushed to the upstream under the same path and tag,
 * then bundled into `bundleDir` addressed to the private registry — RegistryMirror pushes the bundle during `up`, so
 * every image a pod names is in the registry under exactly that name.
 */
export async function bundleStackImages(
    bundleDir: string,
    stack: string,
    images: string[],
    upstream: TestRegistry,
    registry: TestRegistry,
    charts: string[],
): Promise<void> {
    const work = fs.mkdtempSync(path.join(path.dirname(bundleDir), "images-"));
    const specs: ImageSpec[] = images.map((ref) => {
        const rest = ref.slice(registry.host.length + 1);
        const at = rest.lastIndexOf(":");
        const repo = rest.slice(0, at);
        return {
            repo,
            tag: rest.slice(at + 1),
            layers: [
                { name: "base", kb: 64 },
                { name: repo.replace(/\//g, "_"), kb: 4 },
            ],
        };
    });
    const layout = path.join(work, "layout");
    generateImages(layout, 1, specs);
    const refs = specs.map((img) => {
        const ref = `${upstream.host}/${img.repo}:${img.tag}`;
        execFileSync(
            "skopeo",
            ["copy", "-q", "--dest-tls-verify=false", `oci:${layout}:${img.repo}:${img.tag}`, `docker://${ref}`],
            { stdio: ["ignore", "ignore", "pipe"] },
        );
        return ref;
    });
    fs.rmSync(work, { recursive: true, force: true });
    await buildBundle({
        out: bundleDir,
        stack,
        registry: registry.host,
        platforms: ["linux/amd64"],
        images: refs,
        charts,
        upstreamTlsVerify: false,
        write: () => {},
    });
}
