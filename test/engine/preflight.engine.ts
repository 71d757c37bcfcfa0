/**
 * The disk preflight under the real engine (`lab` stack, one worker, on the real rook-ceph v1.9.8 chart: its CRDs, a
 * Ceph 17 image, no CSI drivers release): used disks stop `pulumi up` before the
 * CephCluster exists, with one line per problem naming key, node and device; once the disks are fixed the failed
 * checks run again and `up` goes through; after that the checks are not run again, so disks that now carry Ceph's
 * data do not fail later runs.
 */
import assert from "node:assert/strict";
import { after, before, describe } from "node:test";
import { SIM_DISKS_ANNOTATION, type FakeDisk } from "../../testing/sim/preflight";
import { EngineScenario } from "./scenario";
import { figure, requireEngine, step } from "./steps";

let s: EngineScenario;

before(async () => {
    requireEngine();
    s = await EngineScenario.start({
        base: "lab",
        rookVersion: "v1.9.8",
        // Rook v1.9 runs Ceph 15 to 17 (Rook's pkg/operator/ceph/version/version.go at v1.9.8).
        adjust: (plain) => {
            plain.ceph = { ...plain.ceph, image: "quay.io/ceph/ceph:v17.2.6" };
        },
    });
});

after(async () => {
    await s?.stop();
});

const GIB = 2 ** 30;

/** Sets the fake disks of the lab's worker (see testing/sim/preflight.ts); null removes them (every disk clean). */
async function fakeDisks(disks: Record<string, FakeDisk> | null): Promise<void> {
    const value = disks === null ? null : JSON.stringify(disks);
    await s.sim.client.mergePatch("/api/v1/nodes/lab1", {
        metadata: { annotations: { [SIM_DISKS_ANNOTATION]: value } },
    });
}

const disk = (name: string, size: number) => ({
    name,
    "maj:min": "252:16",
    size,
    type: "disk",
    fstype: null,
    pttype: null,
    mountpoint: null,
});

async function cephClusters(): Promise<number> {
    return (await s.sim.client.list("/apis/ceph.rook.io/v1/cephclusters")).length;
}

describe("disk preflight under the real engine", () => {
    step("used disks: up fails with one line per problem and creates no CephCluster", async () => {
        await fakeDisks({
            "/dev/vdb": { lsblk: disk("vdb", 8 * GIB) },
            "/dev/vdc": { lsblk: disk("vdc", 50 * GIB), blkid: { PTTYPE: "gpt" } },
        });
        const r = await s.pulumi(["up", "--yes", "--skip-preview"]);
        figure("lab up stopped by the disk preflight", r.seconds);
        const out = r.stdout + r.stderr;
        assert.notEqual(r.code, 0, out);
        assert.match(
            out,
            /aihub-airgap:ceph\.nodes\[0\]\.monDisk\.size: \/dev\/vdb on node lab1 is 8Gi, less than the declared 10Gi/,
        );
        assert.match(
            out,
            /aihub-airgap:ceph\.nodes\[0\]\.osdDisks\[0\]\.path: \/dev\/vdc on node lab1 carries PTTYPE=gpt; an OSD disk must be empty/,
        );
        assert.equal(await cephClusters(), 0);
    });

    step("fixed disks: the failed checks run again and up creates the CephCluster", async () => {
        await fakeDisks(null);
        const r = await s.pulumiOk(["up", "--yes", "--skip-preview"]);
        figure("lab up after the disks were fixed", r.seconds);
        assert.match(r.stdout, /replaced/);
        assert.equal(await cephClusters(), 1);
    });

    step("disks now owned by Ceph: no change previewed, the checks are not run again", async () => {
        await fakeDisks({
            "/dev/vdb": { lsblk: disk("vdb", 10 * GIB), blkid: { TYPE: "ext4" }, mounts: ["/var/lib/kubelet/x"] },
            "/dev/vdc": { lsblk: disk("vdc", 50 * GIB), blkid: { TYPE: "ceph_bluestore" } },
        });
        await s.pulumiOk(["preview", "--expect-no-changes", "--diff"]);
        await s.pulumiOk(["up", "--yes", "--skip-preview"]);
        const jobs = await s.sim.client.list("/apis/batch/v1/namespaces/rook-ceph/jobs");
        assert.deepEqual(
            jobs.map((j) => [j.metadata.name, j.status?.succeeded]),
            [
                ["disk-preflight-lab1-mon-vdb", 1],
                ["disk-preflight-lab1-osd-vdc", 1],
            ],
        );
    });
});
