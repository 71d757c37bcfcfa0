/**
 * Validates objects against the openAPIV3Schema of Rook's CRDs (../shared/ref/rook beside the checkout, or REF_ROOK_DIR).
 * `x-kubernetes-*` extensions are dropped; objects with `properties` reject unknown fields (strict validation)
 * unless marked `x-kubernetes-preserve-unknown-fields`. Formats are not checked (int32/int64 are Kubernetes-specific).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import Ajv, { type ValidateFunction } from "ajv";
import { parseAllDocuments } from "yaml";

/** Directory of the vendored Rook CRDs. */
export const ROOK_REF_DIR =
    process.env.REF_ROOK_DIR ?? path.resolve(__dirname, "..", "..", "..", "shared", "ref", "rook");

/** Directory of the external-snapshotter CRDs (v8.6.0). */
export const SNAPSHOT_REF_DIR =
    process.env.REF_SNAPSHOT_DIR ?? path.resolve(__dirname, "..", "..", "..", "shared", "ref", "external-snapshotter");

/** The reference CRD file of a snapshot kind (`VolumeSnapshotClass` → `…volumesnapshotclasses-v8.6.0.yaml`). */
export function snapshotCrdFile(kind: string): string {
    const plural = kind.toLowerCase() + (kind.endsWith("Class") ? "es" : "s");
    return path.join(SNAPSHOT_REF_DIR, `snapshot.storage.k8s.io_${plural}-v8.6.0.yaml`);
}

/** The CRD file of a Rook version that the reference directory holds. */
export function crdFile(rookVersion: string): string {
    return path.join(ROOK_REF_DIR, rookVersion === "v1.9.8" ? "crds-v1.9.8.yaml" : "crds.yaml");
}

type Schema = Record<string, unknown>;

/** Drops `x-kubernetes-*` keys; a `preserve-unknown-fields` object stays open to any property. */
function clean(s: unknown): unknown {
    if (Array.isArray(s)) return s.map(clean);
    if (s === null || typeof s !== "object") return s;
    const src = s as Schema;
    const out: Schema = {};
    // Like `kubectl --validate=strict`: an unknown field is an error unless the schema keeps the object open.
    if (src.properties && src.additionalProperties === undefined && !src["x-kubernetes-preserve-unknown-fields"]) {
        out.additionalProperties = false;
    }
    for (const [k, v] of Object.entries(src)) {
        if (k.startsWith("x-kubernetes-")) continue;
        out[k] =
            k === "properties"
                ? Object.fromEntries(Object.entries(v as Schema).map(([p, x]) => [p, clean(x)]))
                : clean(v);
    }
    return out;
}

/**
 * CRD patterns are Go (RE2) regular expressions; the `(?i)` flag group (prometheus-operator's case-blind enums, e.g.
 * `^(?i)(abort|warn)?$`) is one JavaScript lacks, so it becomes the `i` flag.
 */
function goRegExp(pattern: string, flags: string): RegExp {
    return pattern.includes("(?i)")
        ? new RegExp(pattern.replaceAll("(?i)", ""), `${flags}i`)
        : new RegExp(pattern, flags);
}
goRegExp.code = "goRegExp";

const cache = new Map<string, ValidateFunction>();

/** A validator for one kind in a CRD file: version `version` when given and served, else `v1`, else the first. */
export function crdValidator(file: string, kind: string, version?: string): ValidateFunction {
    const key = `${file}#${kind}#${version}`;
    const hit = cache.get(key);
    if (hit) return hit;
    const docs = parseAllDocuments(fs.readFileSync(file, "utf8")).map((d) => d.toJS() as Schema | null);
    const crd = docs.find(
        (d) => d?.kind === "CustomResourceDefinition" && (d.spec as { names: { kind: string } }).names.kind === kind,
    );
    if (!crd) throw new Error(`no CRD for kind ${kind} in ${file}`);
    const versions = (crd.spec as { versions: { name: string; schema: { openAPIV3Schema: Schema } }[] }).versions;
    const v1 = versions.find((v) => v.name === version) ?? versions.find((v) => v.name === "v1") ?? versions[0];
    const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false, code: { regExp: goRegExp } });
    const fn = ajv.compile(clean(v1.schema.openAPIV3Schema) as Schema);
    cache.set(key, fn);
    return fn;
}

/** Errors of validating `obj` (a full object with apiVersion/kind) against its CRD version; empty when valid. */
export function crdErrors(file: string, obj: { kind: string; [field: string]: unknown }): string[] {
    const fn = crdValidator(
        file,
        obj.kind,
        typeof obj.apiVersion === "string" ? obj.apiVersion.split("/")[1] : undefined,
    );
    if (fn(obj)) return [];
    return (fn.errors ?? []).map((e) => `${e.instancePath || "/"} ${e.message ?? ""}`);
}

/** A reference CRD file of an add-on project in ../shared/ref, e.g. `refFile("gateway-api", "…httproutes-v1.6.1.yaml")`. */
export function refFile(project: string, file: string): string {
    return path.resolve(__dirname, "..", "..", "..", "shared", "ref", project, file);
}
