/**
 * The configuration reference in docs/configuration.md is the schemas' own: every key has a description, no
 * description is left over from a key that is gone, and the generated part of the page is current
 * (`npm run docs:config` rewrites it).
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import {
    configKeyPaths,
    configReference,
    generatedSection,
    referenceSections,
    withGeneratedSection,
} from "./config-reference";
import { KEY_DOCS } from "./config-reference-text";

const PAGE = path.join(__dirname, "..", "docs", "configuration.md");
const keys = configKeyPaths();

test("every key path of the schemas has a description", () => {
    assert.ok(keys.length > 100, `only ${keys.length} key paths found`);
    assert.deepEqual(
        keys.filter((k) => !KEY_DOCS[k]?.trim()),
        [],
        "add these to KEY_DOCS in platform/config-reference-text.ts",
    );
    assert.equal(new Set(keys).size, keys.length, "a key path is listed twice");
});

test("no description is for a key the schemas do not have", () => {
    assert.deepEqual(
        Object.keys(KEY_DOCS).filter((k) => !keys.includes(k)),
        [],
        "remove these from KEY_DOCS (or fix their key path)",
    );
});

test("key paths a description names in backquotes exist", () => {
    const types = new Map(referenceSections().flatMap((s) => s.rows.map((r) => [r.path, r.type] as const)));
    const sections = new Set(keys.map((k) => k.split(".")[0]));
    /** A named path, e.g. `addons.metallb.addresses[<n>]`, is a key path, or an entry of a map key. */
    const resolves = (named: string) => {
        let p = named.replace(/\[[^\]]*\]/g, "[]").replace(/\[\]$/, "");
        if (types.has(p)) return true;
        while (p.includes(".")) {
            p = p.slice(0, p.lastIndexOf("."));
            const type = types.get(p);
            if (type !== undefined) return type.startsWith("map of"); // `aihub.credentials.<name>`
        }
        return false;
    };
    const wrong: string[] = [];
    for (const [key, text] of Object.entries(KEY_DOCS)) {
        for (const [, named] of text.matchAll(/`([A-Za-z][\w<>[\].]*)`/g)) {
            if (!named.includes(".") || !sections.has(named.split(".")[0])) continue;
            if (/\.(json|ya?ml|tgz|ts|cjs|pem|txt|sh)$/.test(named)) continue; // a file such as `bundle.json`
            if (!resolves(named)) wrong.push(`${key}: \`${named}\``);
        }
    }
    assert.deepEqual(wrong, []);
});

test("docs/configuration.md holds the current generated reference", () => {
    const page = fs.readFileSync(PAGE, "utf8");
    assert.equal(
        generatedSection(page),
        configReference(),
        "run `npm run docs:config` and commit docs/configuration.md",
    );
});

test("the generated part is replaced in place, the prose around it kept", () => {
    const page = "# t\n\nbefore\n\n<!-- generated:config-reference -->\n\nold\n\n<!-- /generated -->\n\nafter\n";
    const out = withGeneratedSection(page, "new\n");
    assert.equal(out, "# t\n\nbefore\n\n<!-- generated:config-reference -->\n\nnew\n\n<!-- /generated -->\n\nafter\n");
    assert.equal(generatedSection(out), "new\n");
    assert.throws(() => generatedSection("no markers"), /not found/);
});
