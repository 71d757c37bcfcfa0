/** The up profile's critical path (bench/critical-path.ts) on small hand-checked graphs. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { criticalPath, stepsFromEvents, type TimedEvent } from "../../bench/critical-path";

describe("criticalPath", () => {
    it("takes the longest chain of durations through the declared dependencies, not the start times", () => {
        // a (2 s) → b (5 s) → d (1 s); a → c (1 s) → d; e (7 s) alone. Chain a-b-d = 8 s beats e = 7 s.
        const cp = criticalPath([
            { urn: "a", start: 0, end: 2, deps: [] },
            { urn: "b", start: 3, end: 8, deps: ["a"] },
            { urn: "c", start: 2, end: 3, deps: ["a"] },
            { urn: "d", start: 9, end: 10, deps: ["b", "c", "not-a-step"] },
            { urn: "e", start: 0, end: 7, deps: [] },
        ]);
        assert.equal(cp.seconds, 8);
        assert.deepEqual(
            cp.chain.map((c) => [c.urn, c.seconds, c.lateBy]),
            [
                ["a", 2, 0],
                ["b", 5, 1],
                ["d", 1, 1],
            ],
        );
    });

    it("refuses a cycle, and an empty run has an empty path", () => {
        assert.throws(
            () =>
                criticalPath([
                    { urn: "a", start: 0, end: 1, deps: ["b"] },
                    { urn: "b", start: 0, end: 1, deps: ["a"] },
                ]),
            /cycle/,
        );
        assert.deepEqual(criticalPath([]), { seconds: 0, chain: [] });
    });
});

describe("stepsFromEvents", () => {
    it("pairs each custom resource's pre-event with its outputs event; components and same steps are left out", () => {
        const ev = (at: number, kind: "resourcePreEvent" | "resOutputsEvent", urn: string, op = "create") =>
            ({ at, event: { [kind]: { metadata: { urn, op } } } }) as TimedEvent;
        const steps = stepsFromEvents(
            [
                ev(1, "resourcePreEvent", "comp"),
                ev(1.5, "resourcePreEvent", "x"),
                ev(2, "resourcePreEvent", "kept", "same"),
                ev(2, "resOutputsEvent", "kept", "same"),
                ev(4, "resOutputsEvent", "x"),
                ev(9, "resOutputsEvent", "comp"),
            ],
            new Map([
                ["x", ["kept"]],
                ["kept", []],
            ]),
        );
        assert.deepEqual(steps, [{ urn: "x", start: 1.5, end: 4, deps: ["kept"] }]);
    });

    it("leaves out the events of up's own preview (planning)", () => {
        const ev = (at: number, kind: "resourcePreEvent" | "resOutputsEvent", planning?: boolean) =>
            ({ at, event: { [kind]: { metadata: { urn: "x", op: "create" }, planning } } }) as TimedEvent;
        const steps = stepsFromEvents(
            [
                ev(1, "resourcePreEvent", true),
                ev(1.1, "resOutputsEvent", true),
                ev(5, "resourcePreEvent"),
                ev(8, "resOutputsEvent"),
            ],
            new Map([["x", []]]),
        );
        assert.deepEqual(steps, [{ urn: "x", start: 5, end: 8, deps: [] }]);
    });
});
