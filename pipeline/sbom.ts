/**
 * The bundle's SBOM, `sbom.cdx.json` (CycloneDX 1.6 JSON): every image (a `pkg:oci` purl with its digest, the
 * upstream and the private reference), chart, provider plugin, Pulumi CLI archive and extra file of bundle.json,
 * every npm package of package-lock.json, and the tool itself as `metadata.component`. bundle.json records the
 * SBOM's sha256, so the signature covers it and verify checks it. Built by pure functions from what bundle.json
 * already holds.
 */
import { parseImageRef } from "../lib/imageref";
import type { ChartMeta } from "./chart-meta";
import type { BundleManifest, FileArtifact, ImageArtifact } from "./manifest";

/** The SBOM's file name inside a bundle. */
export const SBOM_FILE = "sbom.cdx.json";

/** The prefix of this tool's CycloneDX property names. */
const P = "aihub-airgap";
/** The property naming a component's bundle.json kind (`image`, `chart`, `plugin`, `cli`, `file`). */
export const KIND_PROPERTY = `${P}:kind`;

type Hash = { alg: string; content: string };
type Property = { name: string; value: string };

/** One CycloneDX component (the fields this SBOM uses). */
export interface Component {
    type: "application" | "container" | "library" | "file";
    "bom-ref": string;
    name: string;
    group?: string;
    version?: string;
    description?: string;
    scope?: "required" | "optional";
    purl?: string;
    hashes?: Hash[];
    licenses?: ({ expression: string } | { license: { name: string } })[];
    externalReferences?: { type: "distribution"; url: string }[];
    properties?: Property[];
}

/** A CycloneDX 1.6 BOM. */
export interface Sbom {
    $schema: string;
    bomFormat: "CycloneDX";
    specVersion: "1.6";
    serialNumber: string;
    version: 1;
    metadata: { timestamp: string; component: Component; properties: Property[] };
    components: Component[];
    dependencies: { ref: string; dependsOn: string[] }[];
}

/** One entry of package-lock.json's `packages` (lockfile v2/v3). */
export interface LockPackage {
    name?: string;
    version?: string;
    resolved?: string;
    integrity?: string;
    license?: string;
    dev?: boolean;
    optional?: boolean;
    link?: boolean;
    dependencies?: Record<string, string>;
    devDependencies?: Record<string, string>;
}

/** What {@link buildSbom} needs. */
export interface SbomInput {
    /** bundle.json as it will be signed, without the SBOM's own record. */
    manifest: BundleManifest;
    /** package-lock.json's `packages`. */
    lockPackages: Record<string, LockPackage>;
    /** The tool: the project's package.json name, version and description. */
    tool: { name: string; version: string; description?: string };
    /** Chart.yaml of each chart, by its path in the bundle. */
    charts: Record<string, ChartMeta>;
    /** `urn:uuid:…`, new for every SBOM written. */
    serialNumber: string;
}

/** Percent-encodes a purl segment or qualifier value, keeping `/` readable as the purl spec's examples do. */
const enc = (s: string) => encodeURIComponent(s).replaceAll("%2F", "/");

/** The purl of an image: `pkg:oci/<last path segment>@sha256%3A<hex>?repository_url=<host/path>[&tag=<tag>]`. */
export function ociPurl(source: string, digest: string): string {
    const r = parseImageRef(source);
    const name = r.path.split("/").pop()!.toLowerCase();
    const tag = r.tag ? `&tag=${enc(r.tag)}` : "";
    return `pkg:oci/${enc(name)}@${enc(digest)}?repository_url=${enc(`${r.host}/${r.path}`)}${tag}`;
}

/** The purl of an npm package: `pkg:npm/%40scope/name@version`. */
export function npmPurl(name: string, version: string): string {
    return `pkg:npm/${name.split("/").map(encodeURIComponent).join("/")}@${enc(version)}`;
}

/** Subresource-integrity strings (`sha512-<base64> …`) as CycloneDX hashes. */
export function integrityHashes(integrity: string | undefined): Hash[] {
    const algs: Record<string, string> = { sha1: "SHA-1", sha256: "SHA-256", sha384: "SHA-384", sha512: "SHA-512" };
    return (integrity ?? "")
        .split(/\s+/)
        .map((s) => /^(sha1|sha256|sha384|sha512)-([A-Za-z0-9+/]+={0,2})$/.exec(s))
        .filter((m) => m !== null)
        .map((m) => ({ alg: algs[m[1]], content: Buffer.from(m[2], "base64").toString("hex") }));
}

const props = (o: Record<string, string | undefined>): Property[] =>
    Object.entries(o)
        .filter((e): e is [string, string] => e[1] !== undefined)
        .map(([k, value]) => ({ name: k.includes(":") ? k : `${P}:${k}`, value }));

function imageComponent(a: ImageArtifact): Component {
    const r = parseImageRef(a.source);
    return {
        type: "container",
        "bom-ref": `image ${a.source}`,
        name: `${r.host}/${r.path}`,
        version: r.tag ?? a.digest,
        purl: ociPurl(a.source, a.digest),
        hashes: [{ alg: "SHA-256", content: a.digest.slice("sha256:".length) }],
        properties: props({ kind: "image", upstream: a.source, private: a.target, mediaType: a.mediaType }),
    };
}

/** A chart, plugin, extra file or any later single-file artifact. */
function fileComponent(a: FileArtifact, charts: Record<string, ChartMeta>): Component {
    const base = {
        "bom-ref": `${a.kind} ${a.path}`,
        hashes: [{ alg: "SHA-256", content: a.sha256 }],
        ...(/^https?:\/\//.test(a.source)
            ? { externalReferences: [{ type: "distribution" as const, url: a.source }] }
            : {}),
    };
    const plugin = /^pulumi-resource-(.+)-v(\d[^-]*)-([^-]+)-([^-]+)\.tar\.gz$/.exec(a.name);
    if (a.kind === "chart") {
        const c = charts[a.path];
        if (!c) throw new Error(`no Chart.yaml read for ${a.path}`);
        return {
            type: "application",
            ...base,
            name: c.name,
            version: c.version,
            properties: props({ kind: "chart", path: a.path, appVersion: c.appVersion }),
        };
    }
    const cli = /^pulumi-v(\d[^-]*)-([^-]+)-([^-.]+)\.(tar\.gz|zip)$/.exec(a.name);
    if (a.kind === "cli" && cli) {
        const [, version, os, arch] = cli;
        // Pulumi calls amd64 "x64"; the property uses the bundle's platform names.
        const platform = `${os}/${arch === "x64" ? "amd64" : arch}`;
        const properties = props({ kind: "cli", path: a.path, platform });
        return { type: "application", ...base, name: "pulumi", version, properties };
    }
    if (a.kind === "plugin" && plugin) {
        const [, name, version, os, arch] = plugin;
        const properties = props({ kind: "plugin", path: a.path, platform: `${os}/${arch}` });
        return { type: "application", ...base, name: `pulumi-resource-${name}`, version, properties };
    }
    return { type: "file", ...base, name: a.name, properties: props({ kind: a.kind, path: a.path, source: a.source }) };
}

/** The lock's `license` as a CycloneDX license: an SPDX expression when it looks like one, else a name. */
function license(text: string): { expression: string } | { license: { name: string } } {
    const expression = /^\(?[\w.+-]+( (AND|OR|WITH) \(?[\w.+-]+\)?)*\)?$/;
    return expression.test(text) ? { expression: text } : { license: { name: text } };
}

/** The installed name of a lock entry: its `name`, else the path after the last `node_modules/`. */
const lockName = (key: string, p: LockPackage) => p.name ?? key.slice(key.lastIndexOf("node_modules/") + 13);

/** Every installed npm package of the lock, once per name and version (nested copies share a purl). */
function npmComponents(lock: Record<string, LockPackage>): Component[] {
    const byPurl = new Map<string, Component>();
    for (const [key, p] of Object.entries(lock)) {
        if (!key || p.link || !p.version) continue;
        const name = lockName(key, p);
        const purl = npmPurl(name, p.version);
        if (byPurl.has(purl)) continue;
        const scope = name.startsWith("@") ? name.slice(0, name.indexOf("/")) : undefined;
        byPurl.set(purl, {
            type: "library",
            "bom-ref": purl,
            ...(scope ? { group: scope } : {}),
            name: scope ? name.slice(scope.length + 1) : name,
            version: p.version,
            scope: p.optional ? "optional" : "required",
            purl,
            hashes: integrityHashes(p.integrity),
            ...(p.license ? { licenses: [license(p.license)] } : {}),
            ...(p.resolved ? { externalReferences: [{ type: "distribution" as const, url: p.resolved }] } : {}),
            // CycloneDX's property taxonomy for a package only the development tooling needs.
            properties: p.dev ? [{ name: "cdx:npm:package:development", value: "true" }] : [],
        });
    }
    return [...byPurl.values()];
}

/** The SBOM of a bundle (pure: the same input gives the same document). */
export function buildSbom(i: SbomInput): Sbom {
    const m = i.manifest;
    const carried = m.artifacts.flatMap((a): Component[] => {
        // Upstream signatures and attestations are evidence about an image, not software: bundle.json lists them.
        if (a.kind === "image") return a.attached ? [] : [imageComponent(a)];
        return a.kind === "npm" || a.kind === "sbom" ? [] : [fileComponent(a, i.charts)];
    });
    const npm = npmComponents(i.lockPackages);
    const root = i.lockPackages[""] ?? {};
    const direct = Object.keys({ ...root.dependencies, ...root.devDependencies }).flatMap((n) => {
        const p = i.lockPackages[`node_modules/${n}`];
        return p?.version ? [npmPurl(lockName(`node_modules/${n}`, p), p.version)] : [];
    });
    const tool: Component = {
        type: "application",
        "bom-ref": i.tool.name,
        name: i.tool.name,
        version: i.tool.version,
        ...(i.tool.description ? { description: i.tool.description } : {}),
    };
    return {
        $schema: "http://cyclonedx.org/schema/bom-1.6.schema.json",
        bomFormat: "CycloneDX",
        specVersion: "1.6",
        serialNumber: i.serialNumber,
        version: 1,
        metadata: {
            timestamp: m.created,
            component: tool,
            properties: props({ stack: m.stack, registry: m.registry, platforms: m.platforms.join(",") }),
        },
        components: [...carried, ...npm],
        dependencies: [{ ref: tool["bom-ref"], dependsOn: [...carried.map((c) => c["bom-ref"]), ...direct] }],
    };
}
