/** The disks of the Ceph node map, flattened in config order: each node's mon disk, then its OSD disks. */
import type { CephConfig } from "./schema";

/** One declared disk with the config key that names it. */
export interface NodeDisk {
    /** Config key of the disk, e.g. `ceph.nodes[1].osdDisks[0]`. */
    key: string;
    hostname: string;
    role: "mon" | "osd";
    path: string;
    size: string;
}

/** Every disk of every node. */
export function cephDisks(ceph: Pick<CephConfig, "nodes">): NodeDisk[] {
    return ceph.nodes.flatMap((node, i) => [
        ...(node.monDisk
            ? [{ key: `ceph.nodes[${i}].monDisk`, hostname: node.hostname, role: "mon" as const, ...node.monDisk }]
            : []),
        ...node.osdDisks.map((d, j) => ({
            key: `ceph.nodes[${i}].osdDisks[${j}]`,
            hostname: node.hostname,
            role: "osd" as const,
            ...d,
        })),
    ]);
}
