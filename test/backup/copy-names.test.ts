/**
 * The names of a backup's clone claims and copy Jobs (modules/backup/snapshot.sh `copy_name`), for every claim the
 * real AI Hub charts make (../shared/charts/rapidminer-aihub-*.tgz rendered with the repository's values, StatefulSet
 * claims for replicas 0..2): DNS labels of at most 63 characters, one per claim.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as path from "node:path";
import { describe, it } from "node:test";
import { aihubVendorVersions, claimNames, renderAihubVendorChart } from "../helpers/vendor-charts";

const SCRIPT = path.resolve(__dirname, "..", "..", "modules", "backup", "snapshot.sh");
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
/** A scheduled run's id (`<cronjob>-<minutes>`) and an on-demand one (`npm run backup`). */
const IDS = ["aihub-backup-29345678", "aihub-backup-m20260315120000"];

const copyNames = (id: string, claims: string[]): string[] =>
    execFileSync("bash", [SCRIPT, "copy-names", id], { input: claims.join("\n") + "\n", encoding: "utf8" })
        .trim()
        .split("\n");

describe("backup copy names for every claim of the real AI Hub charts", () => {
    const versions = aihubVendorVersions();
    const claims = new Map(versions.map((v) => [v, claimNames(renderAihubVendorChart(v))]));

    it("covers all 14 charts, including the 64-character claim of 2026.0.2's web API agent", () => {
        assert.equal(versions.length, 14, versions.join(" "));
        const long = "webapi-agent-default-queue-home-pvc-webapi-agent-default-queue-0";
        assert.equal(long.length, 64);
        assert.ok(claims.get("2026.0.2")!.includes(long));
    });

    for (const version of versions) {
        it(`${version}: every copy name is a DNS label of at most 63 characters, unique per claim`, () => {
            const all = [...new Set(claims.get(version)!)];
            for (const id of IDS) {
                const names = copyNames(id, all);
                assert.equal(names.length, all.length);
                names.forEach((n, i) => {
                    assert.ok(n.length <= 63, `${all[i]} -> ${n} (${n.length} characters)`);
                    assert.match(n, DNS_LABEL, `${all[i]} -> ${n}`);
                });
                assert.equal(new Set(names).size, names.length, `two claims share a copy name:\n${names.join("\n")}`);
            }
            // A second run's copies never take the names of an earlier run's leftovers.
            const [a, b] = IDS.map((id) => copyNames(id, all));
            assert.ok(!a.some((n) => b.includes(n)));
        });
    }
});
