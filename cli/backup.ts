/**
 * `npm run backup -- --stack <name> [--kubeconfig <file>] [--context <name>] [--no-wait]`: an on-demand backup,
 * a Job started from the stack's backup CronJob (the same pod: dumps and snapshots together). Prints the backup id.
 */
import { BACKUP_NAME } from "../modules/backup/job-manifests";
import { KUBE_OPTIONS, openStack, timeoutSeconds } from "./kube-stack";
import { parseCli, runCli, stackUsageExit } from "./run";

const USAGE =
    "usage: npm run backup -- --stack <name> [--kubeconfig <file>] [--context <name>] [--no-wait] [--timeout <seconds>]";

async function main(): Promise<number> {
    const parsed = parseCli(USAGE, {
        options: { ...KUBE_OPTIONS, "no-wait": { type: "boolean" }, timeout: { type: "string" } },
    });
    if (!parsed) return 2;
    const a = parsed.values;
    const stop = stackUsageExit(USAGE, a);
    if (stop !== undefined || !a.stack) return stop ?? 2;
    const timeout = timeoutSeconds(a.timeout, 7200, USAGE);
    if (timeout === undefined) return 2;
    const opened = openStack({ ...a, stack: a.stack });
    if ("errors" in opened) {
        console.error(opened.errors.join("\n"));
        return 1;
    }
    const { cfg, kubectl } = opened;
    if (!cfg.backup) {
        console.error(
            "aihub-airgap:backup: is not set (add backup: { schedule, retention, target } to the stack and run pulumi up first)",
        );
        return 1;
    }
    const ns = cfg.aihub.namespace;
    const id = `${BACKUP_NAME}-m${new Date().toISOString().replace(/\D/g, "").slice(0, 14)}`;
    await kubectl.run(["-n", ns, "create", "job", `--from=cronjob/${BACKUP_NAME}`, id]);
    console.log(`backup ${id} started (kubectl -n ${ns} logs job/${id} --all-containers -f)`);
    if (a["no-wait"]) return 0;
    await kubectl.run(["-n", ns, "wait", `job/${id}`, "--for=condition=complete", `--timeout=${timeout}s`]);
    console.log(`backup ${id} complete; restore it with: npm run restore -- --stack ${a.stack} --from ${id}`);
    return 0;
}

runCli("backup", main);
