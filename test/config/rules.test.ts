import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { airgap, check, section } from "./helpers";
import { PLATFORM_SPEC } from "../../platform/spec";

/** Asserts exactly one error whose line is `expected` (full text). */
function assertOnly(values: Record<string, unknown>, expected: string, secure?: ReadonlySet<string>) {
    const r = check(values, secure ?? airgap().secure);
    assert.deepEqual(r.lines, [expected]);
    assert.equal(r.config, undefined);
}

describe("config rules: the committed stacks pass", () => {
    for (const stack of ["airgap", "lab"]) {
        it(`${stack} validates with no errors`, async () => {
            const { stackValues, PROJECT_DIR } = await import("../harness");
            const { readStackFile } = await import("../../config/stackfile");
            const r = check(stackValues(stack), readStackFile(PROJECT_DIR, stack).securePaths);
            assert.deepEqual(r.lines, []);
            assert.ok(r.config);
        });
    }
});

describe("config rules: mons", () => {
    it("rejects an even mon count", () => {
        const { values } = airgap();
        section(values, "ceph").monCount = 2;
        assertOnly(values, "aihub-airgap:ceph.monCount: must be odd so the mons can form a majority (use 1, 3 or 5)");
    });
    it("rejects more than 9 mons", () => {
        const { values } = airgap();
        section(values, "ceph").monCount = 11;
        assertOnly(values, "aihub-airgap:ceph.monCount: 11 is outside 1–9 (use 1, 3 or 5)");
    });
    it("rejects more mons than nodes with a mon disk", () => {
        const { values } = airgap();
        section(values, "ceph").monCount = 5;
        assertOnly(
            values,
            "aihub-airgap:ceph.monCount: 5 mons need 5 nodes with a monDisk, but 3 have one (add monDisk to more ceph.nodes or lower ceph.monCount)",
        );
    });
    it("accepts 1 mon on 3 nodes", () => {
        const { values } = airgap();
        section(values, "ceph").monCount = 1;
        assert.deepEqual(check(values).lines, []);
    });
});

describe("config rules: disks and hosts", () => {
    it("rejects a duplicated hostname", () => {
        const { values } = airgap();
        section(values, "ceph").nodes[2].hostname = "worker1";
        const r = check(values);
        assert.ok(
            r.lines.includes(
                'aihub-airgap:ceph.nodes[2].hostname: "worker1" is listed twice, also at ceph.nodes[0] (merge the two entries into one)',
            ),
            r.lines.join("\n"),
        );
    });
    it("rejects the same device used twice on a node", () => {
        const { values } = airgap();
        section(values, "ceph").nodes[1].osdDisks[0].path = "/dev/nvme1n1";
        assertOnly(
            values,
            "aihub-airgap:ceph.nodes[1].osdDisks[0].path: disk /dev/nvme1n1 on worker2 is already used by ceph.nodes[1].monDisk (give each mon and OSD its own device)",
        );
    });
    it("accepts the same device path on different nodes", () => {
        const { values } = airgap();
        assert.equal(section(values, "ceph").nodes[0].monDisk.path, section(values, "ceph").nodes[1].monDisk.path);
        assert.deepEqual(check(values).lines, []);
    });
    it("rejects an OSD disk below 5Gi and warns below 10Gi", () => {
        const { values } = airgap();
        section(values, "ceph").nodes[0].osdDisks[0].size = "4Gi";
        section(values, "ceph").nodes[1].osdDisks[0].size = "8Gi";
        const r = check(values);
        assert.deepEqual(r.lines, [
            "aihub-airgap:ceph.nodes[0].osdDisks[0].size: 4Gi is below 5Gi, the smallest device ceph-volume accepts (use a disk of at least 5Gi)",
        ]);
        assert.ok(r.warnings.some((w) => w.path === "ceph.nodes[1].osdDisks[0].size"));
    });
    it("rejects a size that is not a quantity and a path outside /dev", () => {
        const { values } = airgap();
        section(values, "ceph").nodes[0].monDisk = { path: "nvme1n1", size: "10 GB" };
        const r = check(values);
        assert.deepEqual(r.lines, [
            "aihub-airgap:ceph.nodes[0].monDisk.path: is not a device path under /dev (write it like /dev/nvme1n1 or /dev/disk/by-id/<id>)",
            "aihub-airgap:ceph.nodes[0].monDisk.size: is not a Kubernetes quantity (write it like 10Gi or 256Gi)",
        ]);
    });
    it("rejects unknown keys with their full path", () => {
        const { values } = airgap();
        section(values, "ceph").nodes[0].osdDisk = [];
        assertOnly(
            values,
            "aihub-airgap:ceph.nodes[0].osdDisk: is not a known key (remove it or fix the spelling; see docs/configuration.md)",
        );
    });
    it("requires at least one OSD disk", () => {
        const { values } = airgap();
        for (const n of section(values, "ceph").nodes) n.osdDisks = [];
        assertOnly(values, "aihub-airgap:ceph.nodes: no node has osdDisks (add at least one OSD disk)");
    });
});

describe("config rules: replicas and MDS", () => {
    it("rejects a replica size above the hosts with OSD disks", () => {
        const { values } = airgap();
        section(values, "ceph").nodes[2].osdDisks = [];
        assertOnly(
            values,
            "aihub-airgap:ceph.replicas: replica size 3 needs 3 hosts with OSD disks, but 2 have them (lower ceph.replicas or add osdDisks to more nodes)",
        );
    });
    it("rejects replica size 1 unless requireSafeReplicaSize is false", () => {
        const { values } = airgap();
        section(values, "ceph").replicas = 1;
        assertOnly(
            values,
            "aihub-airgap:ceph.replicas: replica size 1 keeps a single copy of every object (use 3, or for a lab set ceph.requireSafeReplicaSize: false)",
        );
        section(values, "ceph").requireSafeReplicaSize = false;
        assert.deepEqual(check(values).lines, []);
    });
    it("rejects more MDS pods than nodes unless several per node are allowed", () => {
        const { values } = airgap();
        section(values, "ceph").filesystem.activeMds = 2;
        assertOnly(
            values,
            "aihub-airgap:ceph.filesystem.activeMds: 4 MDS pods need 4 nodes (one per node), but ceph.nodes has 3 (lower activeMds, set activeStandby: false, or set ceph.allowMultiplePerNode: true)",
        );
        section(values, "ceph").allowMultiplePerNode = true;
        assert.deepEqual(check(values).lines, []);
    });
    it("rejects a reserved dataDirHostPath", () => {
        const { values } = airgap();
        section(values, "ceph").dataDirHostPath = "/var/log/ceph";
        assertOnly(values, "aihub-airgap:ceph.dataDirHostPath: is a path Rook reserves (use /var/lib/rook)");
    });
});

describe("config rules: versions and charts", () => {
    it("requires the csi drivers chart for Rook >= 1.20", () => {
        const { values } = airgap();
        delete section(values, "rook").csiDriversChart;
        assertOnly(
            values,
            "aihub-airgap:rook.csiDriversChart: Rook v1.20.6 deploys CSI through the ceph-csi-drivers chart, which is not set (set it, e.g. ./bundle/charts/ceph-csi-drivers-1.0.4.tgz)",
        );
    });
    it("rejects a csi drivers chart for Rook v1.9", () => {
        const { values } = airgap();
        Object.assign(section(values, "rook"), { version: "v1.9.8", chart: "./bundle/charts/rook-ceph-v1.9.8.tgz" });
        section(values, "ceph").image = "quay.io/ceph/ceph:v16.2.10";
        assertOnly(
            values,
            "aihub-airgap:rook.csiDriversChart: Rook v1.9.8 deploys CSI itself and takes no ceph-csi-drivers chart (remove rook.csiDriversChart)",
        );
        delete section(values, "rook").csiDriversChart;
        assert.deepEqual(check(values).lines, []);
    });
    it("rejects a chart file whose name does not match the version", () => {
        const { values } = airgap();
        section(values, "rook").chart = "./bundle/charts/rook-ceph-v1.19.10.tgz";
        section(values, "aihub").chart = "./bundle/charts/rapidminer-aihub-2025.1.1.tgz";
        assert.deepEqual(check(values).lines, [
            'aihub-airgap:rook.chart: chart file "rook-ceph-v1.19.10.tgz" does not match the declared version v1.20.6 (use the chart of that version, e.g. rook-ceph-v1.20.6.tgz, or change the version)',
            'aihub-airgap:aihub.chart: chart file "rapidminer-aihub-2025.1.1.tgz" does not match the declared version 2026.0.2 (use the chart of that version, e.g. rapidminer-aihub-2026.0.2.tgz, or change the version)',
        ]);
    });
    it("turns a missing chart into an error for pulumi up and a warning for plan", async () => {
        const { values } = airgap();
        const { validateConfig } = await import("../../config/validate");
        const { PROJECT_DIR } = await import("../harness");
        const up = validateConfig({ values }, { baseDir: PROJECT_DIR, missing: "error" }, PLATFORM_SPEC);
        assert.ok(up.errors.some((e) => e.path === "rook.chart" && /does not exist/.test(e.text)));
        const plan = validateConfig({ values }, { baseDir: PROJECT_DIR, missing: "warn" }, PLATFORM_SPEC);
        assert.deepEqual(plan.errors, []);
        assert.ok(plan.warnings.some((e) => e.path === "rook.chart" && /does not exist/.test(e.text)));
    });
    it("rejects an unpinned or unsupported Ceph image", () => {
        const { values } = airgap();
        section(values, "ceph").image = "quay.io/ceph/ceph:v19";
        assertOnly(
            values,
            'aihub-airgap:ceph.image: tag "v19" is not a pinned Ceph release (pin vX.Y.Z, e.g. quay.io/ceph/ceph:v19.2.3; floating tags mix versions)',
        );
        section(values, "ceph").image = "quay.io/ceph/ceph:v17.2.7";
        assertOnly(
            values,
            "aihub-airgap:ceph.image: Ceph v17 is not supported by Rook v1.20.6 (use a Ceph v19–v20 image)",
        );
    });
    it("rejects an unsupported AI Hub version", () => {
        const { values } = airgap();
        Object.assign(section(values, "aihub"), {
            version: "9.10.11",
            chart: "./bundle/charts/rapidminer-aihub-9.10.11.tgz",
        });
        assertOnly(
            values,
            "aihub-airgap:aihub.version: 9.10.11 is not a known AI Hub chart version (use one of: 10.3.1, 10.3.2, 2024.0.0, 2024.0.1, 2024.0.3, 2024.1.0, 2024.1.1, 2024.1.2, 2025.0.0, 2025.0.1, 2025.1.0, 2025.1.1, 2026.0.0, 2026.0.2; or add it to catalog/aihub.ts)",
        );
    });
});

describe("config rules: ingress", () => {
    it("rejects http for AI Hub >= 2025.0 and allows it for 2024.x", () => {
        const { values } = airgap();
        section(values, "ingress").mode = "http";
        assertOnly(
            values,
            "aihub-airgap:ingress.mode: AI Hub 2026.0.2 no longer serves plain HTTP (use https or https-custom-ca)",
        );
        Object.assign(section(values, "aihub"), {
            version: "2024.1.2",
            chart: "./bundle/charts/rapidminer-aihub-2024.1.2.tgz",
        });
        assert.deepEqual(check(values).lines, []);
    });
    it("requires certificate and key in https modes, and the CA in https-custom-ca", () => {
        const { values, secure } = airgap();
        delete section(values, "ingress").tlsKey;
        delete section(values, "ingress").tlsCert;
        delete section(values, "ingress").caCert;
        section(values, "ingress").mode = "https-custom-ca";
        assert.deepEqual(check(values, secure).lines, [
            "aihub-airgap:ingress.tlsCert: mode https-custom-ca needs the full-chain PEM certificate (set ingress.tlsCert, or turn on addons.certManager to issue one)",
            "aihub-airgap:ingress.tlsKey: mode https-custom-ca needs the certificate's key (pulumi config set --secret --path ingress.tlsKey < key.pem)",
            "aihub-airgap:ingress.caCert: mode https-custom-ca needs the CA certificate (set ingress.caCert)",
        ]);
    });
    it("rejects an unknown mode", () => {
        const { values } = airgap();
        section(values, "ingress").mode = "tls";
        assertOnly(
            values,
            "aihub-airgap:ingress.mode: is not a known mode (use http, https, https-custom-ca or gateway)",
        );
    });
});

describe("config rules: secrets", () => {
    it("rejects a secret given in plain text and accepts it encrypted", () => {
        const { values, secure } = airgap();
        const plain = new Set([...secure].filter((p) => p !== "registry.password"));
        assertOnly(
            values,
            "aihub-airgap:registry.password: is a secret given in plain text (remove it from the stack file and run: pulumi config set --secret --path registry.password, which prompts for it)",
            plain,
        );
        assert.deepEqual(check(values, secure).lines, []);
    });
    it("checks every credential override", () => {
        const { values, secure } = airgap();
        section(values, "aihub").credentials = { adminPassword: "x".repeat(20) };
        assertOnly(
            values,
            "aihub-airgap:aihub.credentials.adminPassword: is a secret given in plain text (remove it from the stack file and run: pulumi config set --secret --path aihub.credentials.adminPassword, which prompts for it)",
            secure,
        );
    });
    it("keeps secret values as Pulumi secrets after parsing", async () => {
        const pulumi = await import("@pulumi/pulumi");
        const r = check(airgap().values);
        assert.ok(r.config);
        assert.equal(await pulumi.isSecret(r.config.registry.password), true);
        assert.equal(await pulumi.isSecret(r.config.ingress.tlsKey!), true);
    });
});

describe("config rules: all problems at once", () => {
    it("lists an even mon count, a duplicated disk and a plain-text password together", () => {
        const { values, secure } = airgap();
        section(values, "ceph").monCount = 2;
        section(values, "ceph").nodes[0].osdDisks.push({ path: "/dev/nvme2n1", size: "256Gi" });
        const plain = new Set([...secure].filter((p) => p !== "registry.password"));
        const r = check(values, plain);
        assert.deepEqual(r.lines, [
            "aihub-airgap:registry.password: is a secret given in plain text (remove it from the stack file and run: pulumi config set --secret --path registry.password, which prompts for it)",
            "aihub-airgap:ceph.nodes[0].osdDisks[1].path: disk /dev/nvme2n1 on worker1 is already used by ceph.nodes[0].osdDisks[0] (give each mon and OSD its own device)",
            "aihub-airgap:ceph.monCount: must be odd so the mons can form a majority (use 1, 3 or 5)",
        ]);
    });
    it("reports a missing required section", () => {
        const { values } = airgap();
        delete values.rook;
        assertOnly(values, "aihub-airgap:rook: is missing (set it in Pulumi.<stack>.yaml)");
    });
});
