/**
 * Webhook calls answered on loopback (testing/sim/webhooks.ts), against the real API server: a webhook whose Service
 * has a loopback server is pointed at it and its answer decides; one with no server keeps its Service, is reported by
 * name, and its failure policy decides (Ignore admits; Fail refuses at once, the dial failing in the namespace).
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as https from "node:https";
import type { AddressInfo } from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { missingBinaries, startSim, stopSim, type ApiClient, type SimHandle } from "../../testing/sim";
import { registerLoopbackEndpoint, UNANSWERED_ANNOTATION } from "../../testing/sim/webhooks";
import { eventually } from "../helpers/eventually";

// A skip is counted by scripts/run-tests.mjs, which fails CI on any.
const missing = missingBinaries();

describe(
    "webhooks answered on loopback",
    { skip: missing.length > 0 && `sim binaries missing: ${missing.join(", ")}`, timeout: 300_000 },
    () => {
        let tmp: string;
        let sim: SimHandle;
        let client: ApiClient;
        let server: https.Server;
        const reviews: string[] = [];

        before(async () => {
            tmp = fs.mkdtempSync(path.join(os.tmpdir(), "webhooks-test-"));
            sim = await startSim({ hostnames: ["w1"], dir: path.join(tmp, "sim"), killOnExit: true });
            client = sim.client;
        });
        after(async () => {
            server?.close();
            client?.close();
            if (sim) await stopSim(path.join(tmp, "sim"));
            fs.rmSync(tmp, { recursive: true, force: true });
        });

        it("points a webhook at its loopback server, whose answer decides", async () => {
            const certs = makeCerts(tmp);
            server = https.createServer(
                { cert: fs.readFileSync(certs.cert), key: fs.readFileSync(certs.key) },
                (req, res) => {
                    let body = "";
                    req.on("data", (c) => (body += c));
                    req.on("end", () => {
                        const review = JSON.parse(body) as {
                            request: { uid: string; object: { metadata: { name: string } } };
                        };
                        reviews.push(`${req.url?.split("?")[0]} ${review.request.object.metadata.name}`);
                        res.setHeader("content-type", "application/json");
                        res.end(
                            JSON.stringify({
                                apiVersion: "admission.k8s.io/v1",
                                kind: "AdmissionReview",
                                response: {
                                    uid: review.request.uid,
                                    allowed: false,
                                    status: { code: 403, message: "refused by the loopback server" },
                                },
                            }),
                        );
                    });
                },
            );
            await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
            const port = (server.address() as AddressInfo).port;

            await namespace("guarded", { guard: "loopback" });
            await service("guarded", "webhook");
            await registerLoopbackEndpoint(
                client,
                { namespace: "guarded", name: "webhook" },
                { url: `https://127.0.0.1:${port}`, caPem: fs.readFileSync(certs.ca, "utf8") },
            );
            await webhookConfiguration("loopback-guard", "guarded", "webhook", { guard: "loopback" }, "Fail");
            const routed = await eventually("the webhook pointed at its loopback URL", async () => {
                const cfg = await client.get(
                    "/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations/loopback-guard",
                );
                const cc = (cfg as unknown as { webhooks: { clientConfig: { url?: string } }[] }).webhooks[0]
                    .clientConfig;
                return cc.url;
            });
            assert.equal(routed, `https://127.0.0.1:${port}/validate`);
            // The API server takes the changed configuration from its informer: objects created before then pass.
            const refusal = await eventually("a refusal by the loopback server", async () => {
                const name = `cm-${Date.now()}`;
                const r = await createConfigMap("guarded", name);
                return r === undefined ? undefined : { name, text: r };
            });
            assert.match(refusal.text, /refused by the loopback server/);
            assert.deepEqual(reviews, [`/validate ${refusal.name}`]);
        });

        it("leaves a webhook with no loopback server to its failure policy and names it", async () => {
            await namespace("open", { guard: "nobody" });
            await service("open", "absent");
            await webhookConfiguration("nobody-ignore", "open", "absent", { guard: "nobody" }, "Ignore");
            const note = await eventually("the unanswered webhook named", async () => {
                const cfg = await client.get(
                    "/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations/nobody-ignore",
                );
                return cfg?.metadata.annotations?.[UNANSWERED_ANNOTATION];
            });
            assert.equal(note, "guard.nobody-ignore.test (service open/absent:443, failurePolicy Ignore)");
            const cfg = await client.get(
                "/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations/nobody-ignore",
            );
            const hook = (cfg as unknown as { webhooks: { clientConfig: { service?: { name: string } } }[] })
                .webhooks[0];
            assert.equal(hook.clientConfig.service?.name, "absent", "the webhook is not removed or rewritten");
            assert.equal(await createConfigMap("open", "admitted"), undefined, "Ignore admits");
        });

        it("points a CRD's conversion webhook at its loopback server and names an aggregated API it cannot reach", async () => {
            const port = (server.address() as AddressInfo).port;
            await service("guarded", "converter");
            const version = (name: string, storage: boolean) => ({
                name,
                served: true,
                storage,
                schema: { openAPIV3Schema: { type: "object", "x-kubernetes-preserve-unknown-fields": true } },
            });
            await client.create("/apis/apiextensions.k8s.io/v1/customresourcedefinitions", {
                metadata: { name: "widgets.loopback.test" },
                spec: {
                    group: "loopback.test",
                    names: { plural: "widgets", singular: "widget", kind: "Widget" },
                    scope: "Namespaced",
                    versions: [version("v1", true), version("v2", false)],
                    conversion: {
                        strategy: "Webhook",
                        webhook: {
                            conversionReviewVersions: ["v1"],
                            clientConfig: { service: { namespace: "guarded", name: "converter", path: "/convert" } },
                        },
                    },
                },
            });
            const crdPath = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/widgets.loopback.test";
            // Before its server is registered the conversion is named unanswered; once routed, no longer.
            await eventually("the conversion named unanswered", async () =>
                (await client.get(crdPath))?.metadata.annotations?.[UNANSWERED_ANNOTATION] ? true : undefined,
            );
            await registerLoopbackEndpoint(
                client,
                { namespace: "guarded", name: "converter" },
                { url: `https://127.0.0.1:${port}`, caPem: fs.readFileSync(path.join(tmp, "ca.crt"), "utf8") },
            );
            const url = await eventually("the conversion webhook pointed at its loopback URL", async () => {
                const crd = await client.get(crdPath);
                const cc = (
                    crd?.spec as { conversion: { webhook: { clientConfig: { url?: string; service?: unknown } } } }
                ).conversion.webhook.clientConfig;
                const named = crd?.metadata.annotations?.[UNANSWERED_ANNOTATION];
                return cc.url && !cc.service && !named ? cc.url : undefined;
            });
            assert.equal(url, `https://127.0.0.1:${port}/convert`);

            await service("guarded", "metrics");
            await client.create("/apis/apiregistration.k8s.io/v1/apiservices", {
                metadata: { name: "v1beta1.metrics.loopback.test" },
                spec: {
                    group: "metrics.loopback.test",
                    version: "v1beta1",
                    service: { namespace: "guarded", name: "metrics" },
                    insecureSkipTLSVerify: true,
                    groupPriorityMinimum: 100,
                    versionPriority: 100,
                },
            });
            const note = await eventually("the aggregated API named", async () => {
                const api = await client.get(
                    "/apis/apiregistration.k8s.io/v1/apiservices/v1beta1.metrics.loopback.test",
                );
                return api?.metadata.annotations?.[UNANSWERED_ANNOTATION];
            });
            assert.equal(note, "aggregated API (service guarded/metrics:443)");
        });

        async function namespace(name: string, labels: Record<string, string>) {
            await client.create("/api/v1/namespaces", { metadata: { name, labels } });
        }
        async function service(ns: string, name: string) {
            await client.create(`/api/v1/namespaces/${ns}/services`, {
                metadata: { name },
                spec: { ports: [{ port: 443, targetPort: 9443 }] },
            });
        }
        async function webhookConfiguration(
            name: string,
            ns: string,
            svc: string,
            selector: Record<string, string>,
            failurePolicy: "Fail" | "Ignore",
        ) {
            await client.create("/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations", {
                metadata: { name },
                webhooks: [
                    {
                        name: `guard.${name}.test`,
                        clientConfig: { service: { namespace: ns, name: svc, path: "/validate" } },
                        rules: [
                            { apiGroups: [""], apiVersions: ["v1"], operations: ["CREATE"], resources: ["configmaps"] },
                        ],
                        namespaceSelector: { matchLabels: selector },
                        failurePolicy,
                        sideEffects: "None",
                        admissionReviewVersions: ["v1"],
                        timeoutSeconds: 5,
                    },
                ],
            });
        }
        /** Creates a ConfigMap, retrying while the API server has not picked up the webhook yet; the refusal or undefined. */
        async function createConfigMap(ns: string, name: string): Promise<string | undefined> {
            try {
                await client.create(`/api/v1/namespaces/${ns}/configmaps`, { metadata: { name } });
                return undefined;
            } catch (e) {
                return (e as Error).message;
            }
        }
    },
);

/** A CA and a server certificate for IP 127.0.0.1 (openssl). */
function makeCerts(dir: string): { ca: string; cert: string; key: string } {
    const f = (n: string) => path.join(dir, n);
    const run = (args: string[]) => execFileSync("openssl", args, { stdio: ["ignore", "ignore", "pipe"] });
    const ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"];
    run([
        "req",
        "-x509",
        ...ec,
        "-keyout",
        f("ca.key"),
        "-out",
        f("ca.crt"),
        "-days",
        "2",
        "-subj",
        "/CN=loopback test CA",
    ]);
    run(["req", ...ec, "-keyout", f("tls.key"), "-out", f("tls.csr"), "-subj", "/CN=127.0.0.1"]);
    fs.writeFileSync(f("ext.cnf"), "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n");
    run(
        ["x509", "-req", "-in", f("tls.csr"), "-CA", f("ca.crt"), "-CAkey", f("ca.key"), "-CAcreateserial"].concat([
            "-out",
            f("tls.crt"),
            "-days",
            "2",
            "-extfile",
            f("ext.cnf"),
        ]),
    );
    return { ca: f("ca.crt"), cert: f("tls.crt"), key: f("tls.key") };
}
