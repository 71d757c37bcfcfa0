/** MetalLB in the add-on engine test: the fixture chart, a pool on loopback (reachable here), and its checks. */
import * as path from "node:path";
import { packageFixture, SHARED_REF, type AddOnEngineFixture } from "../../test/engine/addon-fixture";
import type { EngineScenario } from "../../test/engine/scenario";
import { sleep } from "../../lib/async";

/** The engine stack's pool: in 127.0.0.0/8, so an address the stand-in hands out is reachable on loopback. */
export const ENGINE_POOL = "127.0.0.240-127.0.0.250";
const NAMESPACE = "metallb-system";
const CRDS = ["bgpadvertisements", "bgppeers", "ipaddresspools", "l2advertisements"].map((p) =>
    path.join(SHARED_REF, "metallb", `metallb.io_${p}-v0.16.1.yaml`),
);

async function until<T>(what: string, fn: () => Promise<T | undefined>, seconds = 60): Promise<T> {
    for (let i = 0; i < seconds; i++) {
        const v = await fn();
        if (v !== undefined) return v;
        await sleep(1000);
    }
    throw new Error(`${what}: not within ${seconds} s`);
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
    const svcPath = "/api/v1/namespaces/default/services";
    await s.sim.client.create(svcPath, {
        apiVersion: "v1",
        kind: "Service",
        metadata: { name: "metallb-probe" },
        spec: { type: "LoadBalancer", selector: { app: "none" }, ports: [{ port: 80 }] },
    });
    try {
        const ip = await until("a pool address for LoadBalancer Service default/metallb-probe", async () => {
            const svc = await s.sim.client.get(`${svcPath}/metallb-probe`);
            return (svc?.status?.loadBalancer as { ingress?: { ip: string }[] } | undefined)?.ingress?.[0]?.ip;
        });
        // Other add-ons' Services (the Gateway's, AIStore's) may hold pool addresses already: the probe gets a free one.
        const taken = (await s.sim.client.list("/api/v1/services"))
            .filter((o) => o.metadata.name !== "metallb-probe")
            .flatMap((o) => (o.status?.loadBalancer as { ingress?: { ip: string }[] } | undefined)?.ingress ?? [])
            .map((i) => i.ip);
        const last = Number(ip.split(".")[3]);
        if (!ip.startsWith("127.0.0.") || last < 240 || last > 250 || taken.includes(ip)) {
            throw new Error(
                `default/metallb-probe got ${ip}, not a free address of ${ENGINE_POOL} (taken: ${taken.join(", ")})`,
            );
        }
    } finally {
        await s.sim.client.delete(`${svcPath}/metallb-probe`);
    }
}

export const fixture: AddOnEngineFixture = {
    packageCharts: (dir) => ({ metallb: packageFixture(path.join(__dirname, "fixture", "metallb"), dir, CRDS) }),
    section: (stage) => ({ chart: stage.charts.metallb, addresses: [ENGINE_POOL] }),
    releases: [`${NAMESPACE}/metallb`],
    check,
};
