/**
 * Device paths of Ceph disks. Only a canonical `/dev/...` path is accepted: the path becomes part of PV names and
 * Rook's device sets, so anything a shell, a glob or a terminal would read differently is refused.
 */

/** Characters a device name may hold (what udev writes under /dev/disk/by-id and by-path). */
const NAME = /^[A-Za-z0-9._:+-]+$/;
/** Longest device path accepted. */
export const MAX_DEVICE_PATH = 128;

/** The path with repeated slashes, `.` segments and a trailing slash removed (`..` is left for the check). */
export function canonicalDevicePath(p: string): string {
    const segs = p.split("/").filter((s) => s !== "" && s !== ".");
    return `/${segs.join("/")}`;
}

function describeChar(c: string): string {
    const cp = c.codePointAt(0)!;
    return cp > 0x20 && cp < 0x7f ? `"${c}"` : `U+${cp.toString(16).toUpperCase().padStart(4, "0")}`;
}

/** Why `p` is not an acceptable device path, with the fix, or undefined when it is one. */
export function devicePathProblem(p: string): string | undefined {
    const example = "write it like /dev/nvme1n1 or /dev/disk/by-id/<id>";
    if (!p.startsWith("/dev/")) return `is not a device path under /dev (${example})`;
    if (p.length > MAX_DEVICE_PATH)
        return `is longer than ${MAX_DEVICE_PATH} characters (use a shorter /dev/disk/by-id name)`;
    const segs = p.slice(1).split("/");
    if (segs.includes("..")) return `has a ".." segment (${example})`;
    for (const s of segs) {
        if (s === "" || s === "." || NAME.test(s)) continue;
        const bad = [...s].find((c) => !/[A-Za-z0-9._:+-]/.test(c))!;
        return `contains the character ${describeChar(bad)}, which a device name does not have (${example})`;
    }
    const canonical = canonicalDevicePath(p);
    if (canonical === "/dev") return `names no device (${example})`;
    if (canonical !== p) return `is not in canonical form (write ${canonical})`;
    if (/^\/dev\/disk(\/[^/]+)?$/.test(p)) return `is a directory of device links, not a device (${example})`;
    return undefined;
}
