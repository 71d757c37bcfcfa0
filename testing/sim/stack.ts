/** What the sim takes from a stack: the Ceph hosts' names, which become its worker nodes. */
import { readStackFile } from "../../config/stackfile";

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
