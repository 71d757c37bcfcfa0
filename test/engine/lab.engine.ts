/**
 * The real engine on the `lab` stack (one worker, https-custom-ca) with the real AI Hub chart of an older generation,
 * 10.3.2 (single job and web API agent blocks, Postgres 14, no kept PVCs), and the real rook-ceph v1.20.6: preview before anything exists, up, a no-change
 * preview, a one-key change that previews as exactly one update, the stack file edited while an up previews (that up
 * applies what it previewed), an installed AI Hub release the state does not know taken back by the next up (issue
 * 26), destroy refused while data is protected (nothing deleted), then a full destroy that leaves none of our objects;
 * no secret in state (every checkpoint, history and backups included), output or process arguments.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { after, before, describe } from "node:test";
import {
    destroyRemovesEverything,
    noSecretInPlainText,
    previewShowsNoChanges,
    previewSteps,
    upCreatesThePlan,
} from "./checks";
import { backendState, helmRecords } from "./end-state";
import { untilPrinted } from "./pulumi";
import { EngineScenario, type PlannedObject } from "./scenario";
import { requireEngine, step } from "./steps";
import { podPullFailures } from "../helpers/kubelet-pull";

/** The user name of a dockerconfigjson `auths` entry (its `username`, or the part of `auth` before the colon). */
function userOf(entry: Record<string, string>): string {
    return entry.username ?? Buffer.from(entry.auth, "base64").toString("utf8").split(":")[0];
}

let s: EngineScenario;
/** The stack file, as an admin edits it. */
const stackFile = () => path.join(s.cli.projectDir, `Pulumi.${s.stack}.yaml`);
let planned: PlannedObject[];
let secrets: string[];

before(async () => {
    requireEngine();
    s = await EngineScenario.start({ base: "lab", aihubVersion: "10.3.2" });
    planned = await s.plannedObjects();
});

after(async () => {
    await s?.stop();
});

describe("lab stack under the real engine", () => {
    step(
        "preview succeeds on an empty cluster, CRs whose CRDs come from a release in the same run included",
        async () => {
            const r = await s.pulumiOk(["preview"]);
            assert.match(r.stdout, /CephCluster/);
        },
    );

    step("up creates every object of the plan, releases deployed, every pod image private, bundle pushed", () =>
        upCreatesThePlan(s, planned),
    );

    step("a pull Secret with a wrong password fails the kubelet-like pull of that namespace's pods", async () => {
        const pod = (await s.sim.client.list("/api/v1/namespaces/aihub/pods"))[0];
        const name = (pod.spec?.imagePullSecrets as { name: string }[])[0].name;
        const path = `/api/v1/namespaces/aihub/secrets/${name}`;
        const secret = (await s.sim.client.get(path))!;
        const data = secret.data as Record<string, string>;
        const config = JSON.parse(Buffer.from(data[".dockerconfigjson"], "base64").toString("utf8"));
        for (const entry of Object.values(config.auths) as Record<string, string>[]) {
            entry.auth = Buffer.from(`${userOf(entry)}:wrong-password`).toString("base64");
            delete entry.password;
        }
        const wrong = Buffer.from(JSON.stringify(config)).toString("base64");
        await s.sim.client.mergePatch(path, { data: { ".dockerconfigjson": wrong } });
        try {
            const failures = await podPullFailures(s.sim.client, s.registry.caCert);
            assert.ok(failures.length > 0, "a wrong password pulled");
            assert.ok(
                failures.every((f) => f.startsWith("aihub/")),
                failures.join("\n"),
            );
            assert.match(failures[0], /: manifest .*: HTTP 401/);
        } finally {
            await s.sim.client.mergePatch(path, { data: { ".dockerconfigjson": data[".dockerconfigjson"] } });
        }
        assert.deepEqual(await podPullFailures(s.sim.client, s.registry.caCert), []);
    });

    step("a second preview reports no changes (no perpetual diff)", () => previewShowsNoChanges(s));

    step("changing aihub.values previews as exactly one update of the AI Hub release", async () => {
        secrets = await s.secretValues();
        const file = stackFile();
        const before = fs.readFileSync(file, "utf8");
        await s.setPlain({ aihub: { ...s.plain.aihub, values: { common: { timeZone: "Europe/Vienna" } } } });
        assert.deepEqual(await previewSteps(s), ["update kubernetes:helm.sh/v3:Release::aihub"]);
        fs.writeFileSync(file, before);
    });

    step(
        "the stack file edited while an up previews: that up applies what it previewed, the edit stays for the next one",
        async () => {
            const run = s.cli.start(["up", "--yes", "--stack", s.stack]);
            // The CLI has read the stack's config before it prints the preview's header.
            await untilPrinted(run, "Previewing update (lab)", "the up's preview started", 300_000);
            const file = stackFile();
            const before = fs.readFileSync(file, "utf8");
            await s.setPlain({ aihub: { ...s.plain.aihub, values: { common: { timeZone: "Europe/Vienna" } } } });
            const edited = fs.readFileSync(file, "utf8");
            const r = await run.done;
            assert.equal(r.code, 0, r.stdout + r.stderr);
            assert.equal(fs.readFileSync(file, "utf8"), edited, "the run rewrote the stack file");
            // The edit was not applied by the run that was going: the next preview has it as the one change.
            assert.deepEqual(await previewSteps(s), ["update kubernetes:helm.sh/v3:Release::aihub"]);
            fs.writeFileSync(file, before);
            await previewShowsNoChanges(s);
        },
    );

    step(
        "an installed AI Hub release the state does not know (its trace cleared by hand): the next up takes it back without a secret in any checkpoint",
        async () => {
            // What `pulumi cancel` and `pulumi refresh --clear-pending-creates` leave when Helm finished the install
            // after the run was killed: the release deployed in the cluster, absent from the state.
            const urn = backendState(s).urns.find((u) => u.endsWith("kubernetes:helm.sh/v3:Release::aihub"));
            assert.ok(urn, "no AI Hub release in the state");
            await s.cli.ok(["state", "delete", urn, "--target-dependents", "--yes", "--stack", s.stack]);
            const before = await helmRecords(s);
            const r = await s.pulumiOk(["up", "--yes", "--skip-preview"]);
            assert.match(
                r.stderr,
                /Helm release aihub\/rapidminer-aihub is installed .* but the state does not know it: removed Helm's record of it/,
            );
            assert.deepEqual(await s.missing(planned), []);
            assert.deepEqual(await helmRecords(s), before, "the release was not installed again under its name");
            await previewShowsNoChanges(s);
            // The final step reads every checkpoint the runs wrote, the history and backups of this recovery included.
        },
    );

    step("destroy with protectData true refuses at the data guard and deletes nothing", async () => {
        await s.setPlain({ protectData: true });
        await s.pulumiOk(["up", "--yes", "--skip-preview"]);
        const r = await s.pulumi(["destroy", "--yes", "--skip-preview"]);
        assert.notEqual(r.code, 0);
        assert.match(r.stdout + r.stderr, /ConfigMap::data-guard" cannot be deleted\s+because it is protected/);
        assert.doesNotMatch(r.stdout, / deleted \(/);
        assert.deepEqual(await s.missing(planned), []);
        await s.setPlain({ protectData: false });
        await s.pulumiOk(["up", "--yes", "--skip-preview"]);
    });

    step(
        "destroy with protectData false removes everything, the AI Hub namespace before the Ceph resources, the Rook CRs before the operator",
        async () => {
            await destroyRemovesEverything(s, planned);
        },
    );

    step("no secret in plain text in the state files, the engine output or any process argument", async () =>
        noSecretInPlainText(s, secrets),
    );
});
