/**
 * What an engine test stands on besides the cluster: the fixture charts packaged as an admin's bundle would carry
 * them (with the CRDs the real charts install), a site certificate for the AI Hub domain, a loopback "upstream" and
 * a private TLS+htpasswd registry, and a bundle of generated images under every name the stack's pods use, which
 * RegistryMirror pushes during `pulumi up`.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { buildBundle } from "../../pipeline/bundle";
import { execFileSync } from "node:child_process";
import { isInRegistry, mapImage } from "../../lib/imageref";
import { releaseImages } from "../../pipeline/rendered";
import { runPlan } from "../../platform/plan/run";
import { generateImages, type ImageSpec } from "../fixtures/images/generate";
import { helm, layerBinary } from "../helpers/helm";
import { makeCertificates, startRegistry, type TestRegistry } from "../helpers/registry";

const ROOT = path.resolve(__dirname, "..", "..");
const FIXTURES = path.join(ROOT, "test", "fixtures", "charts");
const SHARED_ROOK = path.resolve(ROOT, "..", "shared", "ref", "rook", "crds.yaml");

/** The CRDs of ceph-csi-operator (csi.ceph.io) that the csi-drivers chart's resources need; schema left open. */
function csiOperatorCrds(): string {
    return ["Driver", "OperatorConfig"]
        .map((kind) => {
            const plural = `${kind.toLowerCase()}s`;
            return [
                "apiVersion: apiextensions.k8s.io/v1",
                "kind: CustomResourceDefinition",
                `metadata: { name: ${plural}.csi.ceph.io }`,
                "spec:",
                "  group: csi.ceph.io",
                `  names: { kind: ${kind}, listKind: ${kind}List, plural: ${plural}, singular: ${kind.toLowerCase()} }`,
                "  scope: Namespaced",
                "  versions:",
                "    - name: v1",
                "      served: true",
                "      storage: true",
                "      subresources: { status: {} }",
                "      schema:",
                "        openAPIV3Schema: { type: object, x-kubernetes-preserve-unknown-fields: true }",
            ].join("\n");
        })
        .join("\n---\n");
}

/** A workload whose image a chart hard-codes (no registry, no value to change it). */
export const HARDCODED_WORKLOAD = "hardcoded-image";
export const HARDCODED_IMAGE = "busybox:latest";
const HARDCODED_IMAGE_TEMPLATE = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${HARDCODED_WORKLOAD}
  namespace: {{ .Values.common.productNS }}
spec:
  selector: { matchLabels: { app: ${HARDCODED_WORKLOAD} } }
  template:
    metadata: { labels: { app: ${HARDCODED_WORKLOAD} } }
    spec:
      imagePullSecrets: [{ name: {{ .Values.common.imagePullSecret | quote }} }]
      initContainers:
        - { name: volume-fix, image: "${HARDCODED_IMAGE}" }
      containers:
        - { name: main, image: "{{ .Values.common.dockerURL }}rapidminer-aihub:{{ .Values.common.mainVersion }}" }
`;

/**
 * Packages the fixture charts into `dir`: rook-ceph v1.20.6 with Rook's real CRDs (from ../shared/ref, as the
 * vendor chart installs them) and its ceph-csi-operator subchart with csi.ceph.io CRDs, ceph-csi-drivers, and the
 * AI Hub chart of `aihubVersion` plus one workload with a hard-coded image. Returns the .tgz paths by name.
 */
export function packageCharts(dir: string, aihubVersion: string): Record<"rook" | "csi" | "aihub", string> {
    const src = path.join(dir, "src");
    fs.mkdirSync(src, { recursive: true });
    const copy = (name: string) => {
        fs.cpSync(path.join(FIXTURES, name), path.join(src, name), { recursive: true });
        return path.join(src, name);
    };
    const rook = copy("rook-ceph-v1.20.6");
    fs.mkdirSync(path.join(rook, "crds"));
    fs.copyFileSync(SHARED_ROOK, path.join(rook, "crds", "crds.yaml"));
    const operator = path.join(rook, "charts", "ceph-csi-operator", "crds");
    fs.mkdirSync(operator, { recursive: true });
    fs.writeFileSync(path.join(operator, "csi-operator.yaml"), csiOperatorCrds());
    const aihub = copy(`rapidminer-aihub-${aihubVersion}`);
    // What chart 2025.1.1 does for its ActiveMQ volume fix: an image with no registry, hard-coded in the template.
    // Only the post-renderer (run by the provider) can bring it into the private registry.
    fs.writeFileSync(path.join(aihub, "templates", "hardcoded-image.yml"), HARDCODED_IMAGE_TEMPLATE);
    const charts = [rook, copy("ceph-csi-drivers"), aihub];
    const out = charts.map((c) => {
        const line = helm(["package", c, "--destination", dir]).trim();
        return line.slice(line.lastIndexOf(" ") + 1);
    });
    return { rook: out[0], csi: out[1], aihub: out[2] };
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
