/**
 * The disk preflight's parsing and rules on real-shaped tool output (util-linux 2.38 `lsblk -J -b`, `blkid -p -o
 * export`, /proc/1/mountinfo), and the check script run against the same output (stub lsblk/blkid on PATH) reporting
 * exactly the lines the TypeScript rules report.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, it } from "node:test";
import type { NodeDisk } from "../../config/disks";
import {
    checkScript,
    diskProblems,
    diskWarnings,
    flatten,
    formatBytes,
    mountsOf,
    parseBlkid,
    parseLsblk,
    type DeviceReport,
} from "../../modules/ceph/preflight";

const GIB = 2 ** 30;

/** `lsblk -J -b -o NAME,PATH,MAJ:MIN,SIZE,TYPE,FSTYPE,PTTYPE,MOUNTPOINT /dev/nvme2n1` of an empty disk. */
const EMPTY = `{
   "blockdevices": [
      {
         "name": "nvme2n1",
         "path": "/dev/nvme2n1",
         "maj:min": "259:2",
         "size": 274877906944,
         "type": "disk",
         "fstype": null,
         "pttype": null,
         "mountpoint": null
      }
   ]
}`;

/** A used disk: GPT, two partitions, the second mounted. */
const PARTITIONED = `{
   "blockdevices": [
      {
         "name": "sdb",
         "path": "/dev/sdb",
         "maj:min": "8:16",
         "size": 10737418240,
         "type": "disk",
         "fstype": null,
         "pttype": "gpt",
         "mountpoint": null,
         "children": [
            {
               "name": "sdb1",
               "path": "/dev/sdb1",
               "maj:min": "8:17",
               "size": 1073741824,
               "type": "part",
               "fstype": "vfat",
               "pttype": "gpt",
               "mountpoint": null
            },{
               "name": "sdb2",
               "path": "/dev/sdb2",
               "maj:min": "8:18",
               "size": 9662627840,
               "type": "part",
               "fstype": "ext4",
               "pttype": "gpt",
               "mountpoint": "/data"
            }
         ]
      }
   ]
}`;

/** What lsblk prints (stdout) for a path that is not a block device; it also says so on stderr and exits 32. */
const MISSING = `{
   "blockdevices": [

   ]
}`;

const MOUNTINFO = [
    "22 27 0:21 / /proc rw,relatime - proc proc rw",
    "27 1 254:0 / / rw,relatime - ext4 /dev/vda rw",
    "61 27 8:18 / /data rw,relatime - ext4 /dev/sdb2 rw",
].join("\n");

const osd: NodeDisk = { key: "ceph.nodes[1].osdDisks[0]", hostname: "worker2", role: "osd", path: "", size: "" };
const mon: NodeDisk = { key: "ceph.nodes[0].monDisk", hostname: "worker1", role: "mon", path: "", size: "" };

function report(lsblk: string, blkid: string): DeviceReport {
    const tree = parseLsblk(lsblk);
    return {
        tree,
        blkid: parseBlkid(blkid),
        mounts: tree
            ? mountsOf(
                  MOUNTINFO,
                  flatten(tree).map((d) => d["maj:min"]),
              )
            : [],
    };
}

describe("disk preflight: parsing", () => {
    it("lsblk -J -b: the device with its children; no device for a path that is not a block device", () => {
        const t = parseLsblk(PARTITIONED)!;
        assert.equal(t.size, 10 * GIB);
        assert.deepEqual(
            flatten(t).map((d) => [d.name, d["maj:min"]]),
            [
                ["sdb", "8:16"],
                ["sdb1", "8:17"],
                ["sdb2", "8:18"],
            ],
        );
        assert.equal(parseLsblk(MISSING), undefined);
    });

    it("old lsblk printed sizes as strings: still numbers", () => {
        assert.equal(parseLsblk(EMPTY.replace("274877906944", '"274877906944"'))!.size, 256 * GIB);
    });

    it("blkid -p -o export: filesystem and partition-table fields; nothing for an empty disk", () => {
        const ext4 =
            "DEVNAME=/dev/loop0\nUUID=ff521b3e-ed32-487a-a67c-5c041ced1efe\nVERSION=1.0\nBLOCK_SIZE=1024\nTYPE=ext4\nUSAGE=filesystem\n";
        assert.equal(parseBlkid(ext4).TYPE, "ext4");
        assert.deepEqual(parseBlkid("DEVNAME=/dev/loop1\nPTUUID=1234abcd\nPTTYPE=dos\n"), {
            DEVNAME: "/dev/loop1",
            PTUUID: "1234abcd",
            PTTYPE: "dos",
        });
        assert.deepEqual(parseBlkid(""), {});
    });

    it("host mounts by major:minor from mountinfo", () => {
        assert.deepEqual(mountsOf(MOUNTINFO, ["8:16", "8:17", "8:18"]), ["/data"]);
        assert.deepEqual(mountsOf(MOUNTINFO, ["259:2"]), []);
    });

    it("sizes print in binary units", () => {
        assert.equal(formatBytes(10 * GIB), "10Gi");
        assert.equal(formatBytes(9_999_220_736), "9.3Gi");
    });
});

describe("disk preflight: rules", () => {
    it("an empty disk of the declared size passes", () => {
        assert.deepEqual(diskProblems({ ...osd, path: "/dev/nvme2n1", size: "256Gi" }, report(EMPTY, "")), []);
    });

    it("a missing device names the node, the device and the path key", () => {
        assert.deepEqual(diskProblems({ ...mon, path: "/dev/nvme9n1", size: "10Gi" }, report(MISSING, "")), [
            "aihub-airgap:ceph.nodes[0].monDisk.path: /dev/nvme9n1 on node worker1 does not exist " +
                "(fix the path; use the stable /dev/disk/by-id/... name of the disk)",
        ]);
    });

    it("a used OSD disk: too small, mounted, partition table, partitions — one line each", () => {
        const lines = diskProblems(
            { ...osd, path: "/dev/sdb", size: "20Gi" },
            report(PARTITIONED, "DEVNAME=/dev/sdb\nPTUUID=5b1f\nPTTYPE=gpt\n"),
        );
        assert.equal(lines.length, 4);
        assert.match(
            lines[0],
            /^aihub-airgap:ceph.nodes\[1\].osdDisks\[0\].size: \/dev\/sdb on node worker2 is 10Gi, less than the declared 20Gi/,
        );
        assert.match(lines[1], /osdDisks\[0\].path: \/dev\/sdb on node worker2 is mounted at \/data \(unmount/);
        assert.match(lines[2], /carries PTTYPE=gpt; an OSD disk must be empty \(.*wipefs -a/);
        assert.match(lines[3], /has partitions or holders: sdb1 sdb2/);
    });

    it("a mounted, partitioned mon disk: mounted, partition table, partitions — one line each", () => {
        const disk = { ...mon, path: "/dev/sdb", size: "10Gi" };
        const lines = diskProblems(disk, report(PARTITIONED, "PTTYPE=gpt\n"));
        assert.equal(lines.length, 3);
        assert.match(lines[0], /monDisk.path: \/dev\/sdb on node worker1 is mounted at \/data/);
        assert.match(lines[1], /monDisk.path: \/dev\/sdb on node worker1 carries PTTYPE=gpt; a mon disk must be blank/);
        assert.match(lines[2], /has partitions or holders: sdb1 sdb2/);
    });

    it("a mon disk with a partition table or a non-filesystem signature is refused (the kubelet will not format it)", () => {
        const disk = { ...mon, path: "/dev/nvme2n1", size: "10Gi" };
        for (const [blkid, sig] of [
            ["PTUUID=5b1f\nPTTYPE=gpt\n", "PTTYPE=gpt"],
            ["PTTYPE=dos\n", "PTTYPE=dos"],
            ["UUID=Xq1\nVERSION=LVM2 001\nTYPE=LVM2_member\nUSAGE=raid\n", "TYPE=LVM2_member"],
            ["UUID=5a3e\nTYPE=ceph_bluestore\nUSAGE=other\n", "TYPE=ceph_bluestore"],
            ["UUID=77f1\nTYPE=xfs\nUSAGE=filesystem\n", "TYPE=xfs"],
        ]) {
            const lines = diskProblems(disk, report(EMPTY, blkid));
            assert.equal(lines.length, 1, blkid);
            assert.equal(
                lines[0],
                `aihub-airgap:ceph.nodes[0].monDisk.path: /dev/nvme2n1 on node worker1 carries ${sig}; a mon disk must be ` +
                    "blank or carry an ext4 filesystem (the kubelet formats only a blank disk and mounts it as ext4; " +
                    "if its data is not needed, wipe it on the node: wipefs -a <device>; sgdisk --zap-all <device>)",
            );
            assert.deepEqual(diskWarnings(disk, report(EMPTY, blkid)), []);
        }
    });

    it("a mon disk with an ext4 filesystem passes with a warning (it may hold an old mon store); a blank one without", () => {
        const disk = { ...mon, path: "/dev/nvme2n1", size: "10Gi" };
        const ext4 = "UUID=ff52\nBLOCK_SIZE=4096\nTYPE=ext4\nUSAGE=filesystem\n";
        assert.deepEqual(diskProblems(disk, report(EMPTY, ext4)), []);
        const w = diskWarnings(disk, report(EMPTY, ext4));
        assert.equal(w.length, 1);
        assert.match(
            w[0],
            /^warning: aihub-airgap:ceph.nodes\[0\].monDisk.path: \/dev\/nvme2n1 on node worker1 carries a ext4 filesystem \(.*old mon store.*wipefs -a/,
        );
        assert.deepEqual(diskProblems(disk, report(EMPTY, "")), []);
        assert.deepEqual(diskWarnings(disk, report(EMPTY, "")), []);
        // OSD disks are not warned about: an ext4 signature there is a problem already.
        assert.deepEqual(diskWarnings({ ...osd, path: "/dev/nvme2n1", size: "10Gi" }, report(EMPTY, ext4)), []);
    });
});

/** Runs the check script with stub lsblk/blkid answering from the given output; returns its problem lines. */
function runScript(
    disk: NodeDisk,
    lsblkJson: string,
    blkid: string,
): { code: number; lines: string[]; warnings: string[] } {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "preflight-"));
    try {
        const tree = parseLsblk(lsblkJson);
        const flat = tree ? flatten(tree) : [];
        const write = (name: string, body: string) => {
            fs.writeFileSync(path.join(dir, name), `#!/bin/sh\n${body}`, { mode: 0o755 });
        };
        fs.writeFileSync(path.join(dir, "lsblk.json"), lsblkJson);
        fs.writeFileSync(path.join(dir, "blkid.out"), blkid);
        fs.writeFileSync(path.join(dir, "size"), tree ? `${String(tree.size).padStart(14)}\n` : "");
        fs.writeFileSync(path.join(dir, "majmin"), flat.map((d) => `${d["maj:min"]}\n`).join(""));
        fs.writeFileSync(path.join(dir, "names"), flat.map((d) => `${d.name}\n`).join(""));
        write(
            "lsblk",
            `case "$*" in\n` +
                `*-J*) cat ${dir}/lsblk.json ;;\n*SIZE*) cat ${dir}/size ;;\n` +
                `*MAJ:MIN\\ *) cat ${dir}/majmin ;;\n*NAME\\ *) cat ${dir}/names ;;\nesac\n` +
                (tree ? "" : "exit 32\n"),
        );
        write("blkid", `cat ${dir}/blkid.out; [ -s ${dir}/blkid.out ] || exit 2\n`);
        fs.writeFileSync(path.join(dir, "mountinfo"), MOUNTINFO);
        const env = {
            PATH: `${dir}:${process.env.PATH}`,
            MOUNTINFO: path.join(dir, "mountinfo"),
            TERMLOG: path.join(dir, "termlog"),
        };
        const run = spawnSync("sh", ["-c", checkScript(disk)], { env, encoding: "utf8" });
        const code = run.status ?? -1;
        const lines = fs.readFileSync(env.TERMLOG, "utf8").split("\n").filter(Boolean);
        const warnings = run.stderr.split("\n").filter((l) => l.startsWith("warning: "));
        return { code, lines, warnings };
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

describe("disk preflight: the check script reports what the rules report", () => {
    const cases: [string, NodeDisk, string, string][] = [
        ["empty OSD disk", { ...osd, path: "/dev/nvme2n1", size: "256Gi" }, EMPTY, ""],
        ["missing mon disk", { ...mon, path: "/dev/nvme9n1", size: "10Gi" }, MISSING, ""],
        ["used OSD disk", { ...osd, path: "/dev/sdb", size: "20Gi" }, PARTITIONED, "PTUUID=5b1f\nPTTYPE=gpt\n"],
        [
            "ext4 OSD disk, 9.3Gi",
            { ...osd, path: "/dev/nvme2n1", size: "10Gi" },
            EMPTY.replace("274877906944", "9999220736"),
            "UUID=ff52\nTYPE=ext4\nUSAGE=filesystem\n",
        ],
        ["mounted mon disk", { ...mon, path: "/dev/sdb", size: "10Gi" }, PARTITIONED, "PTTYPE=gpt\n"],
        ["gpt mon disk", { ...mon, path: "/dev/nvme2n1", size: "10Gi" }, EMPTY, "PTUUID=5b1f\nPTTYPE=gpt\n"],
        [
            "LVM2_member mon disk",
            { ...mon, path: "/dev/nvme2n1", size: "10Gi" },
            EMPTY,
            "UUID=Xq1\nVERSION=LVM2 001\nTYPE=LVM2_member\nUSAGE=raid\n",
        ],
        [
            "ceph_bluestore mon disk",
            { ...mon, path: "/dev/nvme2n1", size: "10Gi" },
            EMPTY,
            "UUID=5a3e\nTYPE=ceph_bluestore\nUSAGE=other\n",
        ],
        [
            "xfs mon disk",
            { ...mon, path: "/dev/nvme2n1", size: "10Gi" },
            EMPTY,
            "UUID=77f1\nTYPE=xfs\nUSAGE=filesystem\n",
        ],
        [
            "ext4 mon disk (warning only)",
            { ...mon, path: "/dev/nvme2n1", size: "10Gi" },
            EMPTY,
            "UUID=ff52\nTYPE=ext4\nUSAGE=filesystem\n",
        ],
        ["blank mon disk", { ...mon, path: "/dev/nvme2n1", size: "10Gi" }, EMPTY, ""],
    ];
    for (const [name, disk, lsblk, blkid] of cases) {
        it(name, () => {
            const expected = diskProblems(disk, report(lsblk, blkid));
            const got = runScript(disk, lsblk, blkid);
            assert.deepEqual(got.lines, expected);
            assert.equal(got.code, expected.length > 0 ? 1 : 0);
            assert.deepEqual(got.warnings, diskWarnings(disk, report(lsblk, blkid)));
        });
    }
});
