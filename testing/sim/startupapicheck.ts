/**
 * cert-manager's startupapicheck, held to its upstream rule. The chart runs it as a post-install hook Job, and Helm
 * waits for it, so nothing that creates an Issuer or a Certificate runs before cert-manager's webhooks answer. The
 * real check (cert-manager v1.21.1 `pkg/util/cmapichecker/cmapichecker.go`, which `cmd/startupapicheck` runs until
 * its `--wait` ends) dry-run creates two CertificateRequests in the Job's namespace: one with a valid CSR, which the
 * mutating webhook must have stamped with the requester (`spec.username` or `spec.uid`), and one with an invalid
 * CSR, which the validating webhook must deny (`admission webhook "…" denied the request`).
 *
 * kwok would end the pod at once (testing/sim/stages/pod.yaml leaves these pods out of `sim-pod-complete`), so a
 * release passed its hook while the webhook could not yet be called, and what came next failed with "failed calling
 * webhook". Here the pod succeeds only once the same two dry runs pass against the sim's API server; until then it
 * keeps running and the controller's log says why (the real one retries until its `--wait` ends, then the Job
 * retries the pod).
 */
import "reflect-metadata";
import { webcrypto } from "node:crypto";
import * as x509 from "@peculiar/x509";
import type { ApiClient, KubeObject } from "../../lib/kube-api";
import { endPod } from "./pods";

/** The pod label of the chart's startupapicheck Job (cert-manager chart templates/startupapicheck-job.yaml). */
export const STARTUPAPICHECK_COMPONENT = "startupapicheck";

let csr: Promise<string> | undefined;

/** A valid CSR for `example.com` (ECDSA P-256; upstream uses P-521, which the webhook accepts alike), made once. */
function validCsr(): Promise<string> {
    csr ??= (async () => {
        x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);
        const alg = { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" };
        const keys = await webcrypto.subtle.generateKey(alg, false, ["sign", "verify"]);
        const req = await x509.Pkcs10CertificateRequestGenerator.create({
            name: "CN=example.com",
            keys: keys as unknown as x509.Pkcs10CertificateRequestCreateParams["keys"],
            signingAlgorithm: alg,
            extensions: [new x509.SubjectAlternativeNameExtension([{ type: "dns", value: "example.com" }])],
        });
        return req.toString("pem");
    })();
    return csr;
}

/** The check of cmapichecker.go in `namespace`: undefined when it passes, else why not. */
export async function startupApiProblem(client: ApiClient, namespace: string): Promise<string | undefined> {
    const path = `/apis/cert-manager.io/v1/namespaces/${namespace}/certificaterequests?dryRun=All`;
    const request = (name: string, pem: string) => ({
        apiVersion: "cert-manager.io/v1",
        kind: "CertificateRequest",
        metadata: { generateName: `cmapichecker-${name}-` },
        spec: { request: Buffer.from(pem).toString("base64"), issuerRef: { name: "cmapichecker" } },
    });
    try {
        const made = await client.create(path, request("valid", await validCsr()));
        const spec = made?.spec as { username?: string; uid?: string } | undefined;
        if (!spec?.username && !spec?.uid) return "the mutating webhook did not stamp the request (not called yet)";
    } catch (e) {
        return (e as Error).message;
    }
    try {
        await client.create(path, request("invalid", "invalid-csr"));
        return "the validating webhook admitted an invalid request (not called yet)";
    } catch (e) {
        const message = (e as Error).message;
        if (!/admission webhook "[^"]*" denied the request/.test(message)) return message;
    }
    return undefined;
}

/** Ends every Running startupapicheck pod whose check passes; throws naming the pods whose check does not yet. */
export async function reconcileStartupApiCheck(client: ApiClient, log: (line: string) => void): Promise<void> {
    const selector = encodeURIComponent(`app.kubernetes.io/component=${STARTUPAPICHECK_COMPONENT}`);
    const waiting: string[] = [];
    for (const pod of await client.list(`/api/v1/pods?labelSelector=${selector}`)) {
        if (pod.status?.phase !== "Running" || pod.metadata.deletionTimestamp) continue;
        const problem = await startupApiProblem(client, pod.metadata.namespace!);
        if (problem) {
            waiting.push(`${pod.metadata.namespace}/${pod.metadata.name}: ${problem}`);
            continue;
        }
        await endPod(client, pod as KubeObject, 0);
        log(`startupapicheck ${pod.metadata.namespace}/${pod.metadata.name}: the cert-manager API answers`);
    }
    if (waiting.length > 0) throw new Error(`still checking the cert-manager API: ${waiting.join("; ")}`);
}
