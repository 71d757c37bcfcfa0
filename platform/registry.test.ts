import assert from "node:assert/strict";
import { test } from "node:test";
import { enabledAddOns } from "./registry";

test("an addons section that did not parse turns nothing on (the image check then reports no TypeError)", () => {
    assert.deepEqual(enabledAddOns(undefined), []);
    assert.deepEqual(
        enabledAddOns({ gpu: {} }).map((e) => e.addon.name),
        ["gpu"],
    );
});
