/** Issue 10.11 and 10.13: files named by config and stack files are read as untrusted input. */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, describe, it } from "node:test";
import { parseStackFile, readStackFile } from "../../config/stackfile";
import { parseYamlText, readRegularFile, YamlFileError } from "../../lib/yamlfile";
import { airgap, check, section } from "./helpers";

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "yamlfile-"));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** The error line of a failing call. */
function failure(f: () => unknown): string {
    try {
        f();
    } catch (e) {
        assert.ok(e instanceof YamlFileError, String(e));
        return e.message;
    }
    assert.fail("expected a YamlFileError");
}

describe("issue 10.11: aihub.valuesFile", () => {
    const withValuesFile = (f: string) => {
        const { values } = airgap();
        section(values, "aihub").valuesFile = f;
        return check(values).lines;
    };
    const FIX = "(give a readable YAML file of at most 4 MiB, or remove aihub.valuesFile)";
    it("accepts a regular YAML file", () => {
        const f = path.join(tmp, "ok.yaml");
        // With the licence mode an air gap needs (issue 9.7: the chart's default, Altair One, is refused).
        fs.writeFileSync(
            f,
            "common: { x: 1 }\nlicense: { altair: { mode: on_prem, onPrem: { host: lm.internal, port: '6200' } } }\n",
        );
        assert.deepEqual(withValuesFile(f), []);
    });
    it("rejects /dev/zero and /dev/urandom at once, without reading them", () => {
        for (const dev of ["/dev/zero", "/dev/urandom"]) {
            assert.deepEqual(withValuesFile(dev), [
                `aihub-airgap:aihub.valuesFile: "${dev}" is not a regular file ${FIX}`,
            ]);
        }
    });
    it("rejects a FIFO without blocking", () => {
        const fifo = path.join(tmp, "fifo");
        execFileSync("mkfifo", [fifo]);
        assert.deepEqual(withValuesFile(fifo), [
            `aihub-airgap:aihub.valuesFile: "${fifo}" is not a regular file ${FIX}`,
        ]);
    });
    it("rejects a missing file, a directory, an oversized file and bad YAML, as config errors", () => {
        const big = path.join(tmp, "big.yaml");
        fs.writeFileSync(big, "a: 1\n".padEnd(4 * 2 ** 20 + 1, "#"));
        const bad = path.join(tmp, "bad.yaml");
        fs.writeFileSync(bad, "a: 1\na: 2\n");
        const list = path.join(tmp, "list.yaml");
        fs.writeFileSync(list, "- 1\n");
        assert.deepEqual(withValuesFile("./values/none.yaml"), [
            `aihub-airgap:aihub.valuesFile: "./values/none.yaml" does not exist ${FIX}`,
        ]);
        assert.deepEqual(withValuesFile(tmp), [`aihub-airgap:aihub.valuesFile: "${tmp}" is not a regular file ${FIX}`]);
        assert.deepEqual(withValuesFile(big), [
            `aihub-airgap:aihub.valuesFile: "${big}" is 4194305 bytes, more than the 4194304 a config file may have ${FIX}`,
        ]);
        assert.deepEqual(withValuesFile(bad), [
            `aihub-airgap:aihub.valuesFile: "${bad}:2:1" not valid YAML: Map keys must be unique ${FIX}`,
        ]);
        assert.deepEqual(withValuesFile(list), [
            `aihub-airgap:aihub.valuesFile: "${list}" the top level is not a mapping of keys ${FIX}`,
        ]);
    });
});

describe("issue 10.13: stack files", () => {
    it("names a project directory that is not there", () => {
        assert.equal(
            failure(() => readStackFile("/nonexistent/dir", "airgap")),
            "/nonexistent/dir: is not a project directory (check --dir)",
        );
    });
    it("rejects a stack file that is a device link", () => {
        fs.symlinkSync("/dev/zero", path.join(tmp, "Pulumi.zero.yaml"));
        assert.equal(
            failure(() => readStackFile(tmp, "zero")),
            `${path.join(tmp, "Pulumi.zero.yaml")}: is not a regular file`,
        );
        assert.equal(
            failure(() => readRegularFile("/dev/urandom")),
            "/dev/urandom: is not a regular file",
        );
    });
    it("rejects a top level or config that is not a mapping", () => {
        assert.equal(
            failure(() => parseStackFile("- a\n", "P.yaml")),
            "P.yaml: the top level is not a mapping (a stack file holds `config:` and its keys)",
        );
        assert.equal(
            failure(() => parseStackFile("config: [1]\n", "P.yaml")),
            'P.yaml: "config" is not a mapping (write one key per line: aihub-airgap:<key>: <value>)',
        );
    });
    it("gives file and position for duplicate keys, alias bombs and absurd nesting", () => {
        assert.equal(
            failure(() => parseStackFile("config:\n  a: 1\n  a: 2\n", "P.yaml")),
            "P.yaml:3:3: not valid YAML: Map keys must be unique",
        );
        const bomb = ["a: &a [x, x, x, x, x, x, x, x, x]"];
        for (let i = 1; i < 9; i++) {
            const prev = String.fromCharCode(96 + i);
            const cur = String.fromCharCode(97 + i);
            bomb.push(`${cur}: &${cur} [${Array(9).fill(`*${prev}`).join(", ")}]`);
        }
        assert.match(
            failure(() => parseStackFile(bomb.join("\n"), "P.yaml")),
            /^P\.yaml: not valid YAML: Excessive alias count indicates a resource exhaustion attack$/,
        );
        assert.match(
            failure(() => parseStackFile(`a: ${"[".repeat(5000)}`, "P.yaml")),
            /^P\.yaml:1:\d+: not valid YAML: nesting is deeper than 32 levels$/,
        );
        assert.equal(
            failure(() => parseStackFile(`a: ${"[".repeat(40)}${"]".repeat(40)}`, "P.yaml")),
            "P.yaml: not valid YAML: nesting is deeper than 32 levels",
        );
    });
    it("merges `<<` keys as Pulumi's yaml.v3 does: the mapping's own keys win, then earlier merge sources", () => {
        const doc = parseYamlText(
            ["base: &b { x: 1, y: 2 }", "other: &o { x: 9, z: 3 }", "m:", "  y: 5", "  <<: [*b, *o]"].join("\n"),
            "P.yaml",
        );
        assert.deepEqual((doc as { m: unknown }).m, { y: 5, x: 1, z: 3 });
        assert.equal(
            failure(() => parseYamlText("m:\n  <<: 3\n", "P.yaml")),
            "P.yaml: not valid YAML: Merge sources must be maps or map aliases",
        );
    });
    it("reads a stack file that shares disk settings through a merge key", () => {
        const text = [
            "config:",
            "  aihub-airgap:ceph:",
            "    nodes:",
            "      - hostname: w1",
            "        monDisk: &mon { path: /dev/nvme1n1, size: 10Gi }",
            "        osdDisks: [{ <<: *mon, path: /dev/nvme2n1, size: 256Gi }]",
        ].join("\n");
        const sf = parseStackFile(text, "P.yaml");
        assert.deepEqual(section(sf.values, "ceph").nodes[0].osdDisks, [{ path: "/dev/nvme2n1", size: "256Gi" }]);
    });
});
