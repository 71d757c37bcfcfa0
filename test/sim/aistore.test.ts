/** The AIS operator stand-in: AIStore resources become Ready once their CRD exists, deleting ones are left alone. */
import * as assert from "node:assert/strict";
import { describe, it } from "node:test";
import { reconcileAistore } from "../../testing/sim/aistore";
import type { ApiClient, KubeObject } from "../../lib/kube-api";

function fakeClient(crd: boolean, items: KubeObject[]) {
    const patches: [string, unknown][] = [];
    const client = {
        get: async (p: string) => (crd && p.endsWith("/aistores.ais.nvidia.com") ? ({} as KubeObject) : undefined),
        list: async () => items,
        mergePatch: async (p: string, body: unknown) => void patches.push([p, body]),
    } as unknown as ApiClient;
    return { client, patches };
}

const ais = (name: string, extra: Partial<KubeObject["metadata"]> = {}, state?: string): KubeObject => ({
    apiVersion: "ais.nvidia.com/v1beta1",
    kind: "AIStore",
    metadata: { name, namespace: "ais", generation: 2, ...extra },
    ...(state ? { status: { state } } : {}),
});

describe("sim AIS operator", () => {
    it("sets state Ready with a Ready condition through the status subresource", async () => {
        const { client, patches } = fakeClient(true, [
            ais("new"),
            ais("done", {}, "Ready"),
            ais("going", { deletionTimestamp: "2026-01-01T00:00:00Z" }),
        ]);
        const log: string[] = [];
        await reconcileAistore(client, (l) => log.push(l));
        assert.equal(patches.length, 1);
        const [p, body] = patches[0] as [string, { status: { state: string; conditions: Record<string, unknown>[] } }];
        assert.equal(p, "/apis/ais.nvidia.com/v1beta1/namespaces/ais/aistores/new/status");
        assert.equal(body.status.state, "Ready");
        assert.equal(body.status.conditions[0].type, "Ready");
        assert.equal(body.status.conditions[0].observedGeneration, 2);
        assert.deepEqual(log, ["aistore ais/new: Ready"]);
    });

    it("does nothing before the CRD exists", async () => {
        const { client, patches } = fakeClient(false, [ais("new")]);
        await reconcileAistore(client, () => undefined);
        assert.equal(patches.length, 0);
    });
});
