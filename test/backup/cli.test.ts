/** The backup and restore commands' argument and config errors name the argument or key and the fix. */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { describe, it } from "node:test";
import { PROJECT_DIR } from "../harness";

const run = (cli: string, ...args: string[]) =>
    spawnSync(process.execPath, ["--import", "tsx", path.join(PROJECT_DIR, "cli", `${cli}.ts`), ...args], {
        cwd: PROJECT_DIR,
        encoding: "utf8",
    });

describe("npm run backup / restore usage", () => {
    it("restore needs --from, a well-formed id and a whole-number timeout", () => {
        const noFrom = run("restore", "--stack", "lab");
        assert.equal(noFrom.status, 2);
        assert.match(noFrom.stderr, /--from is required\nusage: npm run restore/);
        const badId = run("restore", "--stack", "lab", "--from", "Backup 1");
        assert.equal(badId.status, 2);
        assert.match(badId.stderr, /--from Backup 1: not a backup id/);
        const badTimeout = run("restore", "--stack", "lab", "--from", "aihub-backup-1", "--timeout", "soon");
        assert.equal(badTimeout.status, 2);
        assert.match(badTimeout.stderr, /--timeout soon: not a whole number of seconds/);
    });

    it("backup on a stack without the backup key names the key and what to add", () => {
        const r = run("backup", "--stack", "lab", "--kubeconfig", "/nonexistent");
        assert.equal(r.status, 1);
        assert.match(r.stderr, /aihub-airgap:backup: is not set \(add backup: \{ schedule, retention, target \}/);
    });
});
