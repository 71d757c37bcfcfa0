/**
 * cert-manager in the add-on engine test: the real vendor chart (../shared/charts) with the real controller and
 * webhook v1.21.1 running beside the sim (testing/sim/upstream.ts), a generated CA, and the engine stack without
 * `ingress.tlsCert`, so that AI Hub's certificates come from the ClusterIssuer. The checks verify what the real
 * controller issued with `openssl verify` against the CA that reaches AI Hub's `customCA`, and that the real webhook
 * answered on loopback (it refuses a Certificate naming nothing).
 */
import { execFileSync } from "node:child_process";
import { X509Certificate } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { PUBLIC_CERT_SECRET, CUSTOM_CA_SECRET } from "../../modules/aihub/values";
import { INGRESS_TLS_SECRET } from "../../modules/aihub/ingress";
import type { AddOnEngineFixture } from "../../test/engine/addon-fixture";
import { webhooksAnsweredOnLoopback } from "../../test/engine/webhooks";
import type { EngineScenario } from "../../test/engine/scenario";
import { VENDOR_CHARTS } from "../../test/helpers/vendor-charts";

/** The real chart. */
export const CERT_MANAGER_CHART = path.join(VENDOR_CHARTS, "cert-manager-v1.21.1.tgz");

async function secretText(s: EngineScenario, namespace: string, name: string, key: string): Promise<string> {
    const secret = await s.view.get("v1", "Secret", name, namespace);
    const v = (secret?.data as Record<string, string> | undefined)?.[key];
    if (!v) throw new Error(`Secret ${namespace}/${name} has no ${key}`);
    return Buffer.from(v, "base64").toString("utf8");
}

function ready(obj: { status?: Record<string, unknown> } | undefined): boolean {
    const conditions = (obj?.status?.conditions ?? []) as { type: string; status: string }[];
    return conditions.some((c) => c.type === "Ready" && c.status === "True");
}

/** `openssl verify` of `leaf` (PEM, as cert-manager wrote it) against `trusted` for `host`; throws with its output. */
function opensslVerify(leaf: string, trusted: string, host: string, what: string): void {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cm-verify-"));
    try {
        fs.writeFileSync(path.join(dir, "trusted.pem"), trusted);
        fs.writeFileSync(path.join(dir, "leaf.pem"), leaf);
        const args = ["verify", "-CAfile", path.join(dir, "trusted.pem"), "-purpose", "sslserver"];
        args.push("-verify_hostname", host, path.join(dir, "leaf.pem"));
        try {
            execFileSync("openssl", args, { stdio: ["ignore", "pipe", "pipe"] });
        } catch (e) {
            const err = e as { stdout?: Buffer; stderr?: Buffer };
            throw new Error(`${what}: openssl verify failed: ${String(err.stdout ?? "")}${String(err.stderr ?? "")}`);
        }
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

/** The real webhook refuses what its validation refuses (a Certificate naming no subject): it answered. */
async function webhookRefuses(s: EngineScenario, ns: string, issuer: string): Promise<void> {
    const res = await s.sim.client.request("POST", `/apis/cert-manager.io/v1/namespaces/${ns}/certificates`, {
        apiVersion: "cert-manager.io/v1",
        kind: "Certificate",
        metadata: { name: "no-subject" },
        spec: { secretName: "no-subject", issuerRef: { name: issuer, kind: "ClusterIssuer" } },
    });
    const message = (res.body as { message?: string } | undefined)?.message ?? "";
    if (res.status < 400 || !message.includes('admission webhook "webhook.cert-manager.io" denied the request')) {
        if (res.status < 400)
            await s.sim.client.delete(`/apis/cert-manager.io/v1/namespaces/${ns}/certificates/no-subject`);
        throw new Error(
            `a Certificate naming no subject was not refused by cert-manager's webhook: ${res.status} ${message}`,
        );
    }
}

async function check(s: EngineScenario): Promise<void> {
    s.view.refresh();
    const out = JSON.parse((await s.pulumiOk(["stack", "output", "--json"])).stdout) as Record<string, string>;
    const ca = new X509Certificate(out.certManagerCaCert);
    if (!ca.ca) throw new Error("output certManagerCaCert is not a CA certificate");
    const issuer = await s.view.get("cert-manager.io/v1", "ClusterIssuer", out.certManagerIssuer);
    if (!ready(issuer)) {
        throw new Error(`ClusterIssuer ${out.certManagerIssuer} is not Ready: ${JSON.stringify(issuer?.status)}`);
    }
    const ns = String(s.plain.aihub.namespace ?? "aihub");
    const domain = String(s.plain.aihub.domain);
    // With the gateway add-on in gateway mode the site certificate sits beside the shared Gateway.
    const gateway = s.plain.addons?.gateway as { namespace?: string } | undefined;
    const siteNs = gateway && (s.plain.ingress.mode ?? "gateway") === "gateway" ? (gateway.namespace ?? "gateway") : ns;
    const trusted = await secretText(s, ns, CUSTOM_CA_SECRET, "tls.crt");
    if (!trusted.startsWith(out.certManagerCaCert.trimEnd())) {
        throw new Error(`Secret ${ns}/${CUSTOM_CA_SECRET} does not start with the issuer's CA`);
    }
    const certificates = (await s.sim.client.list("/apis/cert-manager.io/v1/certificates")).filter(
        (c) => (c.spec?.issuerRef as { name?: string } | undefined)?.name === out.certManagerIssuer,
    );
    for (const [name, secretNs] of [
        [INGRESS_TLS_SECRET, siteNs],
        [PUBLIC_CERT_SECRET, ns],
    ]) {
        if (!certificates.some((c) => c.metadata.namespace === secretNs && c.spec?.secretName === name)) {
            throw new Error(`no Certificate of ${out.certManagerIssuer} writes Secret ${secretNs}/${name}`);
        }
        const leaf = await secretText(s, secretNs, name, "tls.crt");
        opensslVerify(leaf, trusted, domain, `AI Hub's Secret ${secretNs}/${name}`);
    }
    for (const c of certificates) {
        const where = `Certificate ${c.metadata.namespace}/${c.metadata.name}`;
        if (!ready(c)) throw new Error(`${where} is not Ready: ${JSON.stringify(c.status)}`);
        const secretName = String(c.spec?.secretName);
        const leaf = await secretText(s, c.metadata.namespace!, secretName, "tls.crt");
        const host = ((c.spec?.dnsNames ?? []) as string[])[0];
        if (!host) throw new Error(`${where} names no DNS name`);
        opensslVerify(leaf, trusted, host, `${where} (Secret ${secretName})`);
        if (!new X509Certificate(leaf).checkIssued(ca)) throw new Error(`${where}: not issued by the issuer's CA`);
    }
    await webhookRefuses(s, ns, out.certManagerIssuer);
    await webhooksAnsweredOnLoopback(s, ["cert-manager-webhook"]);
}

export const fixture: AddOnEngineFixture = {
    packageCharts: () => ({ certManager: CERT_MANAGER_CHART }),
    section: (stage) => ({ chart: stage.charts.certManager }),
    // No site certificate: the issuer signs AI Hub's (the site CA stays in ingress.caCert as extra trust).
    adjustCore: (plain) => {
        delete plain.ingress.tlsCert;
    },
    releases: ["cert-manager/cert-manager"],
    check,
};
