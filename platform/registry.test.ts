import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import type { z } from "zod";
import type { AddOnsConfig, Provided } from "./contracts";
import { ADDONS, enabledAddOns } from "./registry";
import { aistoreSchema } from "../addons/aistore/schema";
import { certManagerSchema } from "../addons/cert-manager/schema";
import { gatewaySchema } from "../addons/gateway/schema";
import { gpuSchema } from "../addons/gpu/schema";
import { jupyterhubSchema } from "../addons/jupyterhub/schema";
import { keplerSchema } from "../addons/kepler/schema";
import { metallbSchema } from "../addons/metallb/schema";
import { monitoringSchema } from "../addons/monitoring/schema";

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

/** The sections the table registers, typed from the table itself. */
type TableSections = { [A in (typeof ADDONS)[number] as A["name"]]?: z.output<A["schema"]> };
/** Compiles only when the two types are the same (tsc checks the tests too). */
const sameType = <A, B>(check: [A] extends [B] ? ([B] extends [A] ? true : never) : never) => check;

test("the table registers exactly the add-on sections platform/contracts.ts types, with the same schemas", () => {
    sameType<TableSections, AddOnsConfig>(true);
    const contracts: Record<keyof AddOnsConfig, z.ZodType> = {
        metallb: metallbSchema,
        certManager: certManagerSchema,
        gateway: gatewaySchema,
        aistore: aistoreSchema,
        monitoring: monitoringSchema,
        kepler: keplerSchema,
        gpu: gpuSchema,
        jupyterhub: jupyterhubSchema,
    };
    assert.deepEqual(ADDONS.map((a) => a.name).sort(), Object.keys(contracts).sort());
    for (const a of ADDONS) assert.equal(a.schema, contracts[a.name], `${a.name}: the table's schema`);
});
