/**
 * Stands in for cert-manager's controller with a CA ClusterIssuer: a ClusterIssuer whose CA Secret holds a key pair
 * becomes Ready, and a Certificate naming a Ready ClusterIssuer gets its Secret (`tls.crt`, `tls.key`, `ca.crt`)
 * signed by that CA with openssl, and a Ready condition. No ACME, no renewal, no other issuer kinds, no webhook.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { ApiClient, KubeObject } from "../../lib/kube-api";
import type { Log } from "./log";

const API = "/apis/cert-manager.io/v1";

const b64 = (s: string) => Buffer.from(s).toString("base64");
const text = (data: unknown, key: string) => {
    const v = (data as Record<string, string> | undefined)?.[key];
    return v ? Buffer.from(v, "base64").toString("utf8") : undefined;
};
const now = () => new Date().toISOString().replace(/\.\d+Z$/, "Z");

function readyCondition(obj: KubeObject, reason: string, message: string) {
    const t = now();
    return {
        type: "Ready",
        status: "True",
        reason,
        message,
        observedGeneration: obj.metadata.generation ?? 1,
        lastTransitionTime: t,
    };
}

function isReady(obj: KubeObject): boolean {
    const conditions = (obj.status?.conditions ?? []) as {
        type: string;
        status: string;
        observedGeneration?: number;
    }[];
    return conditions.some(
        (c) => c.type === "Ready" && c.status === "True" && c.observedGeneration === (obj.metadata.generation ?? 1),
    );
}

/** A key and a certificate for `dnsNames` signed by the CA (PEM strings), made with the openssl CLI. */
export function signLeaf(caCert: string, caKey: string, dnsNames: string[]): { cert: string; key: string } {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sim-cert-"));
    try {
        const f = (n: string) => path.join(dir, n);
        fs.writeFileSync(f("ca.crt"), caCert);
        fs.writeFileSync(f("ca.key"), caKey, { mode: 0o600 });
        fs.writeFileSync(
            f("ext"),
            `subjectAltName=${dnsNames.map((d) => `DNS:${d}`).join(",")}\nbasicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n`,
        );
        const run = (args: string[]) => execFileSync("openssl", args, { stdio: ["ignore", "pipe", "pipe"] });
        run(["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", f("tls.key")]);
        run(["req", "-new", "-key", f("tls.key"), "-subj", `/CN=${dnsNames[0] ?? "sim"}`, "-out", f("tls.csr")]);
        run([
            "x509",
            "-req",
            "-in",
            f("tls.csr"),
            "-CA",
            f("ca.crt"),
            "-CAkey",
            f("ca.key"),
            "-CAcreateserial",
            "-days",
            "90",
            "-extfile",
            f("ext"),
            "-out",
            f("tls.crt"),
        ]);
        return { cert: fs.readFileSync(f("tls.crt"), "utf8"), key: fs.readFileSync(f("tls.key"), "utf8") };
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

/** The CA key pair of a ClusterIssuer (its Secret, in whichever namespace holds it), or undefined. */
async function issuerCa(client: ApiClient, issuer: KubeObject): Promise<{ cert: string; key: string } | undefined> {
    const secretName = (issuer.spec?.ca as { secretName?: string } | undefined)?.secretName;
    if (!secretName) return undefined;
    const [secret] = await client.list(`/api/v1/secrets?fieldSelector=metadata.name%3D${secretName}`);
    const cert = text(secret?.data, "tls.crt");
    const key = text(secret?.data, "tls.key");
    return cert && key ? { cert, key } : undefined;
}

/** cert-manager's part of a reconcile pass. */
export async function reconcileCertManager(client: ApiClient, log: Log): Promise<void> {
    const ready = new Map<string, { cert: string; key: string }>();
    for (const issuer of await client.list(`${API}/clusterissuers`)) {
        if (issuer.metadata.deletionTimestamp) continue;
        const ca = await issuerCa(client, issuer);
        if (!ca) continue;
        ready.set(issuer.metadata.name, ca);
        if (isReady(issuer)) continue;
        const condition = readyCondition(issuer, "KeyPairVerified", "Signing CA verified");
        await client.mergePatch(`${API}/clusterissuers/${issuer.metadata.name}/status`, {
            status: { conditions: [condition] },
        });
        log(`clusterissuer ${issuer.metadata.name}: Ready`);
    }
    for (const c of await client.list(`${API}/certificates`)) {
        const ref = c.spec?.issuerRef as { name: string; kind?: string } | undefined;
        const ca = ref?.kind === "ClusterIssuer" ? ready.get(ref.name) : undefined;
        if (!ca || c.metadata.deletionTimestamp || isReady(c)) continue;
        const ns = c.metadata.namespace!;
        const secretName = c.spec?.secretName as string;
        const leaf = signLeaf(ca.cert, ca.key, (c.spec?.dnsNames ?? []) as string[]);
        const secret = {
            apiVersion: "v1",
            kind: "Secret",
            metadata: {
                name: secretName,
                namespace: ns,
                annotations: {
                    "cert-manager.io/certificate-name": c.metadata.name,
                    "cert-manager.io/issuer-name": ref!.name,
                },
            },
            type: "kubernetes.io/tls",
            data: { "tls.crt": b64(leaf.cert), "tls.key": b64(leaf.key), "ca.crt": b64(ca.cert) },
        };
        const secretPath = `/api/v1/namespaces/${ns}/secrets`;
        const existing = await client.get(`${secretPath}/${secretName}`);
        if (existing)
            await client.replace(`${secretPath}/${secretName}`, {
                ...secret,
                metadata: { ...secret.metadata, resourceVersion: existing.metadata.resourceVersion },
            });
        else await client.create(secretPath, secret);
        const notAfter = new Date(Date.now() + 90 * 86_400_000).toISOString().replace(/\.\d+Z$/, "Z");
        const status = {
            conditions: [readyCondition(c, "Ready", "Certificate is up to date and has not expired")],
            notBefore: now(),
            notAfter,
            revision: 1,
        };
        await client.mergePatch(`${API}/namespaces/${ns}/certificates/${c.metadata.name}/status`, { status });
        log(`certificate ${ns}/${c.metadata.name}: issued into secret ${secretName} by ${ref!.name}`);
    }
}
