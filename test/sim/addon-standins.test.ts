/** The add-on stand-ins of the sim controller (MetalLB, cert-manager) against an in-memory API. */
import assert from "node:assert/strict";
import { X509Certificate } from "node:crypto";
import { describe, it } from "node:test";
import { selfSignedProvider } from "../../k8s/self-signed-certificate";
import type { ApiClient, KubeObject } from "../../lib/kube-api";
import { reconcileCertManager } from "../../testing/sim/cert-manager";
import { reconcileMetalLb } from "../../testing/sim/metallb";

/** Collections by list path; objects are found by name (and namespace in the path). */
function fakeApi(collections: Record<string, KubeObject[]>): ApiClient {
    const find = (p: string) => {
        const parts = p.replace(/\/status$/, "").split("/");
        const ns = parts.includes("namespaces") ? parts[parts.indexOf("namespaces") + 1] : undefined;
        return Object.entries(collections)
            .filter(([base]) => p.includes(`/${base.split("/").pop()}/`))
            .flatMap(([, items]) => items)
            .find((o) => o.metadata.name === parts[parts.length - 1] && o.metadata.namespace === ns);
    };
    const merge = (t: Record<string, unknown>, patch: Record<string, unknown>) => {
        for (const [k, v] of Object.entries(patch)) {
            t[k] =
                v && typeof v === "object" && !Array.isArray(v)
                    ? merge((t[k] ?? {}) as Record<string, unknown>, v as Record<string, unknown>)
                    : v;
        }
        return t;
    };
    return {
        list: async (p: string) => {
            const [base, query] = p.split("?");
            const name = query?.match(/metadata\.name%3D(.+)$/)?.[1];
            return (collections[base] ?? []).filter((o) => !name || o.metadata.name === name);
        },
        get: async (p: string) => find(p),
        mergePatch: async (p: string, patch: Record<string, unknown>) => merge(find(p) as never, patch),
        create: async (_p: string, obj: KubeObject) => {
            (collections["/api/v1/secrets"] ??= []).push(obj);
            return obj;
        },
        replace: async () => {
            throw new Error("not expected");
        },
    } as unknown as ApiClient;
}

const lbService = (name: string, annotations?: Record<string, string>): KubeObject => ({
    metadata: { name, namespace: "default", ...(annotations ? { annotations } : {}) },
    spec: { type: "LoadBalancer" },
});
const ipOf = (s: KubeObject) => (s.status?.loadBalancer as { ingress: { ip: string }[] } | undefined)?.ingress[0].ip;

describe("sim: MetalLB stand-in", () => {
    it("leaves Services alone without a pool, then hands out pool addresses (an asked-for one first)", async () => {
        const services = [lbService("a"), lbService("b", { "metallb.io/loadBalancerIPs": "127.0.0.245" })];
        const secret: KubeObject = { metadata: { name: "metallb-webhook-cert", namespace: "metallb-system" } };
        const api = { "/api/v1/services": services, "/api/v1/secrets": [secret] };
        await reconcileMetalLb(fakeApi(api), () => undefined);
        assert.deepEqual(services.map(ipOf), [undefined, undefined]);
        assert.ok((secret.data as Record<string, string>)["ca.crt"]);
        const pool = {
            metadata: { name: "aihub", namespace: "metallb-system" },
            spec: { addresses: ["127.0.0.240-127.0.0.250"] },
        };
        await reconcileMetalLb(fakeApi({ ...api, "/apis/metallb.io/v1beta1/ipaddresspools": [pool] }), () => undefined);
        assert.deepEqual(services.map(ipOf), ["127.0.0.240", "127.0.0.245"]);
    });
});

describe("sim: cert-manager stand-in", () => {
    it("makes a CA ClusterIssuer Ready and signs a Certificate's Secret with its CA", async () => {
        const ca = (await selfSignedProvider.create({ commonName: "Sim test CA" })).outs as {
            cert: string;
            key: string;
        };
        const b64 = (s: string) => Buffer.from(s).toString("base64");
        const caSecret: KubeObject = {
            metadata: { name: "aihub-ca", namespace: "cert-manager" },
            data: { "tls.crt": b64(ca.cert), "tls.key": b64(ca.key) },
        };
        const issuer: KubeObject = {
            metadata: { name: "aihub-ca", generation: 1 },
            spec: { ca: { secretName: "aihub-ca" } },
        };
        const cert: KubeObject = {
            metadata: { name: "aihub-public-tls", namespace: "aihub", generation: 1 },
            spec: {
                secretName: "aihub-public-tls",
                dnsNames: ["aihub.example.com"],
                issuerRef: { kind: "ClusterIssuer", name: "aihub-ca" },
            },
        };
        const api: Record<string, KubeObject[]> = {
            "/api/v1/secrets": [caSecret],
            "/apis/cert-manager.io/v1/clusterissuers": [issuer],
            "/apis/cert-manager.io/v1/certificates": [cert],
        };
        await reconcileCertManager(fakeApi(api), () => undefined);
        const ready = (o: KubeObject) => (o.status?.conditions as { type: string; status: string }[])[0];
        assert.deepEqual([ready(issuer).status, ready(cert).status], ["True", "True"]);
        const written = api["/api/v1/secrets"].find((s) => s.metadata.name === "aihub-public-tls")!;
        const leaf = new X509Certificate(Buffer.from((written.data as Record<string, string>)["tls.crt"], "base64"));
        const caCert = new X509Certificate(ca.cert);
        assert.ok(leaf.checkIssued(caCert) && leaf.verify(caCert.publicKey));
        assert.equal(leaf.checkHost("aihub.example.com"), "aihub.example.com");
    });
});
