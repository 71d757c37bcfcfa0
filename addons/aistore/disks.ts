/** The mountpath disks of `addons.aistore.nodes`, flattened in config order, and their local PV names. */
import { localPvName } from "../../catalog/rook-names";
import type { AistoreConfig } from "./schema";

/** One declared disk with the config key that names it. */
export interface AistoreDisk {
    /** Config key of the disk, e.g. `addons.aistore.nodes[1].disks[0]`. */
    key: string;
    hostname: string;
    /** Index of the mountpath the disk serves on its node. */
    mount: number;
    path: string;
    size: string;
}

/** Every disk of every node. */
export function aistoreDisks(s: Pick<AistoreConfig, "nodes">): AistoreDisk[] {
    return (s.nodes ?? []).flatMap((n, i) =>
        n.disks.map((d, j) => ({
            key: `addons.aistore.nodes[${i}].disks[${j}]`,
            hostname: n.hostname,
            mount: j,
            ...d,
        })),
    );
}

/** Local PV name of a disk: `worker1-ais-nvme3n1`. */
export function aistorePvName(d: Pick<AistoreDisk, "hostname" | "path">): string {
    return localPvName(d.hostname, "ais", d.path);
}
