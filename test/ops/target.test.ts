/** Which cluster the live-cluster commands use, and the kubeconfig forms they read. */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, it } from "node:test";
import { clusterAccess, loadOpsTarget } from "../../ops/target";
import { readKubeconfig } from "../../lib/kubeconfig";

describe("live-cluster commands: target and cluster access", () => {
    it("flags over the stack's kubernetes key over KUBECONFIG over ~/.kube/config", () => {
        const stack = { kubernetes: { kubeconfig: "/s/kc", context: "s" } };
        const env = { KUBECONFIG: `/e/kc${path.delimiter}/e/other` };
        assert.deepEqual(clusterAccess({ kubeconfig: "/f/kc", context: "f" }, stack, env), {
            kubeconfig: "/f/kc",
            context: "f",
        });
        assert.deepEqual(clusterAccess({}, stack, env), { kubeconfig: "/s/kc", context: "s" });
        assert.deepEqual(clusterAccess({}, { kubernetes: {} }, env), { kubeconfig: "/e/kc", context: undefined });
        assert.equal(clusterAccess({}, { kubernetes: {} }, {}).kubeconfig, path.join(os.homedir(), ".kube", "config"));
    });

    it("reads the repository's stacks: namespaces, URL, running by default", () => {
        const t = loadOpsTarget(path.resolve(__dirname, "..", ".."), "airgap");
        assert.equal(t.rookNamespace, "rook-ceph");
        assert.equal(t.aihubNamespace, "aihub");
        assert.equal(t.url, "https://aihub.airgap.internal");
        assert.equal(t.running, true);
        assert.deepEqual(t.kubernetes, {});
    });

    it("kubeconfig: a named context, certificates in files, a token user; an exec plugin is refused by name", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kc-"));
        fs.writeFileSync(path.join(dir, "ca.pem"), "CA");
        fs.writeFileSync(path.join(dir, "c.pem"), "CERT");
        fs.writeFileSync(path.join(dir, "k.pem"), "KEY");
        const file = path.join(dir, "config");
        fs.writeFileSync(
            file,
            [
                "current-context: a",
                "contexts:",
                "  - { name: a, context: { cluster: c1, user: certs } }",
                "  - { name: b, context: { cluster: c1, user: tok } }",
                "  - { name: x, context: { cluster: c1, user: plugin } }",
                "clusters:",
                "  - { name: c1, cluster: { server: 'https://10.0.0.1:6443', certificate-authority: ca.pem } }",
                "users:",
                "  - { name: certs, user: { client-certificate: c.pem, client-key: k.pem } }",
                "  - { name: tok, user: { token: abc } }",
                "  - { name: plugin, user: { exec: { command: aws } } }",
            ].join("\n"),
        );
        try {
            assert.deepEqual(readKubeconfig(file), {
                server: "https://10.0.0.1:6443",
                ca: "CA",
                cert: "CERT",
                key: "KEY",
                token: undefined,
            });
            assert.equal(readKubeconfig(file, "b").token, "abc");
            assert.throws(
                () => readKubeconfig(file, "x"),
                /user "plugin" has an exec plugin, which this tool does not run/,
            );
            assert.throws(() => readKubeconfig(file, "nope"), /no context named "nope"/);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});
