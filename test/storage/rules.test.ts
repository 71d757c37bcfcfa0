/* eslint-disable @typescript-eslint/no-explicit-any -- tests edit raw stack values */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { checkStorageRules } from "../../config/rules-storage";
import { stackValues } from "../harness";
import { stackConfig, validate } from "./helpers";

/** Error paths of the airgap stack after an edit. */
function errorPaths(edit: (v: any) => void, stack = "airgap"): string[] {
    const values = stackValues(stack) as any;
    edit(values);
    return validate(values).errors.map((e) => e.path);
}

describe("bad disk maps fail validation with the key path (config/rules.ts)", () => {
    it("even mon count", () => {
        assert.deepEqual(
            errorPaths((v) => (v.ceph.monCount = 2)),
            ["ceph.monCount"],
        );
    });
    it("the same disk twice on one node", () => {
        assert.deepEqual(
            errorPaths((v) => v.ceph.nodes[1].osdDisks.push({ path: "/dev/nvme1n1", size: "100Gi" })),
            ["ceph.nodes[1].osdDisks[1].path"],
        );
    });
    it("the same hostname twice", () => {
        assert.deepEqual(
            errorPaths((v) => (v.ceph.nodes[2].hostname = "worker1")),
            // Its disks then repeat worker1's too (disks are compared on the raw input, before the node rules).
            ["ceph.nodes[2].monDisk.path", "ceph.nodes[2].osdDisks[0].path", "ceph.nodes[2].hostname"],
        );
    });
    it("more mons than nodes with a mon disk", () => {
        assert.deepEqual(
            errorPaths((v) => {
                v.ceph.monCount = 3;
                delete v.ceph.nodes[2].monDisk;
            }),
            ["ceph.monCount"],
        );
    });
    it("replica size above the hosts with OSD disks", () => {
        assert.deepEqual(
            errorPaths((v) => (v.ceph.nodes[2].osdDisks = [])),
            ["ceph.replicas"],
        );
    });
    it("Rook 1.20 without the CSI drivers chart", () => {
        assert.deepEqual(
            errorPaths((v) => delete v.rook.csiDriversChart),
            ["rook.csiDriversChart"],
        );
    });
    it("an OSD disk below 5Gi", () => {
        assert.deepEqual(
            errorPaths((v) => (v.ceph.nodes[0].osdDisks[0].size = "4Gi")),
            ["ceph.nodes[0].osdDisks[0].size"],
        );
    });
    it("more MDS pods than nodes", () => {
        assert.deepEqual(
            errorPaths((v) => (v.ceph.filesystem.activeMds = 2)),
            ["ceph.filesystem.activeMds"],
        );
    });
    it("size 1 without requireSafeReplicaSize: false", () => {
        assert.deepEqual(
            errorPaths((v) => (v.ceph.requireSafeReplicaSize = true), "lab"),
            ["ceph.replicas"],
        );
    });
});

describe("storage naming rules (config/rules-storage.ts)", () => {
    it("the committed stacks pass", () => {
        assert.deepEqual(checkStorageRules(stackConfig("airgap")), []);
        assert.deepEqual(checkStorageRules(stackConfig("lab")), []);
    });
    /** The errors validation reports for an edited airgap stack (these rules run inside validateConfig). */
    const errorsFor = (edit: (v: Record<string, any>) => void) => {
        const values = stackValues("airgap");
        edit(values);
        return validate(values).errors;
    };
    it("a Rook version without catalog images", () => {
        const errors = errorsFor((v) => {
            v.rook.version = "v1.20.5";
            v.rook.chart = "./bundle/charts/rook-ceph-v1.20.5.tgz";
        });
        assert.deepEqual(
            errors.map((p) => p.path),
            ["rook.version"],
        );
        assert.match(errors[0].text, /^v1\.20\.5 has no image list in catalog\/rook\.ts/);
    });
    it("the block class named like the CephFS class or the local class", () => {
        assert.deepEqual(
            errorsFor((v) => (v.ceph.blockStorageClass = "rook-cephfs")).map((p) => p.path),
            ["ceph.blockStorageClass"],
        );
        assert.deepEqual(
            errorsFor((v) => (v.ceph.storageClass = "local-storage")).map((p) => p.path),
            ["ceph.storageClass"],
        );
    });
    it("two device paths that give the same local PV name", () => {
        const errors = errorsFor((v) =>
            v.ceph.nodes[0].osdDisks.push(
                { path: "/dev/disk/by-id/nvme_a", size: "100Gi" },
                { path: "/dev/disk/by-id/nvme-a", size: "100Gi" },
            ),
        );
        assert.deepEqual(errors, [
            {
                path: "ceph.nodes[0].osdDisks[2].path",
                text: 'gives the local PV name "worker1-osd-disk-by-id-nvme-a", which worker1:/dev/disk/by-id/nvme_a already has (use /dev/disk/by-id paths that differ in letters or digits)',
            },
        ]);
    });
});
