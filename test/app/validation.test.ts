import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, it } from "node:test";
import * as pulumi from "@pulumi/pulumi";
import { credentialNameProblems, credentialValueProblem, CREDENTIALS } from "../../catalog/aihub-credentials";
import { aihubLayout } from "../../catalog/aihub-layout";
import { buildApplication } from "../../platform/application";
import { ConfigError, type Problem } from "../../lib/problems";
import type { PlatformConfig } from "../../platform/contracts";
import { validateConfig } from "../../config/validate";
import { PLATFORM_SPEC } from "../../platform/spec";
import { PROJECT_DIR, stackValues } from "../harness";

type Values = Record<string, Record<string, unknown>>;

function problems(mutate: (v: Values) => void): Problem[] {
    const values = stackValues("airgap") as Values;
    mutate(values);
    return validateConfig({ values }, { baseDir: PROJECT_DIR, missing: "warn" }, PLATFORM_SPEC).errors;
}

describe("bad application input fails validation, naming the key", () => {
    it("the committed airgap stack is valid", () => {
        assert.deepEqual(
            problems(() => {}),
            [],
        );
    });

    it("https-custom-ca mode without the TLS key", () => {
        assert.deepEqual(
            problems((v) => delete v.ingress.tlsKey),
            [
                {
                    path: "ingress.tlsKey",
                    text: "mode https-custom-ca needs the certificate's key (pulumi config set --secret --path ingress.tlsKey < key.pem)",
                },
            ],
        );
    });

    it("http with a 2025+ chart", () => {
        const p = problems((v) => (v.ingress.mode = "http"));
        assert.deepEqual(p, [
            {
                path: "ingress.mode",
                text: "AI Hub 2026.0.2 no longer serves plain HTTP (use https or https-custom-ca)",
            },
        ]);
        const legacy = problems((v) => {
            v.ingress.mode = "http";
            v.aihub.version = "2024.1.2";
            v.aihub.chart = "./bundle/charts/rapidminer-aihub-2024.1.2.tgz";
        });
        assert.deepEqual(legacy, []);
    });

    it("a values file that does not parse", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "aihub-values-"));
        const file = path.join(dir, "bad.yaml");
        fs.writeFileSync(file, "common:\n  domain: [unclosed\n");
        const p = problems((v) => (v.aihub.valuesFile = file));
        fs.rmSync(dir, { recursive: true });
        assert.equal(p.length, 1);
        assert.equal(p[0].path, "aihub.valuesFile");
        assert.match(
            p[0].text,
            /^"[^"]*bad\.yaml:3:1" not valid YAML: .* \(give a readable YAML file of at most 4 MiB, or remove aihub\.valuesFile\)$/,
        );
    });

    it("a chart file whose version does not match aihub.version", () => {
        assert.deepEqual(
            problems((v) => (v.aihub.version = "2025.1.1")),
            [
                {
                    path: "aihub.chart",
                    text: 'chart file "rapidminer-aihub-2026.0.2.tgz" does not match the declared version 2025.1.1 (use the chart of that version, e.g. rapidminer-aihub-2025.1.1.tgz, or change the version)',
                },
            ],
        );
    });

    it("an unknown credential name, named as aihub-airgap:aihub.credentials.<name>", () => {
        assert.deepEqual(
            credentialNameProblems(["adminPassword", "adminPasword"]).map((p) => p.path),
            ["aihub.credentials.adminPasword"],
        );
        const cfg = { aihub: { credentials: { adminPasword: pulumi.secret("x") } } } as unknown as PlatformConfig;
        assert.throws(
            () =>
                buildApplication(cfg, {
                    storage: {
                        rwxStorageClass: pulumi.output("a"),
                        rwoStorageClass: pulumi.output("b"),
                        storageClasses: [],
                    },
                    kube: {},
                }),
            (e: unknown) =>
                e instanceof ConfigError &&
                /aihub-airgap:aihub\.credentials\.adminPasword: is not a credential/.test(e.message),
        );
    });

    it("credential overrides must have their shape", () => {
        assert.equal(credentialValueProblem("jupyterCryptKey", "ab".repeat(32)), undefined);
        assert.deepEqual(credentialValueProblem("jupyterCryptKey", "xyz"), {
            path: "aihub.credentials.jupyterCryptKey",
            text: "must be 64 lower-case hex characters (openssl rand -hex 32) (set another value)",
        });
        assert.equal(credentialValueProblem("grafanaClientSecret", "0b9c4a52-1f0e-4b7a-9d1e-2a4c6f8e0b13"), undefined);
        assert.ok(credentialValueProblem("grafanaClientSecret", "not-a-uuid"));
        assert.ok(credentialValueProblem("adminPassword", "short"));
        assert.equal(credentialValueProblem("adminPassword", "Long-enough_password1"), undefined);
    });

    it("20 distinct credential names and paths; every path is distinct per layout", () => {
        assert.equal(new Set(CREDENTIALS.map((c) => c.name)).size, 20);
        for (const version of ["10.3.2", "2024.0.1", "2025.0.0", "2026.0.2"]) {
            const paths = CREDENTIALS.flatMap((c) => c.paths(aihubLayout(version)));
            assert.equal(new Set(paths).size, 20, version);
        }
        assert.throws(() => aihubLayout("2023.0.0"), /AI Hub chart 2023\.0\.0 is not supported/);
    });
});
