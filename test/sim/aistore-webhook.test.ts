/**
 * The sim's stand-in for the AIS operator's admission webhook (testing/sim/aistore-webhook.ts): the AIStore the
 * program builds is admitted, and each rule of the operator's v3.4.0 webhook refuses (or warns) as the operator does;
 * on a sim, the real chart's webhook configuration is routed to it and the real API server relays its refusals.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import type { ApiClient, KubeObject } from "../../lib/kube-api";
import { aistoreSpec } from "../../addons/aistore/manifests";
import { aistoreSchema } from "../../addons/aistore/schema";
import { operatorValues } from "../../addons/aistore/values";
import { missingBinaries, startSim, type SimHandle } from "../../testing/sim";
import { answer, AISTORE_WEBHOOK, validateAistore, type Verdict } from "../../testing/sim/aistore-webhook";
import { eventually } from "../helpers/eventually";
import { renderChart } from "../helpers/helm";
import { VENDOR_CHARTS } from "../helpers/vendor-charts";

type Spec = Parameters<typeof validateAistore>[0];

const node = (name: string, labels: Record<string, string> = {}): KubeObject => ({
    apiVersion: "v1",
    kind: "Node",
    metadata: { name, labels: { "kubernetes.io/hostname": name, ...labels } },
});
const CLUSTER = { nodes: [node("w1"), node("w2"), node("w3")], storageClasses: ["rook-ceph-block", "rook-cephfs"] };

/** The spec the program sends for a 3-node cluster on local disks. */
function programSpec(): Spec {
    const section = aistoreSchema.parse({
        chart: "./bundle/charts/ais-operator-3.4.0.tgz",
        nodes: ["w1", "w2", "w3"].map((hostname) => ({ hostname, disks: [{ path: "/dev/sdb", size: "100Gi" }] })),
    });
    const spec = aistoreSpec({
        section,
        registry: "registry.airgap.internal:5000",
        pullSecretName: "airgap-registry",
        stateStorageClass: "rook-ceph-block",
        issuer: "aihub-ca",
    });
    return JSON.parse(JSON.stringify(spec)) as Spec;
}

const refused = (v: Verdict) => (v.allowed ? undefined : v.message);
const warnings = (v: Verdict) => (v.allowed ? v.warnings : undefined);
const edit = (f: (s: Spec & Record<string, unknown>) => void): Spec => {
    const s = programSpec() as Spec & Record<string, unknown>;
    f(s);
    return s;
};

describe("AIS webhook stand-in: create", () => {
    it("admits the AIStore the program builds", () => {
        const v = validateAistore(programSpec(), CLUSTER);
        assert.equal(refused(v), undefined);
    });

    it("refuses a size the operator refuses, and a missing one", () => {
        assert.equal(
            refused(
                validateAistore(
                    edit((s) => (s.size = 0)),
                    CLUSTER,
                ),
            ),
            "invalid cluster size 0, should be at least 1 or -1 for autoScaling",
        );
        assert.equal(
            refused(
                validateAistore(
                    edit((s) => delete s.size),
                    CLUSTER,
                ),
            ),
            "cluster size is not specified",
        );
        assert.equal(
            refused(
                validateAistore(
                    edit((s) => (s.proxySpec!.size = 0)),
                    CLUSTER,
                ),
            ),
            "invalid proxy daemon size 0, should be at least 1",
        );
        // Both daemon sizes set: spec.size is not needed.
        const both = edit((s) => {
            delete s.size;
            s.proxySpec!.size = 1;
            s.targetSpec!.size = 3;
        });
        assert.equal(refused(validateAistore(both, CLUSTER)), undefined);
    });

    it("needs exactly one state storage, whose StorageClass exists", () => {
        assert.match(
            refused(
                validateAistore(
                    edit((s) => delete s.stateStorage),
                    CLUSTER,
                ),
            )!,
            /does not define stateStorage/,
        );
        assert.match(
            refused(
                validateAistore(
                    edit((s) => (s.stateStorage = { pvc: { storageClass: "x" }, emptyDir: {} })),
                    CLUSTER,
                ),
            )!,
            /exactly one of hostPath, pvc, or emptyDir/,
        );
        assert.equal(
            refused(validateAistore(programSpec(), { ...CLUSTER, storageClasses: ["rook-cephfs"] })),
            "required storage class 'rook-ceph-block' not found",
        );
        // The legacy field still works, with a deprecation warning.
        const legacy = edit((s) => {
            delete s.stateStorage;
            s.stateStorageClass = "rook-ceph-block";
        });
        assert.match(warnings(validateAistore(legacy, CLUSTER))!.join("\n"), /spec.stateStorageClass is deprecated/);
    });

    it("refuses invalid ports, auto-scaling without a node selector and TLS with cert paths", () => {
        assert.match(
            refused(
                validateAistore(
                    edit((s) => (s.targetSpec!.portIntraData = 0)),
                    CLUSTER,
                ),
            )!,
            /spec\.targetSpec\.portIntraData: Invalid value: 0/,
        );
        assert.match(
            refused(
                validateAistore(
                    edit((s) => (s.proxySpec!.servicePort = "http")),
                    CLUSTER,
                ),
            )!,
            /spec\.proxySpec\.servicePort/,
        );
        assert.match(
            refused(
                validateAistore(
                    edit((s) => (s.size = -1)),
                    CLUSTER,
                ),
            )!,
            /missing nodeSelector for target/,
        );
        const tls = edit((s) => (s.configToUpdate = { net: { http: { server_crt: "/x" } } }));
        assert.match(refused(validateAistore(tls, CLUSTER))!, /\[server_crt\] cannot be set together with spec.tls/);
    });

    it("warns, without refusing, when fewer nodes match than daemons are asked for", () => {
        const v = validateAistore(programSpec(), { ...CLUSTER, nodes: [node("w1")] });
        assert.deepEqual(warnings(v), [
            "spec for AIS proxy requires more K8s nodes matching the given selector: expected '3' but found '1'",
            "spec for AIS target requires more K8s nodes matching the given selector: expected '3' but found '1'",
        ]);
        const shared = edit((s) => (s.targetSpec!.disablePodAntiAffinity = true));
        assert.equal(warnings(validateAistore(shared, { ...CLUSTER, nodes: [node("w1")] }))!.length, 1);
    });
});

describe("AIS webhook stand-in: update", () => {
    it("lets the size and resources change, nothing else of a daemon", () => {
        const old = programSpec();
        const bigger = edit((s) => {
            s.size = 4;
            s.targetSpec!.resources = { requests: { cpu: "4" } };
        });
        assert.equal(
            refused(validateAistore(bigger, { ...CLUSTER, nodes: [...CLUSTER.nodes, node("w4")] }, old)),
            undefined,
        );
        const mounts = edit((s) => (s.targetSpec!.mounts = []));
        assert.match(refused(validateAistore(mounts, CLUSTER, old))!, /cannot update spec "targetSpec"/);
        const port = edit((s) => (s.proxySpec!.portIntraControl = 51090));
        assert.match(refused(validateAistore(port, CLUSTER, old))!, /cannot update spec "proxySpec"/);
        const lb = edit((s) => (s.enableExternalLB = !s.enableExternalLB));
        assert.equal(
            refused(validateAistore(lb, CLUSTER, old)),
            'cannot update spec "enableExternalLB" for an existing cluster',
        );
        const cls = edit((s) => (s.stateStorage = { pvc: { storageClass: "rook-cephfs" } }));
        assert.equal(
            refused(validateAistore(cls, CLUSTER, old)),
            'cannot update spec "stateStorage.pvc.storageClass" for an existing cluster',
        );
    });
});

describe("AIS webhook stand-in: the AdmissionReview", () => {
    // Neither request reads the cluster, so no client is needed.
    const noClient = {} as ApiClient;

    it("admits a delete (the operator's webhook is registered for create and update only)", async () => {
        const out = await answer(AISTORE_WEBHOOK.path, { request: { uid: "u1", operation: "DELETE" } }, noClient);
        assert.deepEqual(out, {
            apiVersion: "admission.k8s.io/v1",
            kind: "AdmissionReview",
            response: { uid: "u1", allowed: true },
        });
    });

    it("refuses what it does not model, saying so", async () => {
        const out = await answer(
            "/validate-auth-ais-nvidia-com-v1alpha1-aistoreauth",
            { request: { uid: "u2", operation: "CREATE", object: { spec: {} } } },
            noClient,
        );
        assert.deepEqual(out.response, {
            uid: "u2",
            allowed: false,
            status: {
                code: 403,
                reason: "Forbidden",
                message:
                    "the sim's AIS webhook stand-in does not model /validate-auth-ais-nvidia-com-v1alpha1-aistoreauth",
            },
        });
    });
});

// A skip is counted by scripts/run-tests.mjs, which fails CI on any.
const missing = missingBinaries();

describe(
    "AIS webhook stand-in behind the real API server, with the real chart's webhook configuration",
    { skip: missing.length > 0 && `sim binaries missing: ${missing.join(", ")}`, timeout: 300_000 },
    () => {
        let tmp: string;
        let sim: SimHandle;
        const OPERATOR_NS = "ais-operator-system";

        before(async () => {
            tmp = fs.mkdtempSync(path.join(os.tmpdir(), "ais-webhook-test-"));
            sim = await startSim({ hostnames: ["w1", "w2", "w3"], dir: path.join(tmp, "sim"), killOnExit: true });
            const c = sim.client;
            // The CRD, the webhook's Service and the webhook configuration exactly as the real chart renders them.
            const objs = renderChart(
                path.join(VENDOR_CHARTS, "ais-operator-3.4.0.tgz"),
                "ais-operator",
                OPERATOR_NS,
                operatorValues("3.4.0", "registry.airgap.internal:5000", "airgap-registry"),
            ) as unknown as KubeObject[];
            const pick = (kind: string, name: string) => objs.find((o) => o.kind === kind && o.metadata.name === name)!;
            for (const ns of [OPERATOR_NS, "ais"]) await c.create("/api/v1/namespaces", { metadata: { name: ns } });
            await c.create(
                "/apis/apiextensions.k8s.io/v1/customresourcedefinitions",
                pick("CustomResourceDefinition", "aistores.ais.nvidia.com"),
            );
            await c.create(
                `/api/v1/namespaces/${OPERATOR_NS}/services`,
                pick("Service", "ais-operator-webhook-service"),
            );
            await c.create(
                "/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations",
                pick("ValidatingWebhookConfiguration", "ais-operator-validating-webhook-configuration"),
            );
            await c.create("/apis/storage.k8s.io/v1/storageclasses", {
                metadata: { name: "rook-ceph-block" },
                provisioner: "rook-ceph.rbd.csi.ceph.com",
            });
        });
        after(async () => {
            if (sim) await sim.stop();
            fs.rmSync(tmp, { recursive: true, force: true });
        });

        /** Creates an AIStore; the refusal's text, or undefined when admitted. */
        async function create(name: string, spec: Spec): Promise<string | undefined> {
            try {
                await sim.client.create("/apis/ais.nvidia.com/v1beta1/namespaces/ais/aistores", {
                    apiVersion: "ais.nvidia.com/v1beta1",
                    kind: "AIStore",
                    metadata: { name, namespace: "ais" },
                    spec,
                });
                return undefined;
            } catch (e) {
                return (e as Error).message;
            }
        }

        it("routes the chart's webhook to the stand-in, which refuses what the operator refuses", async () => {
            const url = await eventually("the AIStore webhook pointed at loopback", async () => {
                const cfg = await sim.client.get(
                    "/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations/ais-operator-validating-webhook-configuration",
                );
                const hook = (
                    cfg as unknown as { webhooks: { name: string; clientConfig: { url?: string } }[] }
                ).webhooks.find((w) => w.name === AISTORE_WEBHOOK.name);
                return hook?.clientConfig.url;
            });
            assert.match(url, /^https:\/\/127\.0\.0\.1:\d+\/validate-ais-nvidia-com-v1beta1-aistore$/);
            // The API server takes the changed configuration from its informer: retry until the stand-in answers.
            const refusal = await eventually("a refusal by the stand-in", async () => {
                const text = await create(
                    `zero-${Date.now()}`,
                    edit((s) => (s.size = 0)),
                );
                return text?.includes("invalid cluster size 0") ? text : undefined;
            });
            assert.match(refusal, /admission webhook "vaistore\.kb\.io" denied the request/);
            const noClass = await create(
                "no-class",
                edit((s) => (s.stateStorage = { pvc: { storageClass: "gone" } })),
            );
            assert.match(noClass ?? "", /required storage class 'gone' not found/);
            assert.equal(await create("ais", programSpec()), undefined, "the program's AIStore is admitted");
        });
    },
);
