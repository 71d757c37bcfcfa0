/**
 * Validates a document against the real CycloneDX 1.6 JSON schema (draft-07) as the @cyclonedx/cyclonedx-library
 * package ships it, with the SPDX and JSF schemas it refers to. `date-time` and `uri` are checked (ajv-formats);
 * `iri-reference` and `idn-email` have no checker there and are accepted as any string.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import Ajv, { type ValidateFunction } from "ajv";
import addFormats from "ajv-formats";

const SCHEMA_DIR = path.join(path.dirname(require.resolve("@cyclonedx/cyclonedx-library/package.json")), "res/schema");
const BASE = "http://cyclonedx.org/schema/";

let validate: ValidateFunction | undefined;

/** The schema errors of `doc` as `<path> <message>` lines; empty when it is a valid CycloneDX 1.6 BOM. */
export function cyclonedxErrors(doc: unknown): string[] {
    if (!validate) {
        const load = (f: string) => JSON.parse(fs.readFileSync(path.join(SCHEMA_DIR, f), "utf8"));
        const ajv = new Ajv({ strict: false, allErrors: true });
        addFormats(ajv);
        ajv.addFormat("iri-reference", true).addFormat("idn-email", true);
        // bom-1.6 refers to its companions by their file names, resolved against its own $id.
        for (const f of ["spdx.SNAPSHOT.schema.json", "jsf-0.82.SNAPSHOT.schema.json"])
            ajv.addSchema(load(f), BASE + f);
        validate = ajv.compile(load("bom-1.6.SNAPSHOT.schema.json"));
    }
    return validate(doc) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath || "/"} ${e.message}`);
}
