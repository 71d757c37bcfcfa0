/* eslint-disable @typescript-eslint/no-explicit-any -- tests walk untyped manifests */
/**
 * What Rook's own v1.20.6 examples do and a real cluster needs: the RBD StorageClass's controller-publish secret
 * (deploy/examples/csi/rbd/storageclass.yaml), a toolbox that follows mon address changes (toolbox.yaml), and a
 * one-replica `.mgr` pool for a one-node lab (cluster-test.yaml's `builtin-mgr`).
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, it } from "node:test";
import { cephClusterSpec, toolboxSpec } from "../../modules/ceph/cluster-manifests";
import { MGR_POOL_CR_NAME, mgrPoolSpec, rbdStorageClassSpec } from "../../modules/ceph/fs-manifests";
import { crdErrors, crdFile } from "../helpers/crd";
import { airgapV198, stackConfig } from "./helpers";

const scope = (rookVersion: string) => ({ operatorNamespace: "rook-ceph", clusterNamespace: "rook-ceph", rookVersion });

describe("RBD StorageClass", () => {
    it("v1.20: carries the secrets of Rook v1.20.6's example, controller-publish included", () => {
        const sc = rbdStorageClassSpec("rook-ceph-block", "replicapool", scope("v1.20.6")) as any;
        assert.deepEqual(
            Object.keys(sc.parameters)
                .filter((k) => k.includes("-secret-"))
                .sort(),
            [
                "csi.storage.k8s.io/controller-expand-secret-name",
                "csi.storage.k8s.io/controller-expand-secret-namespace",
                "csi.storage.k8s.io/controller-publish-secret-name",
                "csi.storage.k8s.io/controller-publish-secret-namespace",
                "csi.storage.k8s.io/node-stage-secret-name",
                "csi.storage.k8s.io/node-stage-secret-namespace",
                "csi.storage.k8s.io/provisioner-secret-name",
                "csi.storage.k8s.io/provisioner-secret-namespace",
            ],
        );
        assert.equal(sc.parameters["csi.storage.k8s.io/controller-publish-secret-name"], "rook-csi-rbd-provisioner");
        assert.equal(sc.parameters["csi.storage.k8s.io/controller-publish-secret-namespace"], "rook-ceph");
    });

    it("v1.9.8: as its example, without controller-publish", () => {
        const sc = rbdStorageClassSpec("rook-ceph-block", "replicapool", scope("v1.9.8")) as any;
        assert.equal(sc.parameters["csi.storage.k8s.io/controller-publish-secret-name"], undefined);
        assert.equal(sc.parameters["csi.storage.k8s.io/node-stage-secret-name"], "rook-csi-rbd-node");
    });
});

/** Writes a ConfigMap/Secret volume the way kubelet's atomic writer does: files behind a swapped `..data` link. */
function writeVolume(dir: string, files: Record<string, string>, generation: number): void {
    fs.mkdirSync(dir, { recursive: true });
    const ts = `..gen_${generation}`;
    fs.mkdirSync(path.join(dir, ts));
    for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, ts, name), text);
    fs.symlinkSync(ts, path.join(dir, "..data_tmp"));
    fs.renameSync(path.join(dir, "..data_tmp"), path.join(dir, "..data"));
    for (const name of Object.keys(files)) {
        if (!fs.existsSync(path.join(dir, name))) fs.symlinkSync(path.join("..data", name), path.join(dir, name));
    }
}

async function until(what: string, check: () => boolean, ms: number): Promise<void> {
    const end = Date.now() + ms;
    while (!check()) {
        if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
        await new Promise((r) => setTimeout(r, 200));
    }
}

describe("toolbox", () => {
    it("rewrites ceph.conf when the mon endpoints change, and merges the config override", async () => {
        const spec = toolboxSpec({
            namespace: "rook-ceph",
            cephImage: "quay.io/ceph/ceph:v19.2.3",
            registry: "r:5000",
            pullSecretName: "p",
            rookVersion: "v1.20.6",
        }) as any;
        const pod = spec.spec.template.spec;
        const c = pod.containers[0];
        const volumes = new Map<string, any>(pod.volumes.map((v: any) => [v.name, v]));
        const mountOf = (pred: (v: any) => boolean) =>
            c.volumeMounts.find((m: any) => pred(volumes.get(m.name))).mountPath as string;
        assert.equal(
            pod.volumes.find((v: any) => v.configMap?.name === "rook-config-override").configMap.optional,
            true,
        );

        // Run the container's own script with each mount moved into a temp dir.
        const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "toolbox-"));
        let script = c.command[2] as string;
        const mounts = [...c.volumeMounts].sort((a: any, b: any) => b.mountPath.length - a.mountPath.length);
        const dirOf = new Map<string, string>();
        mounts.forEach((m: any, i: number) => {
            dirOf.set(m.mountPath, path.join(tmp, `m${i}`));
            script = script.split(m.mountPath).join(path.join(tmp, `m${i}`));
        });
        const endpointsDir = dirOf.get(mountOf((v) => v.configMap?.name === "rook-ceph-mon-endpoints"))!;
        const secretDir = dirOf.get(mountOf((v) => v.secret?.secretName === "rook-ceph-mon"))!;
        const overrideDir = dirOf.get(mountOf((v) => v.configMap?.name === "rook-config-override"))!;
        const confDir = dirOf.get(mountOf((v) => v.emptyDir !== undefined))!;
        fs.mkdirSync(confDir);
        fs.mkdirSync(overrideDir);
        writeVolume(endpointsDir, { "mon-endpoints": "a=10.0.0.1:6789,b=10.0.0.2:6789,c=10.0.0.3:6789" }, 1);
        writeVolume(secretDir, { "secret.keyring": "AQBkey==" }, 1);
        const child = spawn(c.command[0], [c.command[1], script], {
            env: { ...process.env, ROOK_CEPH_USERNAME: "client.admin" },
            stdio: "ignore",
        });
        const conf = () =>
            fs.existsSync(path.join(confDir, "ceph.conf"))
                ? fs.readFileSync(path.join(confDir, "ceph.conf"), "utf8")
                : "";
        try {
            await until("the first ceph.conf", () => conf().includes("mon_host = 10.0.0.1:6789,10.0.0.2:6789"), 10_000);
            assert.equal(fs.readFileSync(path.join(confDir, "keyring"), "utf8"), "[client.admin]\nkey = AQBkey==\n");
            // A mon failed over to a new address: kubelet swaps the ConfigMap volume's ..data link.
            writeVolume(endpointsDir, { "mon-endpoints": "a=10.0.0.1:6789,b=10.0.0.2:6789,d=10.0.0.9:6789" }, 2);
            writeVolume(overrideDir, { config: "[global]\nosd_pool_default_size = 1\n" }, 1);
            await until("ceph.conf with the new mon", () => conf().includes("10.0.0.9:6789"), 30_000);
            assert.match(conf(), /mon_host = 10\.0\.0\.1:6789,10\.0\.0\.2:6789,10\.0\.0\.9:6789\n/);
            assert.match(conf(), /osd_pool_default_size = 1/);
            assert.equal(child.exitCode, null, "the toolbox keeps running");
        } finally {
            child.kill("SIGTERM");
            await new Promise((r) => (child.exitCode !== null ? r(null) : child.once("exit", r)));
            fs.rmSync(tmp, { recursive: true, force: true });
        }
        assert.equal(child.exitCode, 0, "SIGTERM ends the toolbox cleanly");
    });
});

describe("one-node lab: Ceph's .mgr pool", () => {
    it("lab (1 replica): a builtin-mgr CephBlockPool sizes .mgr to 1, valid against the v1.20.6 CRD", () => {
        const cfg = stackConfig("lab");
        const spec = mgrPoolSpec(cfg.ceph);
        assert.deepEqual(spec, {
            name: ".mgr",
            failureDomain: "host",
            replicated: { size: 1, requireSafeReplicaSize: false },
        });
        const obj = {
            apiVersion: "ceph.rook.io/v1",
            kind: "CephBlockPool",
            metadata: { name: MGR_POOL_CR_NAME, namespace: "rook-ceph" },
            spec,
        };
        assert.deepEqual(crdErrors(crdFile("v1.20.6"), obj), []);
        assert.deepEqual(crdErrors(crdFile("v1.9.8"), obj), []);
        // Ceph also warns about every size-1 pool, and about fewer OSDs than its default pool size (TOO_FEW_OSDS);
        // the lab sets both as cluster-test.yaml does (test/sim/rook.test.ts: the lab's health).
        const cluster = cephClusterSpec({ ceph: cfg.ceph, registry: "r:5000", rookVersion: "v1.20.6" }) as any;
        assert.deepEqual(cluster.cephConfig, {
            global: { osd_pool_default_size: "1", mon_warn_on_pool_no_redundancy: "false" },
        });
        assert.deepEqual(
            crdErrors(crdFile("v1.20.6"), {
                apiVersion: "ceph.rook.io/v1",
                kind: "CephCluster",
                metadata: { name: "x" },
                spec: cluster,
            }),
            [],
        );
    });

    it("2 replicas: .mgr gets 2; 3 or more: Ceph's default is kept and no pool CR is made", () => {
        const two = stackConfig("airgap", (v) => {
            v.ceph.replicas = 2;
        });
        assert.deepEqual((mgrPoolSpec(two.ceph) as any).replicated, { size: 2, requireSafeReplicaSize: true });
        assert.deepEqual((cephClusterSpec({ ceph: two.ceph, registry: "r:5000" }) as any).cephConfig, {
            global: { osd_pool_default_size: "2" },
        });
        assert.equal(mgrPoolSpec(stackConfig("airgap").ceph), undefined);
        assert.equal(mgrPoolSpec(airgapV198().ceph), undefined);
        const airgap = cephClusterSpec({ ceph: stackConfig("airgap").ceph, registry: "r:5000" }) as any;
        assert.equal(airgap.cephConfig, undefined);
    });
});
