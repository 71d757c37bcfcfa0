/**
 * The disk preflight: before Rook touches a disk, a short-lived check on its node confirms that the declared device
 * exists, is at least the declared size, is not mounted, (OSD disks) carries no partition table or filesystem, and (mon
 * disks) is blank or carries only a filesystem the kubelet mounts as is (see {@link MON_FS_MOUNTED_AS_IS}).
 *
 * `checkScript` is the POSIX shell the check container runs (the Ceph image has lsblk and blkid but no Node.js). Its
 * tests run it against real loop devices (test/storage/preflight.test.ts), and the simulated cluster runs it against
 * what the real tools said about real devices (testing/sim/disks.ts, testing/sim/preflight.ts).
 */
import { CONFIG_NAMESPACE } from "../../lib/problems";
import { quantityBytes } from "../../lib/quantity";
import type { NodeDisk } from "../../config/disks";

/** The lsblk columns the report carries. */
export const LSBLK_COLUMNS = "NAME,PATH,MAJ:MIN,SIZE,TYPE,FSTYPE,PTTYPE,MOUNTPOINT";

/** The fixes the script prints, one per kind of problem. */
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
