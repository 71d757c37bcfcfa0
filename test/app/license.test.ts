/** The licence the release would get (issue 9.7): type and mode that work in an air gap, named by config key. */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, it } from "node:test";
import { licenseProblems } from "../../config/license";
import { readStackFile } from "../../config/stackfile";
import { airgap, check, section } from "../config/helpers";
import { PROJECT_DIR } from "../harness";

const none = { vendor: {}, inline: {} };

describe("AI Hub licence", () => {
    it("the chart's default, Altair One, is refused: it needs the internet", () => {
        assert.deepEqual(licenseProblems(none, false).errors, [
            {
                path: "aihub.values.license.altair.mode",
                text: "license.altair.mode is altair_one (the chart's default), which signs in to Altair One on the internet and cannot work in an air gap (set license.altair.mode: on_prem and license.altair.onPrem.host/port of your Altair License Manager in aihub.valuesFile or aihub.values)",
            },
        ]);
    });

    it("Altair One chosen in the values file is refused naming aihub.valuesFile and the file", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "license-"));
        try {
            fs.writeFileSync(
                path.join(dir, "v.yaml"),
                "license:\n  type: altair_unit\n  altair:\n    mode: altair_one\n",
            );
            const { values, secure } = airgap();
            section(values, "aihub").valuesFile = path.join(dir, "v.yaml");
            assert.deepEqual(check(values, secure).lines, [
                `aihub-airgap:aihub.valuesFile: license.altair.mode is altair_one in ${path.join(dir, "v.yaml")}, which signs in to Altair One on the internet and cannot work in an air gap (set license.altair.mode: on_prem and license.altair.onPrem.host/port of your Altair License Manager in aihub.valuesFile or aihub.values)`,
            ]);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it("on_prem needs host and port that are not the chart's placeholders", () => {
        const inline = {
            license: {
                altair: { mode: "on_prem", onPrem: { host: "<ALTAIR-LICENSE-MANAGER-HOST-PLACEHOLDER>" } },
            },
        };
        assert.deepEqual(
            licenseProblems({ vendor: {}, inline }, false).errors.map((p) => p.path),
            ["aihub.values.license.altair.onPrem.host", "aihub.values.license.altair.onPrem.port"],
        );
        const ok = { license: { altair: { mode: "on_prem", onPrem: { host: "lm.internal", port: "6200" } } } };
        assert.deepEqual(licenseProblems({ vendor: {}, inline: ok }, false), { errors: [], warnings: [] });
    });

    it("aihub.license with altair_unit is refused: the chart would ignore it", () => {
        const { values, secure } = airgap();
        section(values, "aihub").license = "[secret]";
        assert.deepEqual(check(values, new Set([...secure, "aihub.license"])).lines, [
            "aihub-airgap:aihub.license: is a legacy RapidMiner license, but license.type is altair_unit, which ignores it (remove aihub.license, or set license.type: rapidminer)",
        ]);
    });

    it("rapidminer needs aihub.license (secret), not a plain licenseValue, and warns about Panopticon", () => {
        const inline = { license: { type: "rapidminer" } };
        assert.deepEqual(licenseProblems({ vendor: {}, inline }, false).errors, [
            {
                path: "aihub.license",
                text: "is not set, and license.type rapidminer needs it (pulumi config set --secret --path aihub.license < license.txt)",
            },
        ]);
        const r = licenseProblems({ vendor: {}, inline }, true);
        assert.deepEqual(r.errors, []);
        assert.deepEqual(
            r.warnings.map((w) => w.path),
            ["aihub.values.panopticonVizapp.license.detached"],
        );
        const plain = { license: { type: "rapidminer", rapidminer: { licenseValue: "LIC-123" } } };
        assert.deepEqual(
            licenseProblems({ vendor: {}, inline: plain }, false).errors.map((p) => p.path),
            ["aihub.values.license.rapidminer.licenseValue"],
        );
    });

    it("an unknown type is refused", () => {
        assert.deepEqual(
            licenseProblems({ vendor: {}, inline: { license: { type: "floating" } } }, false).errors.map((p) => p.text),
            [
                'license.type is "floating", which the chart does not know (use altair_unit with mode on_prem, or rapidminer with aihub.license)',
            ],
        );
    });

    it("the template stacks carry no undecryptable aihub.license and license through a License Manager", () => {
        for (const stack of ["airgap", "lab"]) {
            const sf = readStackFile(PROJECT_DIR, stack);
            assert.equal(sf.securePaths.has("aihub.license"), false, stack);
        }
        assert.deepEqual(check(airgap().values).lines, []);
    });
});
