/**
 * cert-manager in the add-on engine test: the fixture chart, a generated CA, and the engine stack without
 * `ingress.tlsCert`, so that AI Hub's certificates come from the ClusterIssuer; the checks verify their chain.
 */
import { X509Certificate } from "node:crypto";
import * as path from "node:path";
import { PUBLIC_CERT_SECRET, CUSTOM_CA_SECRET } from "../../modules/aihub/values";
import { INGRESS_TLS_SECRET } from "../../modules/aihub/ingress";
import { packageFixture, SHARED_REF, type AddOnEngineFixture } from "../../test/engine/addon-fixture";
import type { EngineScenario } from "../../test/engine/scenario";

const CRDS = ["certificaterequests", "certificates", "clusterissuers", "issuers"].map((p) =>
    path.join(SHARED_REF, "cert-manager", `cert-manager.io_${p}-v1.21.1.yaml`),
);

async function secretText(s: EngineScenario, namespace: string, name: string, key: string): Promise<string> {
    const secret = await s.view.get("v1", "Secret", name, namespace);
    const v = (secret?.data as Record<string, string> | undefined)?.[key];
    if (!v) throw new Error(`Secret ${namespace}/${name} has no ${key}`);
    return Buffer.from(v, "base64").toString("utf8");
}

async function check(s: EngineScenario): Promise<void> {
    s.view.refresh();
    const out = JSON.parse((await s.pulumiOk(["stack", "output", "--json"])).stdout) as Record<string, string>;
    const ca = new X509Certificate(out.certManagerCaCert);
    if (!ca.ca) throw new Error("output certManagerCaCert is not a CA certificate");
    const issuer = await s.view.get("cert-manager.io/v1", "ClusterIssuer", out.certManagerIssuer);
    const conditions = (issuer?.status?.conditions ?? []) as { type: string; status: string }[];
    if (!conditions.some((c) => c.type === "Ready" && c.status === "True")) {
        throw new Error(`ClusterIssuer ${out.certManagerIssuer} is not Ready`);
    }
    const ns = String(s.plain.aihub.namespace ?? "aihub");
    const domain = String(s.plain.aihub.domain);
    // With the gateway add-on in gateway mode the site certificate sits beside the shared Gateway.
    const gateway = s.plain.addons?.gateway as { namespace?: string } | undefined;
    const siteNs = gateway && (s.plain.ingress.mode ?? "gateway") === "gateway" ? (gateway.namespace ?? "gateway") : ns;
    for (const [name, secretNs] of [
        [INGRESS_TLS_SECRET, siteNs],
        [PUBLIC_CERT_SECRET, ns],
    ]) {
        const leaf = new X509Certificate(await secretText(s, secretNs, name, "tls.crt"));
        if (!leaf.checkIssued(ca) || !leaf.verify(ca.publicKey)) {
            throw new Error(`Secret ${secretNs}/${name}: its certificate was not signed by the issuer's CA`);
        }
        if (!leaf.checkHost(domain))
            throw new Error(`Secret ${secretNs}/${name}: its certificate does not cover ${domain}`);
    }
    const trusted = await secretText(s, ns, CUSTOM_CA_SECRET, "tls.crt");
    if (!trusted.startsWith(out.certManagerCaCert.trimEnd())) {
        throw new Error(`Secret ${ns}/${CUSTOM_CA_SECRET} does not start with the issuer's CA`);
    }
}

export const fixture: AddOnEngineFixture = {
    packageCharts: (dir) => ({
        certManager: packageFixture(path.join(__dirname, "fixture", "cert-manager"), dir, CRDS),
    }),
    section: (stage) => ({ chart: stage.charts.certManager }),
    // No site certificate: the issuer signs AI Hub's (the site CA stays in ingress.caCert as extra trust).
    adjustCore: (plain) => {
        delete plain.ingress.tlsCert;
    },
    releases: ["cert-manager/cert-manager"],
    check,
};
