/**
 * The bundle's SBOM, `sbom.cdx.json` (CycloneDX 1.6 JSON): every image (a `pkg:oci` purl with its digest, the
 * upstream and the private reference), chart, provider plugin, Pulumi CLI archive and extra file of bundle.json,
 * every npm package of package-lock.json with the dependencies between them (development ones `scope: excluded`),
 * and the tool itself as `metadata.component`. Each image links the signatures, attestations and SBOMs carried for
 * it, and the SBOM of its contents per platform (`externalReferences`; pipeline/image-contents.ts); charts, plugins
 * and the CLI have `pkg:generic` purls with their sha256. bundle.json records the SBOM's sha256, so the signature
 * covers it and verify checks it. Built by pure functions from what bundle.json already holds.
 */
import { parseImageRef } from "../lib/imageref";
import type { ChartMeta } from "./chart-meta";
import type { AttachmentKind } from "./attached";
import { isIndex } from "./layout";
import type { BundleManifest, FileArtifact, ImageArtifact } from "./manifest";

/** The SBOM's file name inside a bundle. */
export const SBOM_FILE = "sbom.cdx.json";

/** The prefix of this tool's CycloneDX property names. */
const P = "aihub-airgap";
/** The property naming a component's bundle.json kind (`image`, `chart`, `plugin`, `cli`, `file`). */
export const KIND_PROPERTY = `${P}:kind`;

type Hash = { alg: string; content: string };
/** A CycloneDX external reference (the types this SBOM uses). */
interface ExternalReference {
    type: "distribution" | "digital-signature" | "attestation" | "bom" | "evidence";
    url: string;
    comment?: string;
    hashes?: Hash[];
}
type Property = { name: string; value: string };

/** One CycloneDX component (the fields this SBOM uses). */
export interface Component {
    type: "application" | "container" | "library" | "file";
    "bom-ref": string;
    name: string;
    group?: string;
    version?: string;
    description?: string;
    /** `excluded`: a development package, not part of what runs (CycloneDX 1.6). */
    scope?: "required" | "optional" | "excluded";
    purl?: string;
    hashes?: Hash[];
    licenses?: ({ expression: string } | { license: { name: string } })[];
    externalReferences?: ExternalReference[];
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

/**
 * The purl of an image: `pkg:oci/<last path segment>@sha256%3A<hex>?[arch=<arch>&]repository_url=<host/path>[&tag=<tag>]`
 * (qualifiers in key order, as the purl spec asks). `arch` is set for a single-platform image.
 */
export function ociPurl(source: string, digest: string, arch?: string): string {
    const r = parseImageRef(source);
    const name = r.path.split("/").pop()!.toLowerCase();
    const tag = r.tag ? `&tag=${enc(r.tag)}` : "";
    const a = arch ? `arch=${enc(arch)}&` : "";
    return `pkg:oci/${enc(name)}@${enc(digest)}?${a}repository_url=${enc(`${r.host}/${r.path}`)}${tag}`;
}

/** A purl of the `generic` type (charts, plugins, the CLI: no purl type of their own) with its sha256 as checksum. */
export function genericPurl(name: string, version: string, sha256: string, downloadUrl?: string): string {
    const url = downloadUrl ? `&download_url=${encodeURIComponent(downloadUrl)}` : "";
    return `pkg:generic/${encodeURIComponent(name)}@${enc(version)}?checksum=sha256%3A${sha256}${url}`;
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

/** The CycloneDX reference type of an attached kind. */
const REFERENCE_TYPE: Record<AttachmentKind, ExternalReference["type"]> = {
    sig: "digital-signature",
    att: "attestation",
    sbom: "bom",
    referrers: "evidence",
};

/**
 * An image, with a link to each signature, attestation, SBOM and referrers index carried for it: the private
 * reference push puts it under, and its digest.
 */
function imageComponent(
    a: ImageArtifact,
    attached: ImageArtifact[],
    contents: FileArtifact[],
    platforms: string[],
): Component {
    const r = parseImageRef(a.source);
    const arch = !isIndex(a.mediaType) && platforms.length === 1 ? platforms[0].split("/")[1] : undefined;
    const links = attached.map((t): ExternalReference => ({
        type: REFERENCE_TYPE[t.attached!.kind],
        url: t.target,
        comment: `${t.attached!.kind} carried from ${t.source}`,
        hashes: [{ alg: "SHA-256", content: t.digest.slice("sha256:".length) }],
    }));
    for (const c of contents) {
        links.push({
            type: "bom",
            url: c.path,
            comment: `contents of ${c.contents!.platform} (${c.contents!.digest}) found by ${c.source}`,
            hashes: [{ alg: "SHA-256", content: c.sha256 }],
        });
    }
    return {
        type: "container",
        "bom-ref": `image ${a.source}`,
        name: `${r.host}/${r.path}`,
        version: r.tag ?? a.digest,
        purl: ociPurl(a.source, a.digest, arch),
        hashes: [{ alg: "SHA-256", content: a.digest.slice("sha256:".length) }],
        ...(links.length ? { externalReferences: links } : {}),
        properties: props({ kind: "image", upstream: a.source, private: a.target, mediaType: a.mediaType }),
    };
}

/** A chart, plugin, extra file or any later single-file artifact. */
function fileComponent(a: FileArtifact, charts: Record<string, ChartMeta>): Component {
    const download = /^https?:\/\//.test(a.source) ? a.source : undefined;
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
            purl: genericPurl(c.name, c.version, a.sha256),
            properties: props({ kind: "chart", path: a.path, appVersion: c.appVersion }),
        };
    }
    const cli = /^pulumi-v(\d[^-]*)-([^-]+)-([^-.]+)\.(tar\.gz|zip)$/.exec(a.name);
    if (a.kind === "cli" && cli) {
        const [, version, os, arch] = cli;
        // Pulumi calls amd64 "x64"; the property uses the bundle's platform names.
        const platform = `${os}/${arch === "x64" ? "amd64" : arch}`;
        const properties = props({ kind: "cli", path: a.path, platform });
        const purl = genericPurl("pulumi", version, a.sha256, download);
        return { type: "application", ...base, name: "pulumi", version, purl, properties };
    }
    if (a.kind === "plugin" && plugin) {
        const [, name, version, os, arch] = plugin;
        const properties = props({ kind: "plugin", path: a.path, platform: `${os}/${arch}` });
        const purl = genericPurl(`pulumi-resource-${name}`, version, a.sha256, download);
        return { type: "application", ...base, name: `pulumi-resource-${name}`, version, purl, properties };
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
            scope: p.dev ? "excluded" : p.optional ? "optional" : "required",
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

/**
 * Where Node.js finds the package `dep` required from the lock entry `from`: `<from>/node_modules/<dep>`, else the
 * same in each folder above, up to the top `node_modules/<dep>`.
 */
function resolveDep(lock: Record<string, LockPackage>, from: string, dep: string): string | undefined {
    for (let at = from; ;) {
        const key = `${at ? `${at}/` : ""}node_modules/${dep}`;
        if (lock[key]) return key;
        if (!at) return undefined;
        const up = at.lastIndexOf("/node_modules/");
        at = up < 0 ? "" : at.slice(0, up);
    }
}

/** The bom-ref (purl) of an installed lock entry; undefined for links and entries without a version. */
function lockRef(lock: Record<string, LockPackage>, key: string | undefined): string | undefined {
    const p = key === undefined ? undefined : lock[key];
    if (!p || p.link || !p.version) return undefined;
    return npmPurl(lockName(key!, p), p.version);
}

/** Each npm package's own dependencies (and optional ones), resolved as Node.js resolves them, by bom-ref. */
function npmDependencies(lock: Record<string, LockPackage>): { ref: string; dependsOn: string[] }[] {
    const graph = new Map<string, Set<string>>();
    for (const key of Object.keys(lock)) {
        const ref = lockRef(lock, key);
        if (!key || !ref) continue;
        const p = lock[key] as LockPackage & { optionalDependencies?: Record<string, string> };
        const deps = graph.get(ref) ?? new Set<string>();
        for (const dep of Object.keys({ ...p.dependencies, ...p.optionalDependencies })) {
            const to = lockRef(lock, resolveDep(lock, key, dep));
            if (to && to !== ref) deps.add(to);
        }
        graph.set(ref, deps);
    }
    return [...graph].map(([ref, deps]) => ({ ref, dependsOn: [...deps].sort() }));
}

/** The SBOM of a bundle (pure: the same input gives the same document). */
export function buildSbom(i: SbomInput): Sbom {
    const m = i.manifest;
    const attachedTo = (name: string) =>
        m.artifacts.filter((a): a is ImageArtifact => a.kind === "image" && a.attached?.to === name);
    const contentsOf = (name: string) =>
        m.artifacts.filter((a): a is FileArtifact => a.kind === "sbom" && a.contents?.of === name);
    const carried = m.artifacts.flatMap((a): Component[] => {
        // Upstream signatures and attestations are evidence about an image, not software: its component links them,
        // and the per-image SBOMs of what is inside it.
        if (a.kind === "image")
            return a.attached ? [] : [imageComponent(a, attachedTo(a.name), contentsOf(a.name), m.platforms)];
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
        dependencies: [
            { ref: tool["bom-ref"], dependsOn: [...carried.map((c) => c["bom-ref"]), ...direct] },
            ...npmDependencies(i.lockPackages),
        ],
    };
}
