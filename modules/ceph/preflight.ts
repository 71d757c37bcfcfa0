/**
 * The disk preflight: before Rook touches a disk, a short-lived check on its node confirms that the declared device
 * exists, is at least the declared size, is not mounted, (OSD disks) carries no partition table or filesystem, and (mon
 * disks) is blank or carries only a filesystem the kubelet mounts as is (see {@link MON_FS_MOUNTED_AS_IS}).
 *
 * Two halves share one message format: `diskProblems` (a pure function of the tools' real output: `lsblk -J -b`,
 * `blkid -p -o export`, the host's mountinfo) and `checkScript` (the POSIX shell the check container runs, since the
 * Ceph image has lsblk and blkid but no Node.js). A unit test runs the script against the same tool output and
 * asserts both halves report the same lines.
 */
import { CONFIG_NAMESPACE } from "../../lib/problems";
import { quantityBytes } from "../../lib/quantity";
import type { NodeDisk } from "../../config/disks";

/** The lsblk columns the report carries. */
export const LSBLK_COLUMNS = "NAME,PATH,MAJ:MIN,SIZE,TYPE,FSTYPE,PTTYPE,MOUNTPOINT";

/** One device of `lsblk -J -b -o <LSBLK_COLUMNS>`. */
export interface LsblkDevice {
    name: string;
    path?: string;
    "maj:min": string;
    size: number;
    type: string;
    fstype: string | null;
    pttype: string | null;
    mountpoint: string | null;
    children?: LsblkDevice[];
}

/** What the tools said about one device. */
export interface DeviceReport {
    /** The device tree (the device and its partitions/holders); undefined when lsblk found no such block device. */
    tree?: LsblkDevice;
    /** `blkid -p -o export` fields of the whole device (empty when blkid found nothing). */
    blkid: Record<string, string>;
    /** Host mount points of the device or any of its children (from the host's mountinfo). */
    mounts: string[];
}

/** Parses `lsblk -J -b` output; undefined when it lists no device (lsblk: "not a block device"). */
export function parseLsblk(json: string): LsblkDevice | undefined {
    const doc = JSON.parse(json) as { blockdevices?: LsblkDevice[] };
    const dev = doc.blockdevices?.[0];
    if (!dev) return undefined;
    // util-linux before 2.33 printed sizes as strings even with -b.
    const fix = (d: LsblkDevice): LsblkDevice => ({
        ...d,
        size: Number(d.size),
        ...(d.children ? { children: d.children.map(fix) } : {}),
    });
    return fix(dev);
}

/** Parses `blkid -p -o export` output (KEY=value lines; nothing when blkid found no signature). */
export function parseBlkid(text: string): Record<string, string> {
    const out: Record<string, string> = {};
    for (const line of text.split("\n")) {
        const m = /^([A-Z_]+)=(.*)$/.exec(line.trim());
        if (m) out[m[1]] = m[2];
    }
    return out;
}

/** A device tree flattened the way `lsblk -r` lists it: the device, then every descendant depth-first. */
export function flatten(tree: LsblkDevice): LsblkDevice[] {
    return [tree, ...(tree.children ?? []).flatMap(flatten)];
}

/** Mount points (field 5) of mountinfo lines whose device (field 3) is one of `devices`. */
export function mountsOf(mountinfo: string, devices: string[]): string[] {
    const want = new Set(devices);
    return mountinfo
        .split("\n")
        .map((l) => l.split(" "))
        .filter((f) => f.length > 4 && want.has(f[2]))
        .map((f) => f[4]);
}

/** Human size with binary units: 9.3Gi. */
export function formatBytes(n: number): string {
    const units = ["", "Ki", "Mi", "Gi", "Ti", "Pi"];
    let i = 0;
    let v = n;
    while (v >= 1024 && i < units.length - 1) {
        v /= 1024;
        i++;
    }
    return `${Number.isInteger(v) ? v : v.toFixed(1)}${units[i]}`;
}

/** The fixes, in one place so the script and the TypeScript check print the same words. */
const FIX = {
    missing: "fix the path; use the stable /dev/disk/by-id/... name of the disk",
    small: "use a larger disk, or lower the size to at most the real size",
    mounted: "unmount it and remove it from /etc/fstab, or declare another disk",
    signature: "if its data is not needed, wipe it on the node: wipefs -a <device>; sgdisk --zap-all <device>",
    children: "if its data is not needed, remove them (wipefs -a, sgdisk --zap-all) on the node",
    monSignature:
        "the kubelet formats only a blank disk and mounts it as ext4; if its data is not needed, wipe it on the node: wipefs -a <device>; sgdisk --zap-all <device>",
    monOldStore:
        "the kubelet mounts it as is; if it holds an old mon store (a store.db directory) the mon joins with stale data: wipe it (wipefs -a <device>) unless it is this cluster's mon",
};

/**
 * What the kubelet does with a mon disk. A mon disk is a local PV with `volumeMode: Filesystem` on a raw device and no
 * `local.fsType`, so the kubelet's local volume plugin (kubernetes `pkg/volume/local/local.go`, `mountLocalBlockDevice`)
 * mounts it with `SafeFormatAndMount.FormatAndMount(device, dir, "", …)`, i.e. as ext4. That function (kubernetes
 * `staging/src/k8s.io/mount-utils/mount_linux.go`, `formatAndMountSensitive` and `getDiskFormat`) runs
 * `blkid -p -s TYPE -s PTTYPE -o export`: exit 2 (no signature) means blank and it runs mkfs.ext4; a PTTYPE makes it
 * return "unknown data, probably partitions" and any TYPE is taken as an existing format — in both cases it does not
 * format, fscks the device and mounts it as ext4, which fails for a partition table, LVM2_member, ceph_bluestore, xfs…
 * So a mon disk must be blank or carry an ext2/3/4 filesystem (the ext4 driver mounts those as is); that filesystem
 * may still hold an old mon store (mons that never reach quorum), hence a warning.
 */
export const MON_FS_MOUNTED_AS_IS = ["ext4", "ext3", "ext2"];

/** The start of every message about a disk: `aihub-airgap:<key>.<field>: <device> on node <host>`. */
function head(disk: NodeDisk, field: "path" | "size"): string {
    return `${CONFIG_NAMESPACE}:${disk.key}.${field}: ${disk.path} on node ${disk.hostname}`;
}

/** The problems one report shows for one declared disk, one line each; empty when the disk is fit for Ceph. */
export function diskProblems(disk: NodeDisk, r: DeviceReport): string[] {
    if (!r.tree) return [`${head(disk, "path")} does not exist (${FIX.missing})`];
    const out: string[] = [];
    const declared = quantityBytes(disk.size);
    if (r.tree.size < declared) {
        const real = formatBytes(r.tree.size);
        out.push(`${head(disk, "size")} is ${real}, less than the declared ${disk.size} (${FIX.small})`);
    }
    for (const m of r.mounts) out.push(`${head(disk, "path")} is mounted at ${m} (${FIX.mounted})`);
    if (disk.role === "mon") {
        const sig = [
            ...(r.blkid.PTTYPE ? [`PTTYPE=${r.blkid.PTTYPE}`] : []),
            ...(r.blkid.TYPE && !MON_FS_MOUNTED_AS_IS.includes(r.blkid.TYPE) ? [`TYPE=${r.blkid.TYPE}`] : []),
        ];
        if (sig.length > 0) {
            out.push(
                `${head(disk, "path")} carries ${sig.join(" ")}; a mon disk must be blank or carry an ext4 filesystem (${FIX.monSignature})`,
            );
        }
        const kids = flatten(r.tree)
            .slice(1)
            .map((c) => c.name);
        if (kids.length > 0) {
            out.push(`${head(disk, "path")} has partitions or holders: ${kids.join(" ")} (${FIX.children})`);
        }
    }
    if (disk.role === "osd") {
        const sig = ["PTTYPE", "TYPE"].filter((k) => r.blkid[k]).map((k) => `${k}=${r.blkid[k]}`);
        if (sig.length > 0) {
            out.push(`${head(disk, "path")} carries ${sig.join(" ")}; an OSD disk must be empty (${FIX.signature})`);
        }
        const kids = flatten(r.tree)
            .slice(1)
            .map((c) => c.name);
        if (kids.length > 0) {
            out.push(`${head(disk, "path")} has partitions or holders: ${kids.join(" ")} (${FIX.children})`);
        }
    }
    return out;
}

/**
 * Warnings that do not stop the install, one line each: a mon disk with an ext2/3/4 filesystem (and nothing refused
 * about its signature) is mounted as is and may hold an old mon store.
 */
export function diskWarnings(disk: NodeDisk, r: DeviceReport): string[] {
    if (disk.role !== "mon" || !r.tree || r.blkid.PTTYPE) return [];
    const type = r.blkid.TYPE;
    if (!type || !MON_FS_MOUNTED_AS_IS.includes(type)) return [];
    return [`warning: ${head(disk, "path")} carries a ${type} filesystem (${FIX.monOldStore})`];
}

/** Quotes a string for POSIX sh. */
function sq(s: string): string {
    return `'${s.replace(/'/g, `'\\''`)}'`;
}

/**
 * The shell the check container runs for one disk: prints the tools' output (the report, for `kubectl logs`), writes
 * one line per problem to the termination log (which the Job's failure carries into `pulumi up`'s error) and exits 1
 * when there is any. MOUNTINFO and TERMLOG are overridable for tests.
 */
export function checkScript(disk: NodeDisk): string {
    const min = quantityBytes(disk.size);
    const lines = [
        `dev=${sq(disk.path)}`,
        `mi="\${MOUNTINFO:-/proc/1/mountinfo}"; log="\${TERMLOG:-/dev/termination-log}"; : > "$log"; fail=0`,
        `say() { echo "$1" >> "$log"; echo "$1" >&2; fail=1; }`,
        `lsblk -J -b -o ${LSBLK_COLUMNS} "$dev"; blkid -p -o export "$dev"`,
        `size=$(lsblk -b -d -n -o SIZE "$dev" 2>/dev/null | tr -d ' ')`,
        `if [ -z "$size" ]; then say ${sq(`${head(disk, "path")} does not exist (${FIX.missing})`)}; exit 1; fi`,
        `if [ "$size" -lt ${min} ]; then`,
        `  real=$(awk -v n="$size" 'BEGIN { split(",Ki,Mi,Gi,Ti,Pi", u, ","); i = 1;` +
            ` while (n >= 1024 && i < 6) { n /= 1024; i++ } if (n == int(n)) printf "%d%s", n, u[i];` +
            ` else printf "%.1f%s", n, u[i] }')`,
        `  say "${head(disk, "size")} is $real, less than the declared ${disk.size} (${FIX.small})"`,
        `fi`,
        `for mm in $(lsblk -n -r -o MAJ:MIN "$dev"); do`,
        `  for mp in $(awk -v m="$mm" '$3 == m { print $5 }' "$mi"); do`,
        `    say "${head(disk, "path")} is mounted at $mp (${FIX.mounted})"`,
        `  done`,
        `done`,
    ];
    if (disk.role === "mon") {
        const asIs = MON_FS_MOUNTED_AS_IS.join("|");
        lines.push(
            `pt=$(blkid -p -o export "$dev" 2>/dev/null | sed -n 's/^PTTYPE=//p' | head -n 1)`,
            `ty=$(blkid -p -o export "$dev" 2>/dev/null | sed -n 's/^TYPE=//p' | head -n 1)`,
            `sig=""; [ -n "$pt" ] && sig="PTTYPE=$pt"`,
            `case "$ty" in ""|${asIs}) ;; *) sig="\${sig:+$sig }TYPE=$ty" ;; esac`,
            `if [ -n "$sig" ]; then say "${head(disk, "path")} carries $sig; a mon disk must be blank or carry an ext4 filesystem (${FIX.monSignature})"; fi`,
            `kids=$(lsblk -n -r -o NAME "$dev" | tail -n +2 | tr '\\n' ' ' | sed 's/ $//')`,
            `if [ -n "$kids" ]; then say "${head(disk, "path")} has partitions or holders: $kids (${FIX.children})"; fi`,
            `if [ -z "$pt" ]; then case "$ty" in ${asIs}) echo "warning: ${head(disk, "path")} carries a $ty filesystem (${FIX.monOldStore})" >&2 ;; esac; fi`,
        );
    }
    if (disk.role === "osd") {
        lines.push(
            `sig=$(blkid -p -o export "$dev" 2>/dev/null | grep -E '^(PTTYPE|TYPE)=' | sort | tr '\\n' ' ' | sed 's/ $//')`,
            `if [ -n "$sig" ]; then say "${head(disk, "path")} carries $sig; an OSD disk must be empty (${FIX.signature})"; fi`,
            `kids=$(lsblk -n -r -o NAME "$dev" | tail -n +2 | tr '\\n' ' ' | sed 's/ $//')`,
            `if [ -n "$kids" ]; then say "${head(disk, "path")} has partitions or holders: $kids (${FIX.children})"; fi`,
        );
    }
    lines.push(`exit $fail`);
    return lines.join("\n") + "\n";
}
