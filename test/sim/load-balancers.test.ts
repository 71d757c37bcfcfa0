/** The sim's generic load-balancer part leaves LoadBalancer Services to MetalLB's real controller once it is installed. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { ApiClient, KubeObject } from "../../lib/kube-api";
import { METALLB_POOL_CRD, reconcileLoadBalancers } from "../../testing/sim/controller";

function fakeApi(objects: Record<string, KubeObject[]>, patched: string[]): ApiClient {
    return {
        list: async (p: string) => objects[p] ?? [],
        get: async (p: string) => objects[p]?.[0],
        mergePatch: async (p: string) => {
            patched.push(p);
            return {};
        },
    } as unknown as ApiClient;
}

const service: KubeObject = { metadata: { name: "gw", namespace: "gateway" }, spec: { type: "LoadBalancer" } };

describe("sim: load balancers", () => {
    it("gives a LoadBalancer Service the loopback address while MetalLB is not installed", async () => {
        const patched: string[] = [];
        await reconcileLoadBalancers(fakeApi({ "/api/v1/services": [service] }, patched), () => undefined);
        assert.deepEqual(patched, ["/api/v1/namespaces/gateway/services/gw/status"]);
    });

    it("leaves it to MetalLB's controller once MetalLB's pool CRD exists", async () => {
        const patched: string[] = [];
        const crd = `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${METALLB_POOL_CRD}`;
        const objects = { "/api/v1/services": [service], [crd]: [{ metadata: { name: METALLB_POOL_CRD } }] };
        await reconcileLoadBalancers(fakeApi(objects, patched), () => undefined);
        assert.deepEqual(patched, []);
    });
});
