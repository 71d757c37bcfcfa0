/**
 * cert-manager's startupapicheck pod in the sim (testing/sim/startupapicheck.ts), against the real API server with
 * the real chart's CRDs: while cert-manager's webhooks do not answer, the pod keeps running, as the real check does,
 * so the Helm release's hook holds what comes after it. (kwok ended it at once: a release passed the hook, and the
 * ClusterIssuer after it failed with "failed calling webhook".) Where the check passes, with the real cert-manager
 * webhook: the add-on engine test (test/engine/addons.engine.ts), whose release waits for this hook.
 */
import assert from "node:assert/strict";
import { it } from "node:test";
import { parseAllDocuments } from "yaml";
import { startupApiProblem, STARTUPAPICHECK_COMPONENT } from "../../testing/sim/startupapicheck";
import { helm } from "../helpers/helm";
import { vendorChart } from "../helpers/vendor-charts";
import { eventually } from "../helpers/eventually";
import { describeWithSim } from "../helpers/sim-describe";

describeWithSim("cert-manager's startupapicheck in the sim", (sim) => {
    it("keeps the pod running while cert-manager's webhooks do not answer", async () => {
        const client = sim().client;
        // The real chart's CRDs: the dry runs reach the API, but no webhook stamps or denies them.
        const rendered = helm([
            "template",
            "cert-manager",
            vendorChart("cert-manager-v1.21.1.tgz"),
            "--namespace",
            "cert-manager",
            "--set",
            "crds.enabled=true",
        ]);
        const crds = parseAllDocuments(rendered)
            .map((d) => d.toJS())
            .filter((o) => o?.kind === "CustomResourceDefinition");
        assert.ok(crds.some((c) => c.metadata.name === "certificaterequests.cert-manager.io"));
        for (const crd of crds) await client.create("/apis/apiextensions.k8s.io/v1/customresourcedefinitions", crd);
        await eventually("the CertificateRequest CRD established", async () => {
            const crd = await client.get(
                "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/certificaterequests.cert-manager.io",
            );
            const conditions = crd?.status?.conditions as { type: string; status: string }[] | undefined;
            return conditions?.some((c) => c.type === "Established" && c.status === "True");
        });
        await client.create("/api/v1/namespaces", { metadata: { name: "cert-manager" } });
        await client.create("/api/v1/namespaces/cert-manager/pods", {
            metadata: {
                name: "cert-manager-startupapicheck-x",
                labels: { "app.kubernetes.io/component": STARTUPAPICHECK_COMPONENT },
            },
            spec: {
                restartPolicy: "OnFailure",
                nodeName: "w1",
                containers: [{ name: "cert-manager-startupapicheck", image: "registry.example/startupapicheck" }],
            },
        });
        await eventually("the pod running", async () => {
            const pod = await client.get("/api/v1/namespaces/cert-manager/pods/cert-manager-startupapicheck-x");
            return pod?.status?.phase === "Running";
        });
        assert.match(
            (await startupApiProblem(client, "cert-manager")) ?? "",
            /the mutating webhook did not stamp the request/,
        );
        // Several of the sim controller's passes (one a second): still running, not Succeeded.
        await new Promise((r) => setTimeout(r, 5000));
        const pod = await client.get("/api/v1/namespaces/cert-manager/pods/cert-manager-startupapicheck-x");
        assert.equal(pod?.status?.phase, "Running");
    });
});
