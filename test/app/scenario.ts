/** AiHub + AiHubIngress built directly under mocks, with fake StorageClasses standing in for the storage half. */
import * as assert from "node:assert/strict";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { AiHub } from "../../modules/aihub/aihub";
import { AiHubIngress } from "../../modules/aihub/aihub-ingress";
import { writePostRenderScript } from "../../modules/aihub/postrender-script";
import { Recorder, settle, type Registration } from "../harness";
import { REGISTRY } from "./fixtures";

export const CERT = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
export const CA = "-----BEGIN CERTIFICATE-----\nCAAA\n-----END CERTIFICATE-----\n";

/** Builds AiHub + Ingress for one chart version and mode under fresh mocks. */
export async function scenario(
    version: string,
    mode: "http" | "https" | "https-custom-ca",
    credentials: Record<string, pulumi.Input<string>> = {},
): Promise<Recorder> {
    const rec = await Recorder.install("aihub-airgap", "unit");
    await pulumi.runtime.runInPulumiStack(async () => {
        const rwx = new k8s.storage.v1.StorageClass("sc-rwx", {
            metadata: { name: "rook-cephfs" },
            provisioner: "rook-ceph.cephfs.csi.ceph.com",
        });
        const rwo = new k8s.storage.v1.StorageClass("sc-rwo", {
            metadata: { name: "rook-ceph-block" },
            provisioner: "rook-ceph.rbd.csi.ceph.com",
        });
        const tls = mode === "http" ? {} : { tlsCert: CERT, tlsKey: pulumi.secret("KEY") };
        const hub = new AiHub("aihub", {
            version,
            chart: `./bundle/charts/rapidminer-aihub-${version}.tgz`,
            namespace: "aihub",
            releaseName: "rapidminer-aihub",
            domain: "aihub.airgap.internal",
            registry: {
                server: REGISTRY,
                username: "k8s",
                password: pulumi.secret("pw"),
                pullSecretName: "airgap-registry",
            },
            rwxStorageClass: rwx.metadata.name,
            rwoStorageClass: rwo.metadata.name,
            mode,
            ...tls,
            caCert: mode === "https-custom-ca" ? CA : undefined,
            vendorValues: { common: { timeZone: "Europe/Berlin" } },
            credentials,
            postRenderer: writePostRenderScript(process.cwd(), { registry: REGISTRY, stopped: false }),
            dependsOn: [rwx, rwo],
        });
        new AiHubIngress("aihub-ingress", {
            version,
            namespace: hub.namespace,
            host: "aihub.airgap.internal",
            className: "nginx",
            mode,
            ...tls,
            dependsOn: [hub.release],
        });
        return {};
    });
    await settle();
    return rec;
}

/** The one custom resource with this name (components may share it). */
export const custom = (rec: Recorder, name: string): Registration => {
    const found = rec.all().filter((r) => r.name === name && r.custom);
    assert.equal(found.length, 1, `custom resources named ${name}`);
    return found[0];
};
