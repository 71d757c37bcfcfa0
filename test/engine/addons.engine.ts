/**
 * The add-ons under the real engine: the lab stack (protectData false) with every add-on of the table turned on (or those named in
 * `AIHUB_ADDONS=a,b`), each from the charts its engine fixture gives (the real vendor charts of ../shared/charts; the
 * sim runs the real cert-manager, MetalLB, prometheus-operator and Envoy Gateway controllers): up creates every planned
 * object and release with private images, each add-on's own checks pass, a second preview shows no change, and
 * destroy removes everything.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import { after, before, describe } from "node:test";
import { ADDONS } from "../../platform/registry";
import {
    CERT_MANAGER,
    ENVOY_GATEWAY,
    METALLB,
    PROMETHEUS_OPERATOR,
    upstreamBinary,
    type UpstreamBuild,
} from "../../testing/controllers-paths";
import type { AddOn } from "../../platform/contracts";
import { addOnFixture, startAddOnScenario, type AddOnEngineFixture } from "./addon-fixture";
import { destroyRemovesEverything, noSecretInPlainText, previewShowsNoChanges, upCreatesThePlan } from "./checks";
import type { EngineScenario, PlannedObject } from "./scenario";
import { check, requireEngine, step } from "./steps";

const names = process.env.AIHUB_ADDONS?.split(",").filter(Boolean) ?? (ADDONS as readonly AddOn[]).map((a) => a.name);
let s: EngineScenario;
let planned: PlannedObject[];
let fixtures: [string, AddOnEngineFixture][];

/** The upstream controllers the sim runs for the add-ons under test (they replaced the stand-ins) must be built. */
function requireUpstreamControllers(): void {
    const builds: Record<string, UpstreamBuild | undefined> = {
        certManager: CERT_MANAGER,
        metallb: METALLB,
        monitoring: PROMETHEUS_OPERATOR,
        gateway: ENVOY_GATEWAY,
    };
    const missing = names
        .flatMap((n) => {
            const b = builds[n];
            return b ? Object.keys(b.binaries).map((bin) => upstreamBinary(b, bin)) : [];
        })
        .filter((f) => !fs.existsSync(f));
    if (missing.length > 0) throw new Error(`missing ${missing.join(", ")} (run npm run controllers:build first)`);
}

before(async () => {
    requireEngine();
    requireUpstreamControllers();
    assert.ok(names.length > 0, "no add-on to test (the table is empty)");
    ({ s, fixtures } = await startAddOnScenario(names));
    planned = await s.plannedObjects();
});

after(async () => {
    await s?.stop();
});

describe(`add-ons under the real engine (${names.join(", ")})`, () => {
    // The real charts are large (kube-prometheus-stack alone is about 130 objects and 10 CRDs): up took 384 s on 2
    // shared cores, 726 s at a load average of 25 and 1220 s at 40, so the step gets 30 min.
    step(
        "up creates every planned object and release, every pod image private",
        () =>
            upCreatesThePlan(
                s,
                planned,
                fixtures.flatMap(([, f]) => f.releases),
            ),
        30,
    );

    for (const [n, f] of names.map((n) => [n, addOnFixture(n)] as const)) {
        if (f.check) check(`${n}: its own checks after up`, () => f.check!(s));
    }

    step("a second preview reports no changes (no perpetual diff)", () => previewShowsNoChanges(s));

    step("destroy removes everything the core and the add-ons made", async () => {
        const secrets = await s.secretValues();
        await destroyRemovesEverything(s, planned);
        noSecretInPlainText(s, secrets);
    });
});
