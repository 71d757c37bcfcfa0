/**
 * The BundlePush dynamic provider's check and diff, called directly: a bundle removed after a successful push
 * (admins reclaim the space) keeps the last push instead of pushing again or failing every later `pulumi up`.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { bundlePushProvider as provider } from "../../modules/mirror/bundle-push";

const pushed = { bundlePath: "./bundle", stack: "airgap", parallel: 4, bundleSha256: "a".repeat(64), password: "p" };

describe("BundlePush provider", () => {
    test("check keeps the pushed hash when the bundle is gone, so diff finds nothing to do", async () => {
        const news = { ...pushed, bundleSha256: "missing" };
        const checked = await provider.check!(pushed, news);
        assert.deepEqual(checked.inputs, pushed);
        const d = await provider.diff!("id", pushed, checked.inputs);
        assert.equal(d.changes, false);
    });

    test("a new bundle.publicKey pushes again (its check uses the key); a state from before the key counts as none", async () => {
        const keyed = { ...pushed, publicKey: "-----BEGIN PUBLIC KEY-----\n..." };
        assert.equal((await provider.diff!("id", pushed, keyed)).changes, true);
        assert.equal((await provider.diff!("id", pushed, { ...pushed, publicKey: "" })).changes, false);
    });

    test("diff alone also treats a missing bundle as the recorded push", async () => {
        assert.equal((await provider.diff!("id", pushed, { ...pushed, bundleSha256: "missing" })).changes, false);
    });

    test("a new bundle, or a first push without a bundle, still goes to the push", async () => {
        const next = { ...pushed, bundleSha256: "b".repeat(64) };
        assert.deepEqual((await provider.check!(pushed, next)).inputs, next);
        assert.equal((await provider.diff!("id", pushed, next)).changes, true);
        const first = { ...pushed, bundleSha256: "missing" };
        assert.deepEqual((await provider.check!({}, first)).inputs, first);
        await assert.rejects(
            provider.create!({ ...first, bundlePath: "/nonexistent/bundle" }),
            /push of \/nonexistent\/bundle failed/,
        );
    });

    test("the push runs beside the provider host's event loop, not blocking it (other resources' checks go on)", async () => {
        // The real push command, failing on a bundle that is not there after its start-up (a few hundred ms).
        let ticks = 0;
        const timer = setInterval(() => ticks++, 10);
        const started = Date.now();
        await assert.rejects(provider.create!({ ...pushed, bundlePath: "/nonexistent/bundle" }), /failed/);
        const elapsed = Date.now() - started;
        clearInterval(timer);
        assert.ok(elapsed > 100, `the push ended after ${elapsed} ms: too soon to tell`);
        // A blocked loop runs the timer at most once; a free one every 10 ms (a quarter of that under load).
        assert.ok(ticks >= elapsed / 40, `${ticks} timer ticks in the ${elapsed} ms the push took`);
    });

    test("other inputs still count", async () => {
        assert.equal(
            (await provider.diff!("id", pushed, { ...pushed, bundleSha256: "missing", parallel: 2 })).changes,
            true,
        );
    });
});
