/** A suite with a one-node simulated cluster of its own (node `w1`), for tests that talk to its API server. */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe } from "node:test";
import { missingBinaries, startSim, stopSim, type SimHandle } from "../../testing/sim";

/**
 * `describe(title, …)` with a sim started before its tests and stopped after; `body` gets the running sim. Skipped
 * when the sim's binaries are missing: scripts/run-tests.mjs counts the skip, and with CI=true fails the run.
 */
export function describeWithSim(title: string, body: (sim: () => SimHandle) => void): void {
    const missing = missingBinaries();
    describe(
        title,
        { skip: missing.length > 0 && `sim binaries missing: ${missing.join(", ")}`, timeout: 300_000 },
        () => {
            let tmp: string;
            let sim: SimHandle | undefined;
            before(async () => {
                tmp = fs.mkdtempSync(path.join(os.tmpdir(), "sim-test-"));
                sim = await startSim({ hostnames: ["w1"], dir: path.join(tmp, "sim"), killOnExit: true });
            });
            after(async () => {
                sim?.client.close();
                if (sim) await stopSim(path.join(tmp, "sim"));
                fs.rmSync(tmp, { recursive: true, force: true });
            });
            body(() => sim!);
        },
    );
}
