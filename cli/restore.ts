/**
 * `npm run restore -- --stack <name> --from <backup id> [--replace-data]`: restores volumes from the backup's CSI
 * snapshots and the databases from its dumps. Refuses while AI Hub runs; without --replace-data prints the steps.
 */
import { restore, RestoreRefused } from "../ops/restore";
import { KUBE_OPTIONS, openStack, timeoutSeconds } from "./kube-stack";
import { parseCli, runCli } from "./run";

const USAGE =
    "usage: npm run restore -- --stack <name> --from <backup id> [--replace-data] [--kubeconfig <file>] [--context <name>] [--timeout <seconds>]";

async function main(): Promise<number> {
    const parsed = parseCli(USAGE, {
        options: {
            ...KUBE_OPTIONS,
            from: { type: "string" },
            "replace-data": { type: "boolean" },
            timeout: { type: "string" },
        },
    });
    if (!parsed) return 2;
    const a = parsed.values;
    if (a.help) {
        console.log(USAGE);
        return 0;
    }
    if (!a.stack || !a.from) {
        console.error(`${!a.stack ? "--stack" : "--from"} is required\n${USAGE}`);
        return 2;
    }
    if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(a.from)) {
        console.error(`--from ${a.from}: not a backup id (ids look like aihub-backup-29012345)\n${USAGE}`);
        return 2;
    }
    const timeout = timeoutSeconds(a.timeout, 3600, USAGE);
    if (timeout === undefined) return 2;
    const opened = openStack({ ...a, stack: a.stack });
    if ("errors" in opened) {
        console.error(opened.errors.join("\n"));
        return 1;
    }
    try {
        await restore(opened.kubectl, {
            namespace: opened.cfg.aihub.namespace,
            backupId: a.from,
            replaceData: a["replace-data"] === true,
            timeoutSeconds: timeout,
            log: (l) => console.log(l),
        });
    } catch (e) {
        if (e instanceof RestoreRefused) {
            console.error(`restore refused: ${e.message}`);
            return 1;
        }
        throw e;
    }
    return 0;
}

runCli("restore", main);
