/**
 * The add-on machinery with a table of test add-ons: parsing of `addons`, `enabled`, secrets, cross rules, build
 * order and what earlier add-ons provide.
 */
import * as assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { buildAddOns } from "../platform/addons";
import { formatProblem } from "../lib/problems";
import type { PlatformConfig } from "../platform/contracts";
import { secret } from "../config/schema";
import { validateConfig } from "../config/validate";
import type { Storage } from "../platform/contracts";
import { airgap } from "../test/config/helpers";
import { mockStack, PROJECT_DIR, settle } from "../test/harness";
import { enabledAddOns } from "../platform/registry";
import type { AddOn } from "../platform/contracts";
import { defineAddOn } from "./shared/define";

const first = defineAddOn({
    name: "first",
    title: "first test add-on",
    requires: [],
    schema: z.strictObject({ size: z.number().int().min(1).default(1), token: secret.optional() }),
    secretPaths: ["token"],
    charts: () => [{ key: "addons.first.chart", path: "first.tgz" }],
    images: () => ["docker.io/library/first:1"],
    build: (_s, deps) => ({
        component: new pulumi.ComponentResource("test:First", "first", {}, deps.kube),
        provides: { gpu: { resourceName: "example.com/gpu", ready: [] } },
        outputs: { firstOut: "1" },
    }),
});
const seen: string[] = [];
const second = defineAddOn({
    name: "second",
    title: "second test add-on",
    requires: [],
    schema: z.strictObject({ needsFirst: z.boolean().default(true) }),
    rules: (s, all) => ({
        errors:
            s.needsFirst && (all.addons as Record<string, unknown> | undefined)?.first === undefined
                ? [{ path: "addons.second.needsFirst", text: "needs addons.first (turn it on)" }]
                : [],
    }),
    charts: () => [],
    images: () => [],
    build: (_s, deps) => {
        seen.push(deps.provided.gpu?.resourceName ?? "nothing");
        return { component: new pulumi.ComponentResource("test:Second", "second", {}, deps.kube), outputs: {} };
    },
});
const TABLE: readonly AddOn[] = [first, second];

function check(addons: unknown, secure?: Set<string>) {
    const { values, secure: s } = airgap();
    values.addons = addons;
    const v = validateConfig(
        { values, securePaths: secure ?? s },
        { baseDir: PROJECT_DIR, missing: "warn" },
        { addons: TABLE },
    );
    return { ...v, lines: v.errors.map(formatProblem) };
}

describe("add-on config", () => {
    it("has no add-on when the key is absent, and parses present sections with their defaults", () => {
        const { values, secure } = airgap();
        const none = validateConfig(
            { values, securePaths: secure },
            { baseDir: PROJECT_DIR, missing: "warn" },
            { addons: TABLE },
        );
        assert.deepEqual(none.config?.addons, {});
        const v = check({ first: {}, second: { needsFirst: false } });
        assert.deepEqual(v.lines, []);
        assert.deepEqual(v.config?.addons, { first: { size: 1 }, second: { needsFirst: false } });
    });

    it("names an unknown add-on, a wrong key and a wrong type by key path", () => {
        const v = check({ frist: {}, first: { size: 0, colour: "red" }, second: "yes" });
        assert.ok(
            v.lines.some((l) => l.includes("addons.frist: is not a known add-on (known add-ons: first, second)")),
        );
        assert.ok(
            v.lines.some((l) => l.startsWith("aihub-airgap:addons.first.size:")),
            v.lines.join("\n"),
        );
        assert.ok(v.lines.some((l) => l.startsWith("aihub-airgap:addons.first.colour: is not a known key")));
        assert.ok(v.lines.some((l) => l.startsWith("aihub-airgap:addons.second: must be a mapping")));
        assert.equal(v.config, undefined);
    });

    it("skips a section with enabled: false, and rejects a non-boolean enabled", () => {
        const off = check({ first: { enabled: false, size: "not checked" }, second: { needsFirst: false } });
        assert.deepEqual(off.lines, []);
        assert.deepEqual(
            enabledAddOns(off.config!.addons as Record<string, unknown>, TABLE).map((e) => e.addon.name),
            ["second"],
        );
        assert.ok(
            check({ first: { enabled: "yes" } }).lines[0].includes("addons.first.enabled: must be true or false"),
        );
    });

    it("refuses an add-on secret stored in plain text, naming its path", () => {
        const { secure } = airgap();
        const v = check({ first: { token: "s3cret" } }, secure);
        assert.ok(
            v.lines.some((l) => l.startsWith("aihub-airgap:addons.first.token:")),
            v.lines.join("\n"),
        );
        assert.ok(!v.lines.join("\n").includes("s3cret"));
        const ok = check({ first: { token: "s3cret" } }, new Set([...secure, "addons.first.token"]));
        assert.deepEqual(ok.lines, []);
    });

    it("runs an add-on's rules against the other sections", () => {
        const v = check({ second: {} });
        assert.deepEqual(v.lines, ["aihub-airgap:addons.second.needsFirst: needs addons.first (turn it on)"]);
    });
});

describe("add-on composition", () => {
    it("builds in table order, hands on what earlier add-ons provide and collects outputs", async () => {
        const rec = await mockStack("airgap", {});
        const cfg = { addons: { first: { size: 1 }, second: { needsFirst: true } } } as unknown as PlatformConfig;
        seen.length = 0;
        const built = buildAddOns(cfg, { storage: {} as Storage, kube: {}, projectDir: PROJECT_DIR }, TABLE);
        await settle();
        assert.deepEqual(seen, ["example.com/gpu"]);
        assert.deepEqual(Object.keys(built.outputs), ["firstOut"]);
        assert.deepEqual(
            rec.all().map((r) => r.type),
            ["test:First", "test:Second"],
        );
    });

    it("refuses two add-ons exporting the same output", async () => {
        await mockStack("airgap", {});
        const cfg = { addons: { first: { size: 1 }, again: {} } } as unknown as PlatformConfig;
        const again = { ...first, name: "again" } as AddOn;
        assert.throws(
            () => buildAddOns(cfg, { storage: {} as Storage, kube: {}, projectDir: PROJECT_DIR }, [first, again]),
            /add-on again: output firstOut is already exported/,
        );
    });
});
