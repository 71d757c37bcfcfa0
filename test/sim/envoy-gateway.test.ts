/**
 * How the sim runs Envoy Gateway's real controller (testing/sim/envoy-gateway.ts), held to the real gateway-helm v1.9.0
 * chart rendered with the add-on's values: the chart's own EnvoyGateway config with only the admin address changed,
 * the command line, environment, /certs volume and webhook Service port the chart's Deployment and webhook give it,
 * and the mount namespace that shows the process the Secret's files at /certs.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, it } from "node:test";
import { parse, stringify } from "yaml";
import { GATEWAY_CATALOG } from "../../addons/gateway/catalog";
import { gatewayValues } from "../../addons/gateway/values";
import {
    EG_SECRETS,
    EG_SERVICE,
    EG_WEBHOOK_SERVICE_PORT,
    ENVOY_GATEWAY_UPSTREAM,
    launch,
    simEnvoyGatewayConfig,
} from "../../testing/sim/envoy-gateway";
import { isRunning, startProcess } from "../../testing/sim/processes";
import type { KubeObject } from "../../lib/kube-api";
import { renderChart } from "../helpers/helm";
import { VENDOR_CHARTS } from "../helpers/vendor-charts";

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- rendered manifests

const NS = "gateway";
const docs = renderChart(
    path.join(VENDOR_CHARTS, "gateway-helm-v1.9.0.tgz"),
    "envoy-gateway",
    NS,
    gatewayValues({
        images: GATEWAY_CATALOG["v1.9.0"],
        registry: "registry.lab.internal:5000",
        pullSecretName: "airgap-registry",
        service: { type: "LoadBalancer" },
    }),
) as Obj[];
const find = (kind: string, name: string) => docs.find((d) => d.kind === kind && d.metadata.name === name)!;

const context = (dir: string) => ({
    dir,
    kubeconfig: path.join(dir, "kubeconfig"),
    namespace: NS,
    deployment: find("Deployment", "envoy-gateway") as KubeObject,
    pod: "envoy-gateway-abc",
    ports: [20001, 20002, 20003],
    cert: { cert: "", key: "", caPem: "" },
});

describe("sim: Envoy Gateway's controller as the chart runs it", () => {
    it("gets the chart's EnvoyGateway config with only the admin server moved to a loopback port", () => {
        const chart = find("ConfigMap", "envoy-gateway-config").data["envoy-gateway.yaml"] as string;
        const ours = parse(simEnvoyGatewayConfig(chart, 20003));
        const theirs = parse(chart);
        assert.equal(theirs.provider.type, "Kubernetes");
        assert.deepEqual(ours.admin.address, { host: "127.0.0.1", port: 20003 });
        delete ours.admin.address;
        if (theirs.admin) delete theirs.admin.address;
        assert.deepEqual({ ...ours, admin: undefined }, { ...theirs, admin: undefined });
        assert.throws(
            () => simEnvoyGatewayConfig(stringify({ ...theirs, provider: { type: "Custom" } }), 1),
            /not an EnvoyGateway config with provider Kubernetes/,
        );
    });

    it("gets the Deployment's command line, environment and /certs volume, and serves the webhook's Service port", () => {
        const pod = find("Deployment", "envoy-gateway").spec.template.spec;
        const container = pod.containers[0];
        assert.deepEqual(container.args, ["server", "--config-path=/config/envoy-gateway.yaml"]);
        const { args, env } = ENVOY_GATEWAY_UPSTREAM.command(context("/sim"));
        assert.deepEqual(args, ["server", "--config-path=/sim/envoy-gateway/envoy-gateway.yaml"]);
        const chartEnv = (container.env as { name: string; value?: string }[]).map((e) => e.name).sort();
        assert.deepEqual(chartEnv, ["ENVOY_GATEWAY_NAMESPACE", "KUBERNETES_CLUSTER_DOMAIN"]);
        for (const name of chartEnv) assert.ok(env?.[name], name);
        const domain = (container.env as { name: string; value?: string }[]).find(
            (e) => e.name === "KUBERNETES_CLUSTER_DOMAIN",
        )!.value;
        assert.equal(env?.KUBERNETES_CLUSTER_DOMAIN, domain);
        assert.equal(env?.ENVOY_GATEWAY_NAMESPACE, NS);
        const certs = (container.volumeMounts as { name: string; mountPath: string }[]).find(
            (m) => m.mountPath === "/certs",
        )!;
        const volume = (pod.volumes as Obj[]).find((v) => v.name === certs.name)!;
        assert.equal(volume.secret.secretName, EG_SECRETS.controller);
        const hook = find("MutatingWebhookConfiguration", `envoy-gateway-topology-injector.${NS}`).webhooks[0];
        assert.deepEqual(hook.clientConfig.service, {
            name: EG_SERVICE,
            namespace: NS,
            path: "/inject-pod-topology",
            port: EG_WEBHOOK_SERVICE_PORT,
        });
        assert.ok(ENVOY_GATEWAY_UPSTREAM.crd && docs.length > 0);
    });

    it("runs the process in a mount namespace where /certs holds the Secret's files", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "eg-launch-"));
        try {
            fs.mkdirSync(path.join(dir, "envoy-gateway", "certs"), { recursive: true });
            fs.writeFileSync(path.join(dir, "envoy-gateway", "certs", "tls.crt"), "the controller's certificate");
            const argv = launch(context(dir), ["sh", "-c", "cat /certs/tls.crt; test -d /var/lib/eg/wasm && pwd"]);
            const out = execFileSync(argv[0], argv.slice(1), { cwd: dir, encoding: "utf8" });
            assert.equal(out, `the controller's certificate${fs.realpathSync(dir)}\n`);
            assert.equal(fs.existsSync("/certs"), false, "the mount namespace leaked a /certs");
            // Started as the supervisor starts it, the process is recognised as running once the launcher has exec'd.
            const sleeper = ["/bin/sleep", "30"];
            const rec = startProcess(dir, "sleeper", launch(context(dir), sleeper), { runs: sleeper });
            try {
                for (let i = 0; i < 50 && !isRunning(rec); i++) execFileSync("sleep", ["0.1"]);
                assert.equal(isRunning(rec), true, "the launched process is not seen running");
            } finally {
                process.kill(rec.pid, "SIGKILL");
            }
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});
