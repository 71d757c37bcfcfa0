/**
 * Real disks for the sim's disk check (issue 22): kwok runs no container, so the check's shell script
 * (modules/ceph/preflight.ts `checkScript`) runs in the sim's controller instead (testing/sim/preflight.ts), against
 * what the real tools said about real block devices. This file makes those devices and records the tools:
 *
 * `captureDisks` creates loop devices on this machine (root: losetup; a sparse file of the asked size), gives each
 * the asked content — blank, a GPT partition table with two partitions (sfdisk, then `partx -a`, since the kernel may
 * not scan loop partitions itself), an ext4 filesystem (mkfs.ext4), or an ext4 filesystem mounted in a temporary
 * directory — and runs the check script itself against each device (both roles), with `lsblk` and `blkid` wrapped so
 * that every call's arguments, output and exit code are recorded, plus the machine's real mountinfo. A "missing" disk
 * is a path that does not exist. Devices, mounts, partitions and files are removed again however the capture ends.
 *
 * The record goes on the node as the annotation {@link SIM_DISKS_ANNOTATION}; the sim replays it: the pod's own
 * script runs with `lsblk`/`blkid` answering exactly what they answered for the same arguments on the real device.
 */
import { execFileSync, spawnSync } from "node:child_process";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { checkScript } from "../../modules/ceph/preflight";
import { quantityBytes } from "../../lib/quantity";

/** Node annotation: JSON `{ "<declared device path>": CapturedDisk }`. */
export const SIM_DISKS_ANNOTATION = "sim.aihub-airgap/disks";

/** What a device holds when it is captured. */
export type DiskKind = "blank" | "gpt" | "ext4" | "mounted" | "missing";

/** One recorded tool call: what it printed and how it exited. */
export interface ToolCall {
    out: string;
    err: string;
    code: number;
}

/** The record of one device: the tool calls (by `<tool> <args>`, the device as `@DEV@`) and the mountinfo. */
export interface CapturedDisk {
    kind: DiskKind;
    /** The real device the record was taken from (a loop device, or the missing path). */
    device: string;
    calls: Record<string, ToolCall>;
    mountinfo: string;
}

/** Where the real tools are (found before the recording wrappers go first on PATH). */
function which(tool: string): string {
    const r = spawnSync("sh", ["-c", `command -v ${tool}`], { encoding: "utf8" });
    const p = r.stdout.trim();
    if (r.status !== 0 || !p) throw new Error(`${tool} not found (install util-linux / fdisk / e2fsprogs)`);
    return p;
}

/** The key of a call: tool and arguments, the device argument as `@DEV@` (the same line in the wrapper below). */
const KEY_SH = 'k="$TOOL"; for a in "$@"; do [ "$a" = "$SIM_DEV" ] && a=@DEV@; k="$k $a"; done';

/** A wrapper for `tool` that records every call into `$REC` (key, out, err, code files named by the key's hash). */
function recorder(tool: string, real: string): string {
    return [
        "#!/bin/sh",
        `TOOL=${tool}`,
        KEY_SH,
        `h=$(printf '%s' "$k" | sha256sum | cut -c1-64)`,
        `${real} "$@" > "$REC/$h.out" 2> "$REC/$h.err"; c=$?`,
        `printf '%s' "$k" > "$REC/$h.key"; echo "$c" > "$REC/$h.code"`,
        `cat "$REC/$h.out"; cat "$REC/$h.err" >&2; exit "$c"`,
        "",
    ].join("\n");
}

/** A wrapper for `tool` that answers from `$REPLAY` what the real tool answered for the same key; 127 otherwise. */
export function replayer(tool: string): string {
    return [
        "#!/bin/sh",
        `TOOL=${tool}`,
        KEY_SH,
        `h=$(printf '%s' "$k" | sha256sum | cut -c1-64)`,
        `if [ ! -f "$REPLAY/$h.code" ]; then echo "sim: no captured output for: $k" >&2; exit 127; fi`,
        `cat "$REPLAY/$h.out"; cat "$REPLAY/$h.err" >&2; exit "$(cat "$REPLAY/$h.code")"`,
        "",
    ].join("\n");
}

/** The file name (without extension) of a call key, as the wrappers compute it. */
export function keyHash(key: string): string {
    return crypto.createHash("sha256").update(key).digest("hex");
}

function run(cmd: string, args: string[]): string {
    return execFileSync(cmd, args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}

/** One device being prepared, and how to undo it. */
interface Made {
    kind: DiskKind;
    device: string;
    mountDir?: string;
    partitions?: boolean;
}

/** Runs the check script (both roles) against each device with recording wrappers; returns the calls per device. */
function record(made: Made[], size: (i: number) => string, work: string): Record<string, ToolCall>[] {
    const bin = path.join(work, "bin");
    fs.mkdirSync(bin, { recursive: true });
    for (const tool of ["lsblk", "blkid"]) {
        fs.writeFileSync(path.join(bin, tool), recorder(tool, which(tool)), { mode: 0o755 });
    }
    return made.map((m, i) => {
        const rec = fs.mkdtempSync(path.join(work, "rec-"));
        for (const role of ["mon", "osd"] as const) {
            const disk = { key: "capture", hostname: "capture", role, path: m.device, size: size(i) };
            spawnSync("sh", ["-c", checkScript(disk)], {
                env: {
                    PATH: `${bin}:${process.env.PATH}`,
                    REC: rec,
                    SIM_DEV: m.device,
                    TERMLOG: path.join(work, "termlog"),
                    MOUNTINFO: "/proc/self/mountinfo",
                },
                encoding: "utf8",
            });
        }
        const calls: Record<string, ToolCall> = {};
        for (const f of fs.readdirSync(rec).filter((n) => n.endsWith(".key"))) {
            const base = path.join(rec, f.slice(0, -4));
            calls[fs.readFileSync(`${base}.key`, "utf8")] = {
                out: fs.readFileSync(`${base}.out`, "utf8"),
                err: fs.readFileSync(`${base}.err`, "utf8"),
                code: Number(fs.readFileSync(`${base}.code`, "utf8").trim()),
            };
        }
        return calls;
    });
}

/**
 * Makes one real device per request (see the file comment), calls `fn` with them, and removes everything again
 * however `fn` ends. Sizes are Kubernetes quantities (the backing files are sparse). Needs root.
 */
export function withLoopDisks<T>(
    wants: { kind: DiskKind; size: string }[],
    fn: (made: { kind: DiskKind; device: string; mountDir?: string }[], work: string) => T,
): T {
    if (process.getuid?.() !== 0) {
        throw new Error("real disks need root (losetup, mount): run the tests as root");
    }
    const work = fs.mkdtempSync(path.join(os.tmpdir(), "sim-disks-"));
    const made: Made[] = [];
    try {
        for (const [i, w] of wants.entries()) {
            if (w.kind === "missing") {
                made.push({ kind: w.kind, device: `/dev/aihub-airgap-missing-${process.pid}-${i}` });
                continue;
            }
            const file = path.join(work, `disk${i}.img`);
            fs.writeFileSync(file, "");
            fs.truncateSync(file, quantityBytes(w.size));
            const device = run("losetup", ["--find", "--show", file]).trim();
            const m: Made = { kind: w.kind, device };
            made.push(m);
            if (w.kind === "gpt") {
                spawnSync("sfdisk", ["--quiet", device], { input: "label: gpt\n,16MiB\n,\n", encoding: "utf8" });
                run("partx", ["--add", device]);
                m.partitions = true;
            } else if (w.kind === "ext4" || w.kind === "mounted") {
                run("mkfs.ext4", ["-q", "-F", device]);
                if (w.kind === "mounted") {
                    m.mountDir = fs.mkdtempSync(path.join(work, "mnt-"));
                    run("mount", [device, m.mountDir]);
                }
            }
        }
        return fn(made, work);
    } finally {
        for (const m of [...made].reverse()) {
            if (m.mountDir) spawnSync("umount", [m.mountDir]);
            if (m.partitions) spawnSync("partx", ["--delete", m.device]);
            if (m.kind !== "missing") spawnSync("losetup", ["--detach", m.device]);
        }
        fs.rmSync(work, { recursive: true, force: true });
    }
}

/** Real devices as asked, each recorded (see the file comment); nothing of them is left afterwards. */
export function captureDisks(wants: { kind: DiskKind; size: string }[]): CapturedDisk[] {
    return withLoopDisks(wants, (made, work) => {
        const mountinfo = fs.readFileSync("/proc/self/mountinfo", "utf8");
        const calls = record(made, (i) => wants[i].size, work);
        return made.map((m, i) => ({ kind: m.kind, device: m.device, calls: calls[i], mountinfo }));
    });
}

/** The disks a stack declares on its nodes (`ceph.nodes[]`), as far as the sim needs them. */
export interface DeclaredDisks {
    hostname: string;
    monDisk?: { path: string; size: string };
    osdDisks?: { path: string; size: string }[];
}

/**
 * Records a real blank device of each declared disk's size (as a fresh, empty disk would look), per node: the node
 * annotations that let the check pods of a stack's every disk run ({@link SIM_DISKS_ANNOTATION}).
 */
export function captureBlankDisks(nodes: DeclaredDisks[]): Map<string, Record<string, CapturedDisk>> {
    const wanted = nodes.flatMap((n) =>
        [...(n.monDisk ? [n.monDisk] : []), ...(n.osdDisks ?? [])].map((d) => ({ hostname: n.hostname, ...d })),
    );
    const captured = captureDisks(wanted.map((d) => ({ kind: "blank" as const, size: d.size })));
    const out = new Map<string, Record<string, CapturedDisk>>();
    wanted.forEach((d, i) => {
        const on = out.get(d.hostname) ?? {};
        on[d.path] = captured[i];
        out.set(d.hostname, on);
    });
    return out;
}
