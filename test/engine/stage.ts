/**
 * What an engine test stands on besides the cluster: the fixture charts packaged as an admin's bundle would carry
 * them (with the CRDs the real charts install), a site certificate for the AI Hub domain, a loopback "upstream" and
 * a private TLS+htpasswd registry, and a bundle of generated images that RegistryMirror pushes during `pulumi up`.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { buildBundle } from "../../pipeline/bundle";
import { startUpstream } from "../fixtures/images/upstream";
import { helm } from "../helpers/helm";
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
