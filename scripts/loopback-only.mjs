// Wraps a command so that it runs in a new network namespace whose only interface is loopback (`unshare -n` as
// root, `unshare -rn` otherwise), so every dial to an address that is not this machine's loopback fails at once
// instead of leaving the machine. AIHUB_NETNS=loopback tells the command where it runs; a command already inside
// such a namespace is not wrapped again. Without unshare, or where namespaces are not allowed, it fails: tests must
// not silently run with the machine's network.
import { spawnSync } from "node:child_process";

const UP_LO = 'ip link set lo up && exec "$@"';

/** The argv that runs `argv` inside a loopback-only network namespace. */
export function loopbackOnly(argv) {
    if (process.env.AIHUB_NETNS === "loopback") return argv;
    const flags = process.getuid?.() === 0 ? ["--net"] : ["--map-root-user", "--net"];
    const probe = spawnSync("unshare", [...flags, "--", "sh", "-c", "ip link set lo up"], { encoding: "utf8" });
    if (probe.status !== 0) {
        const why = probe.error ? probe.error.message : (probe.stderr || "").trim();
        console.error(
            `cannot make a loopback-only network namespace (unshare ${flags.join(" ")}: ${why}); ` +
                "run as root, or allow user namespaces (sysctl kernel.unprivileged_userns_clone=1), and install util-linux and iproute2",
        );
        process.exit(1);
    }
    return ["env", "AIHUB_NETNS=loopback", "unshare", ...flags, "--", "sh", "-c", UP_LO, "sh", ...argv];
}
