/**
 * Stands in for MetalLB's controller: it writes the webhook certificate into `metallb-webhook-cert` (what the real
 * controller's cert rotator does before its webhook serves) and, once IPAddressPools exist, gives every
 * LoadBalancer Service an address from them (the annotation `metallb.io/loadBalancerIPs` first, else the lowest free
 * address). Without pools it does nothing, and the generic stand-in's 127.0.0.1 stays. No ARP, NDP or BGP: an
 * address is reachable here only when it is a loopback one (e.g. a pool in 127.0.0.0/8).
 */
import { ipNumber, ipText, parseAddressBlock, type AddressBlock } from "../../lib/ip-blocks";
import type { ApiClient, KubeObject } from "../../lib/kube-api";
import type { Log } from "./log";

const POOLS = "/apis/metallb.io/v1beta1/ipaddresspools";
const WEBHOOK_SECRET = "metallb-webhook-cert";

const addressOf = (svc: KubeObject): string | undefined =>
    (svc.status?.loadBalancer as { ingress?: { ip?: string }[] } | undefined)?.ingress?.[0]?.ip;

/** One text form per address, so that `fd00::1` and `fd00:0:…:1` are the same. */
function normal(ip: string): string {
    const n = ipNumber(ip);
    return n ? ipText(n.family, n.value) : ip;
}

function inBlocks(ip: string | undefined, blocks: AddressBlock[]): boolean {
    const n = ip === undefined ? undefined : ipNumber(ip);
    return n !== undefined && blocks.some((b) => b.family === n.family && b.first <= n.value && n.value <= b.last);
}

/** The lowest address of the blocks that `used` does not hold. */
function freeAddress(blocks: AddressBlock[], used: Set<string>): string | undefined {
    for (const b of blocks) {
        for (let v = b.first; v <= b.last; v++) {
            const ip = ipText(b.family, v);
            if (!used.has(ip)) return ip;
        }
    }
    return undefined;
}

/** The webhook certificate the controller would issue itself. */
async function webhookCertificates(client: ApiClient, log: Log): Promise<void> {
    for (const s of await client.list("/api/v1/secrets?fieldSelector=metadata.name%3D" + WEBHOOK_SECRET)) {
        if ((s.data as Record<string, string> | undefined)?.["ca.crt"] || s.metadata.deletionTimestamp) continue;
        const fake = Buffer.from("sim: not a certificate").toString("base64");
        const path = `/api/v1/namespaces/${s.metadata.namespace}/secrets/${WEBHOOK_SECRET}`;
        await client.mergePatch(path, { data: { "ca.crt": fake, "tls.crt": fake, "tls.key": fake } });
        log(`secret ${s.metadata.namespace}/${WEBHOOK_SECRET}: webhook certificate written`);
    }
}

/** MetalLB's part of a reconcile pass. */
export async function reconcileMetalLb(client: ApiClient, log: Log): Promise<void> {
    await webhookCertificates(client, log);
    const pools = (await client.list(POOLS)).filter((p) => !p.metadata.deletionTimestamp);
    const blocks = pools
        .flatMap((p) => ((p.spec?.addresses ?? []) as string[]).map(parseAddressBlock))
        .filter((b): b is AddressBlock => !("error" in b));
    if (blocks.length === 0) return;
    const services = (await client.list("/api/v1/services")).filter(
        (s) => s.spec?.type === "LoadBalancer" && !s.metadata.deletionTimestamp,
    );
    const used = new Set(
        services
            .map(addressOf)
            .filter((ip) => inBlocks(ip, blocks))
            .map((ip) => normal(ip!)),
    );
    for (const svc of services) {
        if (inBlocks(addressOf(svc), blocks)) continue;
        const wanted = svc.metadata.annotations?.["metallb.io/loadBalancerIPs"]?.split(",")[0]?.trim();
        const ip = wanted && inBlocks(wanted, blocks) && !used.has(normal(wanted)) ? wanted : freeAddress(blocks, used);
        if (!ip) continue;
        used.add(normal(ip));
        const path = `/api/v1/namespaces/${svc.metadata.namespace}/services/${svc.metadata.name}/status`;
        await client.mergePatch(path, { status: { loadBalancer: { ingress: [{ ip }] } } });
        log(`service ${svc.metadata.namespace}/${svc.metadata.name}: ${ip} (MetalLB pool)`);
    }
}
