/**
 * `npm run docs:config`: rewrites the generated configuration reference in docs/configuration.md (between
 * `<!-- generated:config-reference -->` and `<!-- /generated -->`) from the schemas; the prose around it stays.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { configReference, withGeneratedSection } from "../platform/config-reference";

const page = path.join(__dirname, "..", "docs", "configuration.md");
const before = fs.readFileSync(page, "utf8");
const after = withGeneratedSection(before, configReference());
if (after === before) {
    console.log(`${path.relative(process.cwd(), page)} is current`);
} else {
    fs.writeFileSync(page, after);
    console.log(`${path.relative(process.cwd(), page)} rewritten`);
}
