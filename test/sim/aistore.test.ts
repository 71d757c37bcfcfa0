/**
 * The AIS operator stand-in (testing/sim/aistore.ts): the add-on's own AIStore resource and local PVs become Ready;
 * a spec the operator refuses (its ValidateSpec) gets its Warning Event and no Ready, and targets that cannot get
 * their mounts (a PV missing, two on one node) never become Ready; deleting ones and a missing CRD are left alone.
 */
import * as assert from "node:assert/strict";
import { describe, it } from "node:test";
import { mountPvs, aistoreSpec } from "../../addons/aistore/manifests";
import { aistoreSchema } from "../../addons/aistore/schema";
import { aisSpecError, reconcileAistore, targetMountsProblem } from "../../testing/sim/aistore";
import type { ApiClient, KubeObject } from "../../lib/kube-api";

const section = aistoreSchema.parse({
    chart: "./bundle/charts/ais-operator-3.4.0.tgz",
    nodes: [
        { hostname: "worker1", disks: [{ path: "/dev/nvme3n1", size: "100Gi" }] },
        { hostname: "worker2", disks: [{ path: "/dev/nvme3n1", size: "80Gi" }] },
    ],
});
const spec = aistoreSpec({ section, registry: "r:5000", pullSecretName: "p", stateStorageClass: "rook-ceph-block" });
const pvs = (): KubeObject[] =>
    mountPvs(section).map((p) => ({
        metadata: p.spec.metadata as KubeObject["metadata"],
        spec: p.spec.spec as Record<string, unknown>,
        status: { phase: "Available" },
    }));
const nodes = ["master", "worker1", "worker2"].map((name) => ({ metadata: { name } }));

const ais = (name: string, extra: Partial<KubeObject["metadata"]> = {}, s: Record<string, unknown> = spec) =>
    ({
        apiVersion: "ais.nvidia.com/v1beta1",
        kind: "AIStore",
        metadata: { name, namespace: "ais", generation: 2, ...extra },
        spec: s,
    }) as KubeObject;

function fakeClient(crd: boolean, items: KubeObject[], volumes = pvs()) {
    const patches: [string, unknown][] = [];
    const events: Record<string, unknown>[] = [];
    const client = {
        get: async (p: string) => (crd && p.endsWith("/aistores.ais.nvidia.com") ? ({} as KubeObject) : undefined),
        list: async (p: string) =>
            p.endsWith("/aistores") ? items : p.endsWith("/persistentvolumes") ? volumes : nodes,
        mergePatch: async (p: string, body: unknown) => void patches.push([p, body]),
        create: async (_p: string, e: Record<string, unknown>) => (events.push(e), e),
    } as unknown as ApiClient;
    return { client, patches, events };
}

describe("sim AIS operator", () => {
    it("the add-on's own AIStore with its local PVs: state Ready with a Ready condition through the status subresource", async () => {
        const done = { ...ais("done"), status: { state: "Ready" } };
        const { client, patches } = fakeClient(true, [
            ais("new"),
            done,
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

    it("a spec the operator refuses: a Warning Event with its error, no Ready", async () => {
        const bad = { ...spec, size: 0 };
        const { client, patches, events } = fakeClient(true, [ais("bad", {}, bad)]);
        await reconcileAistore(client, () => undefined);
        assert.equal(patches.length, 0);
        assert.equal(events.length, 1);
        assert.equal(events[0].reason, "Failed");
        assert.equal(events[0].type, "Warning");
        assert.equal(
            events[0].message,
            "Failed to validate AIStore spec, err: invalid cluster size 0, should be at least 1 or -1 for autoScaling",
        );
        const noState = { ...spec };
        delete noState.stateStorage;
        assert.equal(
            aisSpecError(noState),
            "AIS spec does not define stateStorage. Set stateStorage.hostPath, stateStorage.pvc, or stateStorage.emptyDir",
        );
        assert.equal(
            aisSpecError({ ...spec, stateStorage: { pvc: {}, emptyDir: {} } }),
            "AIS spec stateStorage must define exactly one of hostPath, pvc, or emptyDir",
        );
        assert.equal(
            aisSpecError({ ...spec, targetSpec: { size: 0 }, proxySpec: { size: 1 } }),
            "invalid target daemon size 0, should be at least 1",
        );
    });

    it("targets without their mounts: a PV missing, or both PVs on one node (one target per node): never Ready", async () => {
        const missing = pvs().slice(1);
        const { client, patches } = fakeClient(true, [ais("new")], missing);
        await reconcileAistore(client, () => undefined);
        assert.equal(patches.length, 0);
        assert.equal(
            targetMountsProblem(ais("new"), missing, nodes),
            "2 target(s) need a 80Gi volume of class aistore-local for /ais/mp0 on distinct nodes; 1 can bind",
        );
        const together = pvs();
        (together[1].spec as { nodeAffinity: unknown }).nodeAffinity = (
            together[0].spec as { nodeAffinity: unknown }
        ).nodeAffinity;
        assert.match(targetMountsProblem(ais("new"), together, nodes) ?? "", /on distinct nodes; 1 can bind$/);
        const shared = { ...spec, targetSpec: { ...(spec.targetSpec as object), disablePodAntiAffinity: true } };
        assert.equal(targetMountsProblem(ais("new", {}, shared), together, nodes), undefined);
    });

    it("does nothing before the CRD exists", async () => {
        const { client, patches } = fakeClient(false, [ais("new")]);
        await reconcileAistore(client, () => undefined);
        assert.equal(patches.length, 0);
    });
});
