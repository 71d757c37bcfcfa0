/**
 * MetalLB in the add-on engine test: the real vendor chart (../shared/charts) with the real controller v0.16.1
 * running beside the sim (testing/sim/upstream.ts), which assigns LoadBalancer addresses and serves MetalLB's
 * webhooks on loopback; a pool on loopback (reachable here), and its checks.
 */
import * as path from "node:path";
import { ipNumber, parseAddressBlock, type AddressBlock } from "../../lib/ip-blocks";
import type { KubeObject } from "../../lib/kube-api";
import type { AddOnEngineFixture } from "../../test/engine/addon-fixture";
import { webhooksAnsweredOnLoopback } from "../../test/engine/webhooks";
import type { EngineScenario } from "../../test/engine/scenario";
import { VENDOR_CHARTS } from "../../test/helpers/vendor-charts";
import { sleep } from "../../lib/async";

/** The engine stack's pool: in 127.0.0.0/8, so an address MetalLB hands out is reachable on loopback. */
export const ENGINE_POOL = "127.0.0.240-127.0.0.250";
const NAMESPACE = "metallb-system";
const POOLS = `/apis/metallb.io/v1beta1/namespaces/${NAMESPACE}/ipaddresspools`;

/** The real chart. */
export const METALLB_CHART = path.join(VENDOR_CHARTS, "metallb-0.16.1.tgz");

async function until<T>(what: string, fn: () => Promise<T | undefined>, seconds = 60): Promise<T> {
    for (let i = 0; i < seconds; i++) {
        const v = await fn();
        if (v !== undefined) return v;
        await sleep(1000);
    }
    throw new Error(`${what}: not within ${seconds} s`);
}

const addresses = (svc: KubeObject | undefined) =>
    ((svc?.status?.loadBalancer as { ingress?: { ip: string }[] } | undefined)?.ingress ?? []).map((i) => i.ip);

function inBlocks(ip: string, blocks: AddressBlock[]): boolean {
    const n = ipNumber(ip);
    return n !== undefined && blocks.some((b) => b.family === n.family && b.first <= n.value && n.value <= b.last);
}

/** Every LoadBalancer Service's addresses lie in the configured pools (MetalLB's assignment, nothing else's). */
async function addressesOnlyFromPools(s: EngineScenario): Promise<void> {
    const blocks = (await s.sim.client.list(POOLS))
        .flatMap((p) => (p.spec?.addresses ?? []) as string[])
        .map(parseAddressBlock)
        .filter((b): b is AddressBlock => !("error" in b));
    const services = (await s.sim.client.list("/api/v1/services")).filter((o) => o.spec?.type === "LoadBalancer");
    const outside = services.flatMap((svc) =>
        addresses(svc)
            .filter((ip) => !inBlocks(ip, blocks))
            .map((ip) => `${svc.metadata.namespace}/${svc.metadata.name}: ${ip}`),
    );
    if (outside.length > 0) throw new Error(`LoadBalancer addresses outside the pools: ${outside.join(", ")}`);
}

/** A pool MetalLB's webhook refuses is refused (by that webhook, answering on loopback). */
async function poolRefused(s: EngineScenario, name: string, addresses: string[], reason: RegExp): Promise<void> {
    const pool = { apiVersion: "metallb.io/v1beta1", kind: "IPAddressPool", metadata: { name }, spec: { addresses } };
    const res = await s.sim.client.request("POST", POOLS, pool);
    const message = (res.body as { message?: string } | undefined)?.message ?? "";
    if (res.status < 400) await s.sim.client.delete(`${POOLS}/${name}`);
    const byWebhook = message.includes('admission webhook "ipaddresspoolvalidationwebhook.metallb.io" denied');
    if (res.status < 400 || !byWebhook || !reason.test(message)) {
        throw new Error(
            `pool ${JSON.stringify(addresses)} was not refused by MetalLB's webhook: ${res.status} ${message}`,
        );
    }
}

async function check(s: EngineScenario): Promise<void> {
    s.view.refresh();
    for (const kind of ["IPAddressPool", "L2Advertisement"]) {
        if (!(await s.view.get("metallb.io/v1beta1", kind, "aihub", NAMESPACE))) {
            throw new Error(`${kind} ${NAMESPACE}/aihub is missing`);
        }
    }
    const out = JSON.parse((await s.pulumiOk(["stack", "output", "--json"])).stdout) as Record<string, unknown>;
    if (JSON.stringify(out.metallbAddresses) !== JSON.stringify([ENGINE_POOL])) {
        throw new Error(`output metallbAddresses is ${JSON.stringify(out.metallbAddresses)}, not [${ENGINE_POOL}]`);
    }
    await addressesOnlyFromPools(s);
    const svcPath = "/api/v1/namespaces/default/services";
    await s.sim.client.create(svcPath, {
        apiVersion: "v1",
        kind: "Service",
        metadata: { name: "metallb-probe" },
        spec: { type: "LoadBalancer", selector: { app: "none" }, ports: [{ port: 80 }] },
    });
    try {
        const ip = await until(
            "a pool address for LoadBalancer Service default/metallb-probe",
            async () => addresses(await s.sim.client.get(`${svcPath}/metallb-probe`))[0],
        );
        // Other add-ons' Services (the Gateway's, AIStore's) may hold pool addresses already: the probe gets a free one.
        const taken = (await s.sim.client.list("/api/v1/services"))
            .filter((o) => o.metadata.name !== "metallb-probe")
            .flatMap(addresses);
        const last = Number(ip.split(".")[3]);
        if (!ip.startsWith("127.0.0.") || last < 240 || last > 250 || taken.includes(ip)) {
            throw new Error(
                `default/metallb-probe got ${ip}, not a free address of ${ENGINE_POOL} (taken: ${taken.join(", ")})`,
            );
        }
        await addressesOnlyFromPools(s);
    } finally {
        await s.sim.client.delete(`${svcPath}/metallb-probe`);
    }
    await poolRefused(s, "overlapping", ["127.0.0.248/29"], /overlap/i);
    await poolRefused(s, "invalid", ["127.0.0.0/33"], /invalid/i);
    // The pool's webhook is probed by the component's admission wait until it answers (component.ts).
    await webhooksAnsweredOnLoopback(s, ["metallb-webhook-configuration"], {
        retried: ["ipaddresspoolvalidationwebhook.metallb.io"],
    });
}

export const fixture: AddOnEngineFixture = {
    packageCharts: () => ({ metallb: METALLB_CHART }),
    section: (stage) => ({ chart: stage.charts.metallb, addresses: [ENGINE_POOL] }),
    releases: [`${NAMESPACE}/metallb`],
    check,
};
