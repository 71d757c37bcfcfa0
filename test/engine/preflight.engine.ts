/**
 * The disk preflight under the real engine (`lab` stack, one worker, on the real rook-ceph v1.9.8 chart: its CRDs, a
 * Ceph 17 image, no CSI drivers release): used disks stop `pulumi up` before the
 * CephCluster exists, with one line per problem naming key, node and device; once the disks are fixed the failed
 * checks run again and `up` goes through; after that the checks are not run again, so disks that now carry Ceph's
 * data do not fail later runs.
 */
import assert from "node:assert/strict";
import { after, before, describe } from "node:test";
import { captureDisks, SIM_DISKS_ANNOTATION, type DiskKind } from "../../testing/sim/disks";
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
    blank = (await s.sim.client.get("/api/v1/nodes/lab1"))!.metadata.annotations![SIM_DISKS_ANNOTATION];
});

after(async () => {
    await s?.stop();
});

/** The node's disk records as the scenario made them: real blank devices of every declared size. */
let blank: string;

/** Records real devices for the lab's worker (testing/sim/disks.ts); null restores the blank ones. */
async function disks(kinds: { vdb: DiskKind; vdbSize: string; vdc: DiskKind } | null): Promise<void> {
    let value = blank;
    if (kinds) {
        const [vdb, vdc] = captureDisks([
            { kind: kinds.vdb, size: kinds.vdbSize },
            { kind: kinds.vdc, size: "50Gi" },
        ]);
        value = JSON.stringify({ "/dev/vdb": vdb, "/dev/vdc": vdc });
    }
    await s.sim.client.mergePatch("/api/v1/nodes/lab1", {
        metadata: { annotations: { [SIM_DISKS_ANNOTATION]: value } },
    });
}

async function cephClusters(): Promise<number> {
    return (await s.sim.client.list("/apis/ceph.rook.io/v1/cephclusters")).length;
}

describe("disk preflight under the real engine", () => {
    step("used disks: up fails with one line per problem and creates no CephCluster", async () => {
        // Real devices: a blank 8Gi mon disk (10Gi declared), an OSD disk with a GPT partition table.
        await disks({ vdb: "blank", vdbSize: "8Gi", vdc: "gpt" });
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
        await disks(null);
        const r = await s.pulumiOk(["up", "--yes", "--skip-preview"]);
        figure("lab up after the disks were fixed", r.seconds);
        assert.match(r.stdout, /replaced/);
        assert.equal(await cephClusters(), 1);
    });

    step("disks now owned by Ceph: no change previewed, the checks are not run again", async () => {
        // What the disks look like once in use: the mon's ext4 mounted, a filesystem on the OSD disk.
        await disks({ vdb: "mounted", vdbSize: "10Gi", vdc: "ext4" });
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
