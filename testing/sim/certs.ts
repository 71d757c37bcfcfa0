/**
 * The simulated cluster's PKI, made with the openssl CLI (Node cannot create X.509 certificates): one CA, the API
 * server's serving certificate, one client certificate per component and the service-account signing key.
 * Every key is ECDSA P-256 (fast to generate; accepted by Kubernetes for TLS and service-account tokens).
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

/** The name the API server's front-proxy client certificate carries (`--requestheader-allowed-names`). */
export const FRONT_PROXY_CLIENT = "front-proxy-client";

/** One key pair with its certificate, as file paths. */
export interface CertFiles {
    cert: string;
    key: string;
}

/** Every file of the simulated PKI. */
export interface Pki {
    dir: string;
    ca: CertFiles;
    apiserver: CertFiles;
    admin: CertFiles;
    controllerManager: CertFiles;
    scheduler: CertFiles;
    kwok: CertFiles;
    /** The front-proxy CA (`--requestheader-client-ca-file`) and the API server's client cert for aggregated APIs. */
    frontProxyCa: CertFiles;
    frontProxyClient: CertFiles;
    /** The service-account token signing key (private, PKCS#8). */
    serviceAccountKey: string;
    /** Its public half: `--service-account-key-file` does not read a PKCS#8 EC private key. */
    serviceAccountPub: string;
}

/** What one certificate says about its holder. */
interface Subject {
    /** Common name: the Kubernetes user name for client certificates. */
    cn: string;
    /** Organisation: the Kubernetes group for client certificates. */
    o?: string;
    /** Subject alternative names (`IP:…`, `DNS:…`) for serving certificates. */
    san?: string[];
    /** Extended key usages. */
    usage: ("clientAuth" | "serverAuth")[];
}

/** Names the API server answers to: loopback plus the in-cluster service names and the first service IP. */
export function apiserverNames(firstServiceIp: string): string[] {
    return [
        "IP:127.0.0.1",
        `IP:${firstServiceIp}`,
        "DNS:localhost",
        "DNS:kubernetes",
        "DNS:kubernetes.default",
        "DNS:kubernetes.default.svc",
        "DNS:kubernetes.default.svc.cluster.local",
    ];
}

/** An openssl `req` config with no dependency on the system's openssl.cnf. */
function opensslConfig(subject: Subject | { ca: string }): string {
    const lines = ["[req]", "distinguished_name = dn", "prompt = no", "x509_extensions = ext", "[dn]"];
    if ("ca" in subject) {
        lines.push(`CN = ${subject.ca}`, "[ext]", "basicConstraints = critical,CA:TRUE");
        lines.push("keyUsage = critical,keyCertSign,cRLSign,digitalSignature", "subjectKeyIdentifier = hash");
    } else {
        if (subject.o) lines.push(`O = ${subject.o}`);
        lines.push(`CN = ${subject.cn}`, "[ext]", "basicConstraints = critical,CA:FALSE");
        lines.push("keyUsage = critical,digitalSignature,keyEncipherment");
        lines.push(`extendedKeyUsage = ${subject.usage.join(",")}`);
        lines.push("subjectKeyIdentifier = hash", "authorityKeyIdentifier = keyid");
        if (subject.san?.length) lines.push(`subjectAltName = ${subject.san.join(",")}`);
    }
    return lines.join("\n") + "\n";
}

/** Runs `openssl req -x509` to make a key and a certificate, signed by `ca` when given (else self-signed). */
function makeCert(dir: string, name: string, subject: Subject | { ca: string }, ca?: CertFiles): CertFiles {
    const cnf = path.join(dir, `${name}.cnf`);
    const files = { cert: path.join(dir, `${name}.crt`), key: path.join(dir, `${name}.key`) };
    fs.writeFileSync(cnf, opensslConfig(subject));
    const args = ["req", "-x509", "-config", cnf, "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"];
    args.push("-keyout", files.key, "-out", files.cert, "-days", "3650");
    if (ca) args.push("-CA", ca.cert, "-CAkey", ca.key);
    execFileSync("openssl", args, { stdio: ["ignore", "ignore", "pipe"] });
    fs.rmSync(cnf);
    fs.chmodSync(files.key, 0o600);
    return files;
}

/**
 * A serving certificate for `san` (`IP:…`, `DNS:…`) signed by the sim's CA in `pkiDir` (as {@link createPki} made
 * it), written as `<name>.crt` and `<name>.key` there: what a webhook server on loopback serves.
 */
export function createServingCert(pkiDir: string, name: string, san: string[]): CertFiles {
    const ca = { cert: path.join(pkiDir, "ca.crt"), key: path.join(pkiDir, "ca.key") };
    return makeCert(pkiDir, name, { cn: name, san, usage: ["serverAuth"] }, ca);
}

/** A client certificate for `cn` signed by the sim's CA in `pkiDir`, written as `<name>.crt` and `<name>.key` there. */
export function createClientCert(pkiDir: string, name: string, cn: string): CertFiles {
    const ca = { cert: path.join(pkiDir, "ca.crt"), key: path.join(pkiDir, "ca.key") };
    return makeCert(pkiDir, name, { cn, usage: ["clientAuth"] }, ca);
}

/** Creates the whole PKI under `dir` (created if missing). Needs the `openssl` CLI (3.0 or newer). */
export function createPki(dir: string, firstServiceIp: string): Pki {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    const ca = makeCert(dir, "ca", { ca: "sim-ca" });
    const frontProxyCa = makeCert(dir, "front-proxy-ca", { ca: "sim-front-proxy-ca" });
    const client = (name: string, cn: string, o?: string) => makeCert(dir, name, { cn, o, usage: ["clientAuth"] }, ca);
    const serviceAccountKey = path.join(dir, "sa.key");
    const serviceAccountPub = path.join(dir, "sa.pub");
    const ec = ["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"];
    execFileSync("openssl", ["genpkey", ...ec, "-out", serviceAccountKey], { stdio: ["ignore", "ignore", "pipe"] });
    execFileSync("openssl", ["pkey", "-in", serviceAccountKey, "-pubout", "-out", serviceAccountPub]);
    fs.chmodSync(serviceAccountKey, 0o600);
    return {
        dir,
        ca,
        apiserver: makeCert(
            dir,
            "apiserver",
            { cn: "kube-apiserver", san: apiserverNames(firstServiceIp), usage: ["serverAuth"] },
            ca,
        ),
        admin: client("admin", "sim-admin", "system:masters"),
        controllerManager: client("controller-manager", "system:kube-controller-manager"),
        scheduler: client("scheduler", "system:kube-scheduler"),
        kwok: client("kwok", "kwok-controller", "system:masters"),
        frontProxyCa,
        frontProxyClient: makeCert(
            dir,
            "front-proxy-client",
            { cn: FRONT_PROXY_CLIENT, usage: ["clientAuth"] },
            frontProxyCa,
        ),
        serviceAccountKey,
        serviceAccountPub,
    };
}
