/**
 * The real engine on an airgap-shaped stack (three workers, RBD pool and class, https, data protected): preview, up,
 * a no-change preview, destroy refused while protected, the two-step wipe teardown (arm, then destroy) finishing
 * without waiting out a timeout, and no secret in state, output or process arguments.
 */
import assert from "node:assert/strict";
import { after, before, describe } from "node:test";
import { destroyRemovesEverything, noSecretInPlainText, previewShowsNoChanges, upCreatesThePlan } from "./checks";
import { EngineScenario, type PlannedObject } from "./scenario";
import { watchCleanup } from "./cleanup-watch";
import { figure, requireEngine, step } from "./steps";

let s: EngineScenario;
let planned: PlannedObject[];
let secrets: string[];

before(async () => {
    requireEngine();
    s = await EngineScenario.start({ base: "airgap" });
    planned = await s.plannedObjects();
});

after(async () => {
    await s?.stop();
});

describe("airgap-shaped stack under the real engine", () => {
    step("preview succeeds on an empty cluster", async () => {
        const r = await s.pulumiOk(["preview"]);
        assert.match(r.stdout, /CephBlockPool/);
    });

    step("up creates every object of the plan (RBD pool and class included), every pod image private", async () => {
        await upCreatesThePlan(s, planned);
        assert.ok(await s.view.get("storage.k8s.io/v1", "StorageClass", "rook-ceph-block"));
        assert.equal(planned.filter((o) => o.kind === "PersistentVolume").length, 6);
    });

    step("a second preview reports no changes (no perpetual diff)", async () => {
        secrets = await s.secretValues();
        await previewShowsNoChanges(s);
    });

    step("destroy with protectData true refuses and deletes nothing", async () => {
        const r = await s.pulumi(["destroy", "--yes", "--skip-preview"]);
        assert.notEqual(r.code, 0);
        assert.match(r.stdout + r.stderr, /ConfigMap::data-guard" cannot be deleted\s+because it is protected/);
        assert.doesNotMatch(r.stdout, / deleted \(/);
        assert.deepEqual(await s.missing(planned), []);
    });

    step("arming wipeDisksOnDestroy (with protectData false) finishes without waiting for Rook", async () => {
        await s.setPlain({ protectData: false, ceph: { ...s.plain.ceph, wipeDisksOnDestroy: true } });
        const r = await s.pulumiOk(["up", "--yes", "--skip-preview"]);
        figure("airgap arm wipeDisksOnDestroy", r.seconds);
        const cluster = await s.view.get("ceph.rook.io/v1", "CephCluster", "rook-ceph", "rook-ceph");
        const spec = cluster?.spec as { cleanupPolicy?: { confirmation?: string } };
        assert.equal(spec.cleanupPolicy?.confirmation, "yes-really-destroy-data");
    });

    step(
        "destroy waits for Rook's cleanup Jobs before the operator, its ServiceAccount and the pull secret go",
        async () => {
            const watch = watchCleanup(s.view.client, "rook-ceph", "airgap-registry");
            const out = await destroyRemovesEverything(s, planned).finally(() => watch.stop());
            const t = await watch.stop();
            const workers = (s.plain.ceph.nodes as { hostname: string }[]).map(
                (n) => `cluster-cleanup-job-${n.hostname}`,
            );
            assert.deepEqual([...t.jobsComplete.keys()].sort(), workers.sort(), "cleanup Jobs that completed");
            const lastJob = Math.max(...t.jobsComplete.values());
            for (const [what, gone] of Object.entries({
                "pull secret": t.pullSecretGone,
                "rook-ceph-default ServiceAccount": t.serviceAccountGone,
                "rook-ceph release": t.operatorReleaseGone,
            })) {
                assert.ok(
                    gone !== undefined && gone > lastJob,
                    `${what} gone ${gone! - lastJob} ms after the last Job completed`,
                );
            }
            const lines = out.split("\n");
            const at = (re: RegExp) => lines.findIndex((l) => re.test(l));
            assert.ok(at(/CephCluster\s+ceph-cr\s+deleted/) < at(/CleanupWait\s+ceph-cleanup-wait\s+deleting/));
            figure(
                "airgap wait from the last cleanup Job to the pull secret's deletion",
                (t.pullSecretGone! - lastJob) / 1000,
            );
        },
    );

    step("no secret in plain text in the state files, the engine output or any process argument", async () =>
        noSecretInPlainText(s, secrets),
    );
});
