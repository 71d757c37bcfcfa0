/** Stacks for measuring and testing `npm run plan`: the reference stack scaled to many workers. */
import * as fs from "node:fs";
import * as path from "node:path";
import { parse, stringify } from "yaml";

/**
 * Writes a project directory `dir` holding `Pulumi.<name>.yaml`: the reference stack (`Pulumi.airgap.yaml` of
 * `projectDir`) with `nodes` workers, each with a mon disk and `osdsPerNode` OSD disks of 256Gi, and the values files.
 */
export function writeScaledStack(projectDir: string, dir: string, name: string, nodes: number, osdsPerNode: number) {
    const doc = parse(fs.readFileSync(path.join(projectDir, "Pulumi.airgap.yaml"), "utf8"));
    const ceph = doc.config["aihub-airgap:ceph"] as { nodes: unknown[] };
    ceph.nodes = Array.from({ length: nodes }, (_, i) => ({
        hostname: `worker${i + 1}`,
        monDisk: { path: "/dev/nvme1n1", size: "10Gi" },
        osdDisks: Array.from({ length: osdsPerNode }, (_, d) => ({ path: `/dev/nvme${d + 2}n1`, size: "256Gi" })),
    }));
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, `Pulumi.${name}.yaml`), stringify(doc));
    fs.copyFileSync(path.join(projectDir, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
    fs.cpSync(path.join(projectDir, "values"), path.join(dir, "values"), { recursive: true });
}
