/** Keys made by the real openssl, a small bundle without images, and verify.cjs runs, for the signing tests. */
import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { hashFile } from "../../lib/digest";
import { writeManifest, type Artifact } from "../../pipeline/manifest";
import { writeOfflineVerifier } from "../../pipeline/offline-verifier";
import { VERIFIER_FILE } from "../../pipeline/split";
import { vendorChart } from "./vendor-charts";

/** The passphrase the encrypted test keys use (handed to openssl through the environment, never as an argument). */
export const TEST_PASSPHRASE = "correct horse battery staple";

/** How a test key is written. */
export type KeyForm = "sec1" | "pkcs8" | "pkcs8-encrypted" | "sec1-encrypted" | "p384" | "rsa";

/** Makes `<name>.pem` (private) and `<name>.pub.pem` in `dir`; returns both paths. */
export function makeKey(dir: string, name: string, form: KeyForm = "sec1"): { key: string; pub: string } {
    const key = path.join(dir, `${name}.pem`);
    const pub = path.join(dir, `${name}.pub.pem`);
    const env = { ...process.env, PW: TEST_PASSPHRASE };
    const run = (args: string[]) => execFileSync("openssl", args, { env, stdio: ["ignore", "pipe", "pipe"] });
    const plain = path.join(dir, `${name}.plain.pem`);
    if (form === "rsa") run(["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", plain]);
    else if (form === "p384") run(["ecparam", "-name", "secp384r1", "-genkey", "-noout", "-out", plain]);
    else if (form.startsWith("pkcs8")) {
        run(["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", plain]);
    } else run(["ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", plain]);
    if (form === "pkcs8-encrypted")
        run(["pkcs8", "-topk8", "-v2", "aes256", "-in", plain, "-passout", "env:PW", "-out", key]);
    else if (form === "sec1-encrypted") run(["ec", "-in", plain, "-aes256", "-passout", "env:PW", "-out", key]);
    else fs.copyFileSync(plain, key);
    run(["pkey", "-in", plain, "-pubout", "-out", pub]);
    fs.rmSync(plain);
    return { key, pub };
}

/** A bundle without images: one real packaged chart, a plugin tarball and an extra file, with bundle.json. */
export async function smallBundle(out: string): Promise<void> {
    fs.mkdirSync(path.join(out, "charts"), { recursive: true });
    const chart = "ceph-csi-drivers-1.0.4.tgz";
    fs.copyFileSync(vendorChart(chart), path.join(out, "charts", chart));
    const files: [Artifact["kind"], string, string][] = [
        ["chart", "charts/ceph-csi-drivers-1.0.4.tgz", "./charts/ceph-csi-drivers-1.0.4.tgz"],
        ["plugin", "plugins/pulumi-resource-kubernetes-v4.25.0-linux-amd64.tar.gz", "https://example.com/p.tar.gz"],
        ["file", "files/images.txt", "lists/images.txt"],
    ];
    const artifacts: Artifact[] = [];
    for (const [kind, rel, source] of files) {
        const file = path.join(out, rel);
        fs.mkdirSync(path.dirname(file), { recursive: true });
        if (!fs.existsSync(file)) fs.writeFileSync(file, `${kind} body\n`);
        artifacts.push({ kind, name: path.basename(rel), source, path: rel, ...(await hashFile(file)) } as Artifact);
    }
    const created = "2026-11-22T15:00:00.000Z";
    writeManifest(out, {
        format: 1,
        tool: "t",
        stack: "airgap",
        registry: "r.local:5000",
        platforms: ["linux/amd64"],
        created,
        artifacts,
    });
}

/** Runs the offline verifier (verify.cjs, built into `dir` on first use) with `args`; returns exit code and output. */
export function runVerifyCjs(dir: string, args: string[]): { code: number | null; out: string } {
    const built = path.join(dir, VERIFIER_FILE);
    const cjs = fs.existsSync(built) ? built : writeOfflineVerifier(dir);
    const r = spawnSync(process.execPath, [cjs, ...args], { encoding: "utf8", env: { PATH: process.env.PATH } });
    return { code: r.status, out: r.stdout + r.stderr };
}

/**
 * A small git checkout in `dir` (package.json and package-lock.json of this project, which the SBOM reads, and a
 * stand-in cli/push.ts), committed, for the checkout-record tests; returns `dir`.
 */
export function smallCheckout(dir: string): string {
    const root = path.resolve(__dirname, "..", "..");
    fs.mkdirSync(path.join(dir, "cli"), { recursive: true });
    for (const f of ["package.json", "package-lock.json"]) fs.copyFileSync(path.join(root, f), path.join(dir, f));
    fs.writeFileSync(path.join(dir, "cli", "push.ts"), "// the push\n");
    const git = (...args: string[]) =>
        execFileSync("git", ["-C", dir, "-c", "user.name=t", "-c", "user.email=t@t", ...args], { stdio: "pipe" });
    git("init", "-q");
    git("add", "-A");
    git("commit", "-qm", "checkout");
    return dir;
}
