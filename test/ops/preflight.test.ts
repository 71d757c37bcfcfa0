/**
 * `npm run preflight` on the simulated cluster (its stand-in runs the check pods' script against recorded real disks):
 * before `pulumi up` it runs in a temporary namespace with a pull Secret from the password, prints one row per disk
 * and one line per problem (a missing node, a used OSD disk), exits 1, and removes its namespace. The sim's API server
 * defaults namespaces to Pod Security `restricted`, as hardened clusters do, and enforces it: the temporary namespace
 * must say `privileged`, and a namespace that refuses the check pods is reported as such, not as a time-out.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { engineBinDir } from "../../testing/engine/paths";
import { renderPreflight } from "../../ops/preflight";
import { missingBinaries, startSim, type SimHandle } from "../../testing/sim";
import { captureDisks, SIM_DISKS_ANNOTATION } from "../../testing/sim/disks";
import { stackProject } from "../helpers/stack-project";

const missing = missingBinaries();
const skip = missing.length ? `sim binaries missing from ${engineBinDir()}: ${missing.join(", ")}` : false;

/** The lab stack with a second Ceph host that the cluster does not have. */
const NODES = [
    { hostname: "lab1", monDisk: { path: "/dev/vdb", size: "10Gi" }, osdDisks: [{ path: "/dev/vdc", size: "50Gi" }] },
    { hostname: "lab9", osdDisks: [{ path: "/dev/vdc", size: "50Gi" }] },
];

describe("preflight on the simulated cluster", { skip, timeout: 300_000 }, () => {
    let tmp: string;
    let sim: SimHandle;
    let project: string;

    before(
        async () => {
            tmp = fs.mkdtempSync(path.join(os.tmpdir(), "preflight-test-"));
            sim = await startSim({
                hostnames: ["lab1"],
                dir: path.join(tmp, "sim"),
                killOnExit: true,
                podSecurityDefault: "restricted",
            });
            project = stackProject(path.join(tmp, "project"), "lab", [[["ceph", "nodes"], NODES]]);
            // Real loop devices, recorded (testing/sim/disks.ts): a blank mon disk, an OSD disk with ext4 on it.
            const [vdb, vdc] = captureDisks([
                { kind: "blank", size: "10Gi" },
                { kind: "ext4", size: "50Gi" },
            ]);
            const fake = { "/dev/vdb": vdb, "/dev/vdc": vdc };
            await sim.client.mergePatch("/api/v1/nodes/lab1", {
                metadata: { annotations: { [SIM_DISKS_ANNOTATION]: JSON.stringify(fake) } },
            });
        },
        { timeout: 240_000 },
    );

    after(async () => {
        await sim?.stop();
        if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
    });

    const run = (env: Record<string, string>, ...args: string[]) =>
        spawnSync(
            process.execPath,
            ["--import", "tsx", path.resolve(__dirname, "..", "..", "cli", "preflight.ts"), "--dir", project, ...args],
            // Well below the command's own 300 s per check: a refused pod must not end as that time-out.
            { encoding: "utf8", env: { ...process.env, AIHUB_REGISTRY_PASSWORD: "", ...env }, timeout: 90_000 },
        );

    it("without the rook namespace and without a password: says how to give the password", () => {
        const r = run({}, "--stack", "lab", "--kubeconfig", sim.kubeconfig);
        assert.equal(r.status, 1);
        assert.match(r.stderr, /needs the registry password .*--password-stdin or set AIHUB_REGISTRY_PASSWORD/);
    });

    it("a table row per disk, a line per problem, exit 1, its namespace removed", async () => {
        const r = run({ AIHUB_REGISTRY_PASSWORD: "pw" }, "--stack", "lab", "--kubeconfig", sim.kubeconfig);
        assert.equal(r.status, 1, r.stderr);
        const lines = r.stdout.trimEnd().split("\n");
        assert.match(lines[0], /^NODE\s+DEVICE\s+ROLE\s+KEY\s+RESULT$/);
        assert.match(lines[1], /^lab1\s+\/dev\/vdb\s+mon\s+ceph\.nodes\[0\]\.monDisk\s+ok$/);
        assert.match(lines[2], /^lab1\s+\/dev\/vdc\s+osd\s+ceph\.nodes\[0\]\.osdDisks\[0\]\s+1 problem\(s\)$/);
        assert.match(lines[3], /^lab9\s+\/dev\/vdc\s+osd\s+ceph\.nodes\[1\]\.osdDisks\[0\]\s+not checked$/);
        assert.equal(
            lines[5],
            "aihub-airgap:ceph.nodes[1].hostname: no node named lab9 (use the node's kubernetes.io/hostname label)",
        );
        assert.match(
            lines[6],
            /^aihub-airgap:ceph\.nodes\[0\]\.osdDisks\[0\]\.path: \/dev\/vdc on node lab1 carries TYPE=ext4; an OSD disk must be empty/,
        );
        const ns = await sim.client.get("/api/v1/namespaces/aihub-airgap-preflight");
        assert.ok(!ns || ns.metadata.deletionTimestamp, "the temporary namespace is left behind");
    });

    it("a namespace whose Pod Security refuses the check pods: names the reason and the fix at once, no time-out", async () => {
        // After `pulumi up` the command runs in the Rook namespace (its pull Secret exists); here someone made that
        // namespace `restricted`.
        await sim.client.create("/api/v1/namespaces", {
            metadata: { name: "rook-ceph", labels: { "pod-security.kubernetes.io/enforce": "restricted" } },
        });
        await sim.client.create("/api/v1/namespaces/rook-ceph/secrets", {
            metadata: { name: "airgap-registry" },
            type: "kubernetes.io/dockerconfigjson",
            stringData: { ".dockerconfigjson": JSON.stringify({ auths: {} }) },
        });
        const t0 = Date.now();
        const r = run({}, "--stack", "lab", "--kubeconfig", sim.kubeconfig);
        assert.equal(r.status, 1, `${r.error ?? ""} ${r.stderr}`);
        assert.ok(Date.now() - t0 < 60_000, `took ${Date.now() - t0} ms`);
        const lines = r.stdout.trimEnd().split("\n");
        assert.match(lines[1], /^lab1\s+\/dev\/vdb\s+mon\s+ceph\.nodes\[0\]\.monDisk\s+1 problem\(s\)$/);
        const refused = lines.filter((l) => l.includes("cannot be created"));
        assert.equal(refused.length, 2, r.stdout);
        for (const l of refused) {
            assert.match(
                l,
                /^lab1 \/dev\/vd[bc]: the check pod cannot be created in namespace rook-ceph: FailedCreate: Error creating: pods "preflight-cli-.*" is forbidden: violates PodSecurity "restricted:latest": .*privileged.*\(the check runs privileged with the host's PID namespace and \/dev; label the namespace privileged, as the Rook namespace is: kubectl label namespace rook-ceph pod-security\.kubernetes\.io\/enforce=privileged --overwrite\)$/,
            );
        }
        assert.doesNotMatch(r.stdout, /no result within/);
    });

    it("renders a clean run", () => {
        const row = {
            node: "w1",
            device: "/dev/sdb",
            role: "osd",
            key: "ceph.nodes[0].osdDisks[0]",
            problems: [],
            checked: true,
        };
        assert.match(
            renderPreflight([row], []),
            /w1\s+\/dev\/sdb\s+osd\s+ceph.nodes\[0\].osdDisks\[0\]\s+ok\n\nevery disk is fit for Ceph$/,
        );
    });
});
