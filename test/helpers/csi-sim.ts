/**
 * A simulated cluster made ready for VolumeSnapshots and provisioning behind Rook's CSI drivers, as the backup and
 * restore sim tests need it.
 */
import { snapshotCrds } from "../../modules/ceph/snapshot-crds";
import type { SimHandle } from "../../testing/sim";
import { startCsi } from "../../testing/sim/csi";
import { eventually } from "./eventually";

/**
 * Installs the VolumeSnapshot CRDs and waits until every one is established, starts the real CSI controllers
 * (testing/sim/csi.ts) for the drivers named by kind, and creates in `rook-ceph` the provisioner Secret of each kind
 * (`rook-csi-<kind>-provisioner`, as Rook creates it): the mock driver checks no credentials, but the sidecars look
 * the Secrets our classes name up and fail without them.
 */
export async function prepareCsi(sim: SimHandle, drivers: Partial<Record<"rbd" | "cephfs", string>>): Promise<void> {
    const api = sim.client;
    const crds = snapshotCrds();
    for (const crd of crds) await api.create("/apis/apiextensions.k8s.io/v1/customresourcedefinitions", crd);
    await eventually(
        "snapshot CRDs established",
        async () => {
            for (const crd of crds) {
                const name = (crd as { metadata: { name: string } }).metadata.name;
                const r = await api.get(`/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${name}`);
                const conditions = (r?.status as { conditions?: { type: string; status: string }[] } | undefined)
                    ?.conditions;
                if (!conditions?.some((c) => c.type === "Established" && c.status === "True")) return false;
            }
            return true;
        },
        60_000,
    );
    await startCsi(sim, Object.values(drivers));
    await api.create("/api/v1/namespaces", { apiVersion: "v1", kind: "Namespace", metadata: { name: "rook-ceph" } });
    for (const kind of Object.keys(drivers))
        await api.create("/api/v1/namespaces/rook-ceph/secrets", {
            apiVersion: "v1",
            kind: "Secret",
            metadata: { name: `rook-csi-${kind}-provisioner` },
            stringData: { userID: "csi-provisioner", userKey: "not-a-real-key" },
        });
}
