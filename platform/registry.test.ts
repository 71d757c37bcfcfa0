import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import type { Provided } from "./contracts";
import { ADDONS, enabledAddOns } from "./registry";

test("an addons section that did not parse turns nothing on (the image check then reports no TypeError)", () => {
    assert.deepEqual(enabledAddOns(undefined), []);
    assert.deepEqual(
        enabledAddOns({ gpu: {} }).map((e) => e.addon.name),
        ["gpu"],
    );
});

/** Which add-on sets each field of Provided. */
const PROVIDER: Record<keyof Provided, string> = {
    loadBalancer: "metallb",
    issuer: "certManager",
    gateway: "gateway",
    monitoring: "monitoring",
    gpu: "gpu",
};

/** The folder of an add-on (the table's name in kebab case). */
const folderOf = (name: string) => name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

test("each add-on declares in `requires` exactly the add-ons its sources read, providers first", () => {
    const names = ADDONS.map((a) => a.name as string);
    for (const [i, addon] of ADDONS.entries()) {
        const dir = path.join(__dirname, "..", "addons", folderOf(addon.name));
        const source = fs
            .readdirSync(dir)
            .filter((f) => f.endsWith(".ts") && !f.endsWith(".test.ts") && f !== "engine-fixture.ts")
            .map((f) => fs.readFileSync(path.join(dir, f), "utf8"))
            .join("\n");
        const configRead = [...source.matchAll(/\baddons\??\.(\w+)/g)].map((m) => m[1]);
        const providedRead = [...source.matchAll(/\bprovided\??\.(\w+)/g)].map((m) => PROVIDER[m[1] as keyof Provided]);
        const read = new Set([...configRead, ...providedRead].filter((n) => n !== addon.name && names.includes(n)));
        assert.deepEqual([...addon.requires].sort(), [...read].sort(), `${addon.name}: requires`);
        for (const p of new Set(providedRead)) {
            assert.ok(names.indexOf(p) < i, `${addon.name} reads what ${p} provides, so ${p} must come earlier`);
        }
    }
});
