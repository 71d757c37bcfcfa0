/** What the sim takes from a stack: the Ceph hosts' names, which become its worker nodes, and their disks. */
import { readStackFile } from "../../config/stackfile";
import type { DeclaredDisks } from "./disks";

/** `ceph.nodes[].hostname` of `Pulumi.<stack>.yaml` in `projectDir`, in order, without duplicates. */
export function stackHostnames(projectDir: string, stack: string): string[] {
    const sf = readStackFile(projectDir, stack);
    const ceph = sf.values.ceph as { nodes?: { hostname?: unknown }[] } | undefined;
    const nodes = Array.isArray(ceph?.nodes) ? ceph.nodes : [];
    const names = nodes.map((n, i) => {
        if (typeof n?.hostname !== "string" || !n.hostname) {
            throw new Error(`${sf.file}: ceph.nodes[${i}].hostname is missing`);
        }
        return n.hostname;
    });
    if (names.length === 0) throw new Error(`${sf.file}: ceph.nodes is empty; the sim needs at least one host`);
    return [...new Set(names)];
}

/** `ceph.nodes[]` of `Pulumi.<stack>.yaml` (hostname, monDisk, osdDisks), for the sim's recorded blank disks. */
export function stackDisks(projectDir: string, stack: string): DeclaredDisks[] {
    const ceph = readStackFile(projectDir, stack).values.ceph as { nodes?: DeclaredDisks[] } | undefined;
    return Array.isArray(ceph?.nodes) ? ceph.nodes : [];
}
