/**
 * The disk check's shell script (modules/ceph/preflight.ts `checkScript`, what the check container runs) against real
 * block devices made here (testing/sim/disks.ts `withLoopDisks`: loop devices, blank, with a GPT partition table, with
 * an ext4 filesystem, mounted, too small, and a path that does not exist), with the real lsblk, blkid and the
 * machine's mountinfo. Every expected line is written out here. Needs root (losetup, mount).
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { before, describe, it } from "node:test";
import type { NodeDisk } from "../../config/disks";
import { checkScript } from "../../modules/ceph/preflight";
import { withLoopDisks, type DiskKind } from "../../testing/sim/disks";

const root = process.getuid?.() === 0;
const skip = root ? false : "the disk check runs against real loop devices, which need root (losetup, mount)";

const GIB = 2 ** 30;
const osd = (p: string, size: string): NodeDisk => ({
    key: "ceph.nodes[1].osdDisks[0]",
    hostname: "worker2",
    role: "osd",
    path: p,
    size,
});
const mon = (p: string, size: string): NodeDisk => ({
    key: "ceph.nodes[0].monDisk",
    hostname: "worker1",
    role: "mon",
    path: p,
    size,
});

const WIPE = "if its data is not needed, wipe it on the node: wipefs -a <device>; sgdisk --zap-all <device>";
const KIDS = "if its data is not needed, remove them (wipefs -a, sgdisk --zap-all) on the node";

/** What one run of the script gave: exit code, termination log lines, warnings, and its report (stdout). */
interface Run {
    code: number;
    lines: string[];
    warnings: string[];
    stdout: string;
}

/** The devices of one test file, made once: each kind, its device path, and each script run on it. */
const WANTS: { name: string; kind: DiskKind; size: string }[] = [
    { name: "blank", kind: "blank", size: "1Gi" },
    { name: "small", kind: "blank", size: "64Mi" },
    { name: "gpt", kind: "gpt", size: "1Gi" },
    { name: "ext4", kind: "ext4", size: "256Mi" },
    { name: "mounted", kind: "mounted", size: "256Mi" },
    { name: "missing", kind: "missing", size: "1Gi" },
];

/** The runs to make: device name, role, declared size. */
const RUNS: [string, "mon" | "osd", string][] = [
    ["blank", "osd", "1Gi"],
    ["blank", "mon", "1Gi"],
    ["small", "mon", "10Gi"],
    ["gpt", "osd", "1Gi"],
    ["gpt", "mon", "1Gi"],
    ["ext4", "osd", "256Mi"],
    ["ext4", "mon", "256Mi"],
    ["mounted", "mon", "256Mi"],
    ["mounted", "osd", "256Mi"],
    ["missing", "mon", "10Gi"],
];

const results = new Map<string, { device: string; mountDir?: string; run: Run; disk: NodeDisk }>();
let workDir = "";

describe("disk check script on real block devices", { skip }, () => {
    before(() => {
        withLoopDisks(WANTS, (made, work) => {
            workDir = work;
            for (const [name, role, size] of RUNS) {
                const m = made[WANTS.findIndex((w) => w.name === name)];
                const disk = role === "mon" ? mon(m.device, size) : osd(m.device, size);
                const termlog = path.join(work, "termlog");
                const r = spawnSync("sh", ["-c", checkScript(disk)], {
                    env: { PATH: process.env.PATH, MOUNTINFO: "/proc/self/mountinfo", TERMLOG: termlog },
                    encoding: "utf8",
                });
                const run: Run = {
                    code: r.status ?? -1,
                    lines: fs.readFileSync(termlog, "utf8").split("\n").filter(Boolean),
                    warnings: r.stderr.split("\n").filter((l) => l.startsWith("warning: ")),
                    stdout: r.stdout,
                };
                results.set(`${name}/${role}`, { device: m.device, mountDir: m.mountDir, run, disk });
            }
        });
    });

    const get = (k: string) => results.get(k)!;
    const head = (d: NodeDisk, field = "path") => `aihub-airgap:${d.key}.${field}: ${d.path} on node ${d.hostname}`;

    it("a blank disk of the declared size passes, for both roles; the report is lsblk's JSON in bytes", () => {
        for (const role of ["osd", "mon"]) {
            const { run, device } = get(`blank/${role}`);
            assert.deepEqual([run.code, run.lines, run.warnings], [0, [], []], role);
            const json = JSON.parse(run.stdout.slice(0, run.stdout.lastIndexOf("}") + 1)) as {
                blockdevices: { path: string; size: unknown }[];
            };
            // `lsblk -J -b`: the size is a number of bytes (without -b it would be the string "1G").
            assert.deepEqual(
                json.blockdevices.map((d) => [d.path, d.size]),
                [[device, GIB]],
            );
        }
    });

    it("a disk smaller than declared: its real size in binary units (lsblk -b), and the fix", () => {
        const { run, disk } = get("small/mon");
        assert.equal(run.code, 1);
        assert.deepEqual(run.lines, [
            `${head(disk, "size")} is 64Mi, less than the declared 10Gi (use a larger disk, or lower the size to at most the real size)`,
        ]);
    });

    it("a disk with a GPT partition table and two partitions: refused for both roles, the partitions named", () => {
        const { run, disk, device } = get("gpt/osd");
        const kids = `${path.basename(device)}p1 ${path.basename(device)}p2`;
        assert.equal(run.code, 1);
        assert.deepEqual(run.lines, [
            `${head(disk)} carries PTTYPE=gpt; an OSD disk must be empty (${WIPE})`,
            `${head(disk)} has partitions or holders: ${kids} (${KIDS})`,
        ]);
        const m = get("gpt/mon");
        assert.deepEqual(m.run.lines, [
            `${head(m.disk)} carries PTTYPE=gpt; a mon disk must be blank or carry an ext4 filesystem (the kubelet formats only a blank disk and mounts it as ext4; ${WIPE})`,
            `${head(m.disk)} has partitions or holders: ${kids} (${KIDS})`,
        ]);
        assert.deepEqual(m.run.warnings, []);
    });

    it("an ext4 filesystem: refused on an OSD disk; on a mon disk a warning only (the kubelet mounts it as is)", () => {
        const o = get("ext4/osd");
        assert.equal(o.run.code, 1);
        assert.deepEqual(o.run.lines, [`${head(o.disk)} carries TYPE=ext4; an OSD disk must be empty (${WIPE})`]);
        const m = get("ext4/mon");
        assert.deepEqual([m.run.code, m.run.lines], [0, []]);
        assert.deepEqual(m.run.warnings, [
            `warning: ${head(m.disk)} carries a ext4 filesystem (the kubelet mounts it as is; if it holds an old mon store (a store.db directory) the mon joins with stale data: wipe it (wipefs -a <device>) unless it is this cluster's mon)`,
        ]);
    });

    it("a mounted disk: the mount point from the host's mountinfo, for both roles", () => {
        const m = get("mounted/mon");
        assert.equal(m.run.code, 1);
        const mounted = `${head(m.disk)} is mounted at ${m.mountDir} (unmount it and remove it from /etc/fstab, or declare another disk)`;
        assert.deepEqual(m.run.lines, [mounted]);
        const o = get("mounted/osd");
        assert.deepEqual(o.run.lines, [
            `${head(o.disk)} is mounted at ${o.mountDir} (unmount it and remove it from /etc/fstab, or declare another disk)`,
            `${head(o.disk)} carries TYPE=ext4; an OSD disk must be empty (${WIPE})`,
        ]);
    });

    it("a path that is not a block device: does not exist, and nothing else", () => {
        const { run, disk } = get("missing/mon");
        assert.equal(run.code, 1);
        assert.deepEqual(run.lines, [
            `${head(disk)} does not exist (fix the path; use the stable /dev/disk/by-id/... name of the disk)`,
        ]);
    });

    it("leaves no loop device, partition, mount or file behind", () => {
        const backing = spawnSync("losetup", ["--list", "--noheadings", "--output", "BACK-FILE"], {
            encoding: "utf8",
        }).stdout;
        assert.ok(workDir && !backing.includes(workDir), backing);
        assert.ok(!fs.readFileSync("/proc/self/mountinfo", "utf8").includes(workDir));
        assert.equal(fs.existsSync(workDir), false);
        const gpt = get("gpt/osd").device;
        assert.equal(fs.existsSync(`/sys/class/block/${path.basename(gpt)}p1`), false);
    });
});
