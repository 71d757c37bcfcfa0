/** The sim's fake Nodes: one per Ceph host of the stack plus a control-plane node, all driven by kwok. */
import type { ApiClient, KubeObject } from "../../lib/kube-api";

/** The annotation kwok selects its nodes by (`--manage-nodes-with-annotation-selector`). */
export const KWOK_ANNOTATION = "kwok.x-k8s.io/node";
/** Its value. */
export const KWOK_ANNOTATION_VALUE = "fake";
/** The control-plane node's name. */
export const CONTROL_PLANE_NODE = "sim-control-plane";
/** What every fake node offers. */
export const NODE_RESOURCES = { cpu: "32", memory: "256Gi", pods: "110" };

/** A Node object for one fake node; `index` picks its InternalIP (10.88.0.<10+i>) and podCIDR (10.244.<i>.0/24). */
export function nodeObject(name: string, index: number, controlPlane = false): KubeObject {
    const labels: Record<string, string> = {
        "kubernetes.io/hostname": name,
        "kubernetes.io/os": "linux",
        "kubernetes.io/arch": "amd64",
    };
    if (controlPlane) labels["node-role.kubernetes.io/control-plane"] = "";
    return {
        apiVersion: "v1",
        kind: "Node",
        metadata: { name, labels, annotations: { [KWOK_ANNOTATION]: KWOK_ANNOTATION_VALUE } },
        spec: {
            podCIDR: `10.244.${index}.0/24`,
            podCIDRs: [`10.244.${index}.0/24`],
            ...(controlPlane
                ? { taints: [{ key: "node-role.kubernetes.io/control-plane", effect: "NoSchedule" }] }
                : {}),
        },
        status: {
            capacity: NODE_RESOURCES,
            allocatable: NODE_RESOURCES,
            addresses: [
                { type: "InternalIP", address: `10.88.0.${10 + index}` },
                { type: "Hostname", address: name },
            ],
        },
    };
}

/** The Node objects for the given worker hostnames: the control-plane node first (index 0), then the workers. */
export function nodeObjects(hostnames: string[]): KubeObject[] {
    const workers = [...new Set(hostnames)].filter((h) => h !== CONTROL_PLANE_NODE);
    return [nodeObject(CONTROL_PLANE_NODE, 0, true), ...workers.map((h, i) => nodeObject(h, i + 1))];
}

/** Creates the nodes (an existing one is left as it is). */
export async function createNodes(client: ApiClient, nodes: KubeObject[]): Promise<void> {
    for (const node of nodes) await client.create("/api/v1/nodes", node, true);
}

/** True when the node's Ready condition is True. */
export function isNodeReady(node: KubeObject): boolean {
    const conditions = (node.status?.conditions ?? []) as { type: string; status: string }[];
    return conditions.some((c) => c.type === "Ready" && c.status === "True");
}

/** Names of the given nodes that are not Ready yet (missing ones included). */
export async function nodesNotReady(client: ApiClient, names: string[]): Promise<string[]> {
    const ready = new Set((await client.list("/api/v1/nodes")).filter(isNodeReady).map((n) => n.metadata.name));
    return names.filter((n) => !ready.has(n));
}
