/**
 * AIStore in the add-on engine test (with certManager, which its rules require): the real ais-operator chart v3.4.0
 * (its CRDs, its cert-manager Issuer and Certificates, its validating webhook with failurePolicy Fail, answered by the
 * sim's stand-in for the operator's webhook, testing/sim/aistore-webhook.ts), one mountpath disk on the lab node, and
 * checks of the awaited resource, the webhook's answer and the outputs.
 */
import { UNANSWERED_ANNOTATION } from "../../testing/sim/webhooks";
import { vendorChart, type AddOnEngineFixture } from "../../test/engine/addon-fixture";
import type { EngineScenario } from "../../test/engine/scenario";
import { aistorePvName } from "./disks";

/** A device no Ceph disk of the lab stack uses. */
const DISK = { path: "/dev/vdz", size: "10Gi" };

async function check(s: EngineScenario): Promise<void> {
    s.view.refresh();
    const cr = await s.view.get("ais.nvidia.com/v1beta1", "AIStore", "ais", "ais");
    if (cr?.status?.state !== "Ready") throw new Error(`AIStore ais/ais is not Ready (state ${cr?.status?.state})`);
    const spec = cr.spec as { nodeImage: string; initImage: string; tls?: { certificate?: { issuerRef: unknown } } };
    const registry = String(s.plain.registry.server);
    for (const image of [spec.nodeImage, spec.initImage]) {
        if (!image.startsWith(`${registry}/aistorage/`)) throw new Error(`AIStore image ${image} is not private`);
    }
    const out = JSON.parse((await s.pulumiOk(["stack", "output", "--json", "--show-secrets"])).stdout) as Record<
        string,
        string
    >;
    if (out.aistoreS3Endpoint !== "https://ais-proxy.ais.svc.cluster.local:51080/s3") {
        throw new Error(`output aistoreS3Endpoint is ${out.aistoreS3Endpoint}`);
    }
    if (!out.aistoreCaCert || out.aistoreCaCert !== out.certManagerCaCert) {
        throw new Error("output aistoreCaCert is not the cert-manager issuer's CA");
    }
    const issuer = (spec.tls?.certificate?.issuerRef as { name?: string } | undefined)?.name;
    if (issuer !== out.certManagerIssuer)
        throw new Error(`AIStore TLS issuer is ${issuer}, not ${out.certManagerIssuer}`);
    const mount = (cr.spec as { targetSpec: { mounts: { path: string }[] } }).targetSpec.mounts[0]?.path;
    if (mount !== "/ais/mp0") throw new Error(`AIStore mountpath is ${mount}, not /ais/mp0`);
    const hostname = (s.plain.ceph.nodes as { hostname: string }[])[0].hostname;
    if (!(await s.view.get("v1", "PersistentVolume", aistorePvName({ hostname, path: DISK.path })))) {
        throw new Error(`local PV of ${hostname}:${DISK.path} is missing`);
    }
    // The chart's webhook (failurePolicy Fail) was answered on loopback, not left to its failure policy.
    const hooks = await s.view.get(
        "admissionregistration.k8s.io/v1",
        "ValidatingWebhookConfiguration",
        "ais-operator-validating-webhook-configuration",
    );
    const vaistore = (hooks?.webhooks as { name: string; clientConfig: { url?: string } }[] | undefined)?.find(
        (w) => w.name === "vaistore.kb.io",
    );
    if (!vaistore?.clientConfig.url?.startsWith("https://127.0.0.1:"))
        throw new Error(`the AIStore webhook is not answered on loopback: ${JSON.stringify(vaistore)}`);
    const unanswered = hooks?.metadata.annotations?.[UNANSWERED_ANNOTATION] ?? "";
    if (unanswered.includes("vaistore.kb.io")) throw new Error(`AIStore webhook reported unanswered: ${unanswered}`);
}

export const fixture: AddOnEngineFixture = {
    packageCharts: () => ({ aistore: vendorChart("ais-operator-3.4.0.tgz") }),
    section: (stage) => ({
        chart: stage.charts.aistore,
        nodes: [{ hostname: stage.nodes[0], disks: [DISK] }],
        readyTimeoutSeconds: 300,
    }),
    releases: ["ais-operator-system/ais-operator"],
    check,
};
