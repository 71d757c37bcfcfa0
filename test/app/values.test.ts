import * as assert from "node:assert/strict";
import { describe, it } from "node:test";
import { mapImage } from "../../lib/imageref";
import { aihubImages } from "../../catalog/aihub";
import { CREDENTIALS } from "../../catalog/aihub-credentials";
import { aihubLayout } from "../../catalog/aihub-layout";
import { deepMerge, getPath } from "../../lib/merge";
import { chartDefaultSecrets, computedValues, releaseValues } from "../../modules/aihub/values";
import { REGISTRY, sampleCredentials, valuesInput } from "./fixtures";

const R = `${REGISTRY}/rapidminer/`;

/** One version per generation, plus the versions where keys move. */
const VERSIONS = ["10.3.2", "2024.0.0", "2024.0.1", "2024.1.2", "2025.0.1", "2025.1.0", "2025.1.1", "2026.0.2"];

describe("computed values: the same contract for every chart generation", () => {
    for (const version of VERSIONS) {
        it(`${version}: domain, URLs, registry, storage, pull secret, Let's Encrypt`, () => {
            const v = computedValues(valuesInput(version));
            const expected: Record<string, unknown> = {
                "common.domain": "aihub.airgap.internal",
                "common.ssoDomain": "aihub.airgap.internal",
                "common.publicUrl": "https://aihub.airgap.internal",
                "common.ssoPublicUrl": "https://aihub.airgap.internal",
                "common.deploymentProtocol": "https",
                "common.deploymentPort": "443",
                "common.productNS": "aihub",
                "common.platform": "Other",
                "common.dockerURL": R,
                "common.imagePullSecret": "airgap-registry",
                "common.initialUser": "admin",
                "common.customCA.enabled": false,
                "storage.defaultStorageClassRWX": "rook-cephfs",
                "storage.defaultStorageClassRWO": "rook-ceph-block",
                "letsEncrypt.allowLetsEncrypt": "false",
                "grafana.repoName": `${REGISTRY}/grafana/`,
                "jupyterNoteBook.repoName": R,
            };
            for (const [p, want] of Object.entries(expected)) assert.deepEqual(getPath(v, p), want, p);
        });
    }

    it("renamed blocks: jobagent → jobagents (2024.0.1), webApiAgent → webApiAgents (2025.0)", () => {
        const keys = (ver: string) => {
            const v = computedValues(valuesInput(ver));
            return ["jobagent", "jobagents", "webApiAgent", "webApiAgents"].filter((k) => k in v);
        };
        assert.deepEqual(keys("10.3.2"), ["jobagent", "webApiAgent"]);
        assert.deepEqual(keys("2024.0.0"), ["jobagent", "webApiAgent"]);
        assert.deepEqual(keys("2024.0.1"), ["jobagents", "webApiAgent"]);
        assert.deepEqual(keys("2025.0.1"), ["jobagents", "webApiAgents"]);
        assert.deepEqual(keys("2026.0.2"), ["jobagents", "webApiAgents"]);
        // Block-level image prefix until 2025.0.x; per agent from 2025.1.0.
        assert.equal(getPath(computedValues(valuesInput("10.3.2")), "jobagent.repoName"), R);
        assert.equal(getPath(computedValues(valuesInput("2025.0.1")), "webApiAgents.repoName"), R);
        assert.equal(getPath(computedValues(valuesInput("2026.0.2")), "jobagents.repoName"), undefined);
    });

    it("public certificate only from 2025.0; custom CA wired in https-custom-ca", () => {
        assert.equal(getPath(computedValues(valuesInput("2024.1.2")), "common.publicCert"), undefined);
        assert.deepEqual(getPath(computedValues(valuesInput("2025.0.1")), "common.publicCert"), {
            tlsSecretName: "aihub-public-tls",
            passwordFile: { enabled: false, passwordSecretName: "aihub-public-tls-password" },
        });
        const ca = computedValues(valuesInput("2026.0.2", { mode: "https-custom-ca" }));
        assert.deepEqual(getPath(ca, "common.customCA"), { enabled: true, tlsSecretName: "customca" });
    });

    it("http mode (before 2025.0) gives http URLs on port 80", () => {
        const v = computedValues(valuesInput("2024.1.2", { mode: "http" }));
        assert.equal(getPath(v, "common.publicUrl"), "http://aihub.airgap.internal");
        assert.equal(getPath(v, "common.ssoPublicUrl"), "http://aihub.airgap.internal");
        assert.equal(getPath(v, "common.deploymentPort"), "80");
        assert.equal(getPath(v, "common.deploymentProtocol"), "http");
    });

    it("RWO falls back to whatever class the storage half passes (CephFS when no block pool)", () => {
        const v = computedValues(valuesInput("2026.0.2", { rwoStorageClass: "rook-cephfs" }));
        assert.equal(getPath(v, "storage.defaultStorageClassRWO"), "rook-cephfs");
    });

    for (const version of ["10.3.2", "2024.1.2", "2025.0.1", "2026.0.2"]) {
        it(`${version}: every credential lands at its path; none is a chart default`, () => {
            const creds = sampleCredentials();
            const v = computedValues(valuesInput(version, { credentials: creds }));
            const l = aihubLayout(version);
            let count = 0;
            for (const c of CREDENTIALS) {
                for (const p of c.paths(l)) {
                    assert.equal(getPath(v, p), creds[c.name], p);
                    count++;
                }
            }
            assert.equal(count, 20);
            assert.deepEqual(chartDefaultSecrets(v), []);
        });
    }

    it("the license goes to license.rapidminer.licenseValue only when given", () => {
        assert.equal(getPath(computedValues(valuesInput("2026.0.2")), "license"), undefined);
        const v = computedValues(valuesInput("2026.0.2", { license: "LIC" }));
        assert.equal(getPath(v, "license.rapidminer.licenseValue"), "LIC");
    });
});

describe("layering: site defaults < vendor file < computed < inline", () => {
    it("computed wins over the vendor file, inline wins over both, vendor fills the rest", () => {
        const vendor = {
            common: { timeZone: "Europe/Berlin", dockerURL: "docker.io/rapidminer/", platform: "EKS" },
            aihubDB: { dbUser: "hub" },
            aihubBackend: { storageSize: "500Gi" },
        };
        const inline = { common: { platform: "OpenShift" }, aihubBackend: { memLimit: "8G" } };
        const v = releaseValues(valuesInput("2026.0.2"), vendor, inline);
        assert.equal(getPath(v, "common.timeZone"), "Europe/Berlin");
        assert.equal(getPath(v, "common.dockerURL"), R);
        assert.equal(getPath(v, "common.platform"), "OpenShift");
        assert.equal(getPath(v, "aihubDB.dbUser"), "hub");
        assert.equal(getPath(v, "aihubDB.dbName"), "aihub");
        assert.equal(getPath(v, "keycloakDB.dbUser"), "keycloak");
        assert.deepEqual(getPath(v, "aihubBackend"), {
            storageSize: "500Gi",
            memLimit: "8G",
            ssoClientSecret: sampleCredentials().backendClientSecret,
        });
    });

    it("agents listed in the vendor file get the private registry from 2025.1 (per-agent images)", () => {
        const vendor = {
            jobagents: { agents: [{ imageName: "rapidminer-jobagent", repoName: "rapidminer/" }, { imageName: "x" }] },
            webApiAgents: { agents: [{ imageName: "rapidminer-scoringagent" }] },
        };
        const v = releaseValues(valuesInput("2025.1.1"), vendor, {});
        assert.deepEqual(getPath(v, "jobagents.agents"), [
            { imageName: "rapidminer-jobagent", repoName: R },
            { imageName: "x", repoName: R },
        ]);
        assert.deepEqual(getPath(v, "webApiAgents.agents"), [{ imageName: "rapidminer-scoringagent", repoName: R }]);
        // Before 2025.1 the block-level key carries it and agent entries are left alone.
        const old = releaseValues(valuesInput("2025.0.1"), { jobagents: { agents: [{ name: "a" }] } }, {});
        assert.deepEqual(getPath(old, "jobagents.agents"), [{ name: "a" }]);
        assert.equal(getPath(old, "jobagents.repoName"), R);
    });

    it("deepMerge replaces lists and scalars, merges mappings, leaves inputs untouched", () => {
        const a = { x: { y: 1, z: [1, 2] } };
        const b = { x: { z: [3] }, w: null };
        assert.deepEqual(deepMerge(a, b), { x: { y: 1, z: [3] }, w: null });
        assert.deepEqual(a, { x: { y: 1, z: [1, 2] } });
    });
});

describe("chart default detection", () => {
    it("finds changeit, changit and placeholders under secret keys only", () => {
        const found = chartDefaultSecrets({
            common: { initialPass: "<ADMIN-PASS-PLACEHOLDER>", domain: "<FQDN-PLACEHOLDER>" },
            proxy: { metrics: { authBasic: { user: "admin", password: "changit" } } },
            scoringAgent: { basicAuth: { password: "changeit" } },
            webApiGateway: { webapiRegistryPassword: "<>WEBAPI-REGISTRY-PASSWORD-PLACEHOLDER" },
            jupyterHub: { cryptKey: "ab".repeat(32) },
        });
        assert.deepEqual(found, [
            "common.initialPass",
            "proxy.metrics.authBasic.password",
            "scoringAgent.basicAuth.password",
            "webApiGateway.webapiRegistryPassword",
        ]);
    });
});

describe("image catalog matches the values' registry mapping", () => {
    it("counts per version (facts §5.2): 26 refs up to 2025.1.0, 27 from 2025.1.1", () => {
        assert.equal(aihubImages("10.3.2").length, 26);
        assert.equal(aihubImages("2025.1.0").length, 26);
        assert.equal(aihubImages("2025.1.1").length, 27);
        assert.equal(aihubImages("2026.0.2").length, 27);
        assert.ok(aihubImages("2026.0.2").includes("docker.io/rapidminer/rapidminer-aihub:2026.0.2"));
        assert.ok(aihubImages("2026.0.2").includes("docker.io/grafana/grafana:12.3.2-ubuntu"));
        assert.ok(aihubImages("2026.0.2").includes("docker.io/rapidminer/postgres-17:2026.0.2"));
        assert.ok(aihubImages("2025.1.1").includes("docker.io/library/busybox:latest"));
        assert.ok(aihubImages("2024.1.2").includes("docker.io/rapidminer/postgres-14:2024.1.2"));
    });

    it("throws naming an unknown version", () => {
        assert.throws(() => aihubImages("2023.1.0"), /AI Hub chart 2023\.1\.0 is not in the image catalog/);
    });

    for (const version of ["10.3.2", "2025.1.1", "2026.0.2"]) {
        it(`${version}: every catalog image maps under dockerURL or grafana.repoName of the values`, () => {
            const v = computedValues(valuesInput(version));
            const prefixes = [getPath(v, "common.dockerURL"), getPath(v, "grafana.repoName")] as string[];
            for (const ref of aihubImages(version)) {
                const target = mapImage(ref, REGISTRY);
                if (ref === "docker.io/library/busybox:latest") {
                    // Hard-coded in 2025.1.1's template; mirrored as R/library/busybox:latest (README).
                    assert.equal(target, `${REGISTRY}/library/busybox:latest`);
                    continue;
                }
                assert.ok(
                    prefixes.some((p) => target.startsWith(p)),
                    `${ref} → ${target} not under ${prefixes.join(" or ")}`,
                );
            }
        });
    }
});
