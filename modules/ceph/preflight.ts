/**
 * The disk preflight: before Rook touches a disk, a short-lived check on its node confirms that the declared device
 * exists, is at least the declared size, is not mounted and (OSD disks) carries no partition table or filesystem.
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
};

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
