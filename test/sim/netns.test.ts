/**
 * The tests run in a network namespace of their own with only loopback (scripts/loopback-only.mjs): a dial to any
 * other address fails at once instead of leaving the machine. Shown here for a plain socket and for the simulated
 * cluster's real API server calling an admission webhook by Service, which it dials at the Service's ClusterIP.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as net from "node:net";
import { describe, it } from "node:test";
import { SERVICE_CIDR } from "../../testing/sim/components";
import { ipNumber, parseAddressBlock } from "../../lib/ip-blocks";
import { eventually } from "../helpers/eventually";
import { describeWithSim } from "../helpers/sim-describe";

/** The first host address of the sim's Service range (the `kubernetes` Service's ClusterIP). */
const SERVICE_IP = SERVICE_CIDR.replace(/\.0\/\d+$/, ".1");

/** Connects to `host:port`; resolves with the error code and how long the attempt took. */
function dial(host: string, port: number): Promise<{ code: string; ms: number }> {
    const start = Date.now();
    return new Promise((resolve) => {
        const s = net.connect({ host, port, timeout: 10_000 });
        const done = (code: string) => {
            s.destroy();
            resolve({ code, ms: Date.now() - start });
        };
        s.on("connect", () => done("CONNECTED"));
        s.on("timeout", () => done("TIMEOUT"));
        s.on("error", (e: NodeJS.ErrnoException) => done(e.code ?? e.message));
    });
}

describe("the tests' network namespace", () => {
    it("has loopback as its only interface", () => {
        assert.equal(process.env.AIHUB_NETNS, "loopback", "run the tests with npm test (scripts/run-tests.mjs)");
        const links = spawnSync("ip", ["-o", "link", "show"], { encoding: "utf8" });
        assert.equal(links.status, 0, links.stderr);
        const names = links.stdout
            .trim()
            .split("\n")
            .map((l) => l.split(":")[1].trim());
        assert.deepEqual(names, ["lo"]);
    });

    it("fails a dial to an address of the Service range at once", async () => {
        const r = await dial(SERVICE_IP, 443);
        assert.equal(r.code, "ENETUNREACH");
        assert.ok(r.ms < 1000, `took ${r.ms} ms`);
    });
});

describeWithSim("the simulated API server in the namespace", (sim) => {
    it("refuses an object whose webhook Service it cannot reach, at once and naming the network", async () => {
        const client = sim().client;
        const ns = "netns-guarded";
        await client.create("/api/v1/namespaces", { metadata: { name: ns, labels: { guarded: "yes" } } });
        await client.create(`/api/v1/namespaces/${ns}/services`, {
            metadata: { name: "webhook" },
            spec: { ports: [{ port: 443, targetPort: 9443 }] },
        });
        const svc = await client.get(`/api/v1/namespaces/${ns}/services/webhook`);
        const clusterIp = (svc?.spec as { clusterIP?: string }).clusterIP ?? "";
        const range = parseAddressBlock(SERVICE_CIDR);
        const ip = ipNumber(clusterIp);
        assert.ok(
            "first" in range && ip !== undefined && ip.value >= range.first && ip.value <= range.last,
            `ClusterIP ${clusterIp} in ${SERVICE_CIDR}`,
        );
        await client.create("/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations", {
            metadata: { name: "netns-test" },
            webhooks: [
                {
                    name: "guard.netns.test",
                    clientConfig: { service: { namespace: ns, name: "webhook", path: "/validate" } },
                    rules: [
                        { apiGroups: [""], apiVersions: ["v1"], operations: ["CREATE"], resources: ["configmaps"] },
                    ],
                    namespaceSelector: { matchLabels: { guarded: "yes" } },
                    failurePolicy: "Fail",
                    sideEffects: "None",
                    admissionReviewVersions: ["v1"],
                    timeoutSeconds: 10,
                },
            ],
        });
        // The webhook configuration takes effect once the API server's informer has it; retry until it answers.
        const { message, ms } = await eventually("a refusal naming the webhook", async () => {
            const start = Date.now();
            try {
                await client.create(`/api/v1/namespaces/${ns}/configmaps`, { metadata: { name: `c${start}` } });
                return undefined;
            } catch (e) {
                const text = (e as Error).message;
                return text.includes("guard.netns.test") && { message: text, ms: Date.now() - start };
            }
        });
        assert.match(message, /failed calling webhook "guard\.netns\.test"/);
        assert.match(message, /network is unreachable/);
        assert.ok(message.includes(clusterIp), `the API server dialled the ClusterIP: ${message}`);
        assert.ok(ms < 5000, `refused after ${ms} ms, not at the webhook's 10 s time-out`);
    });
});
