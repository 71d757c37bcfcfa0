/** Shared inputs for the application-half tests. */
import { CREDENTIALS } from "../../catalog/aihub-credentials";
import { aihubLayout } from "../../catalog/aihub-layout";
import type { ValuesInput } from "../../modules/aihub/values";

export const REGISTRY = "registry.airgap.internal:5000";

/** A value of each credential's shape, distinct per credential. */
export function sampleCredentials(): Record<string, string> {
    return Object.fromEntries(
        CREDENTIALS.map((c, i) => {
            const n = String(i).padStart(2, "0");
            if (c.shape === "hex64") return [c.name, `${n}`.repeat(32)];
            if (c.shape === "uuid") return [c.name, `000000${n}-0000-4000-8000-0000000000${n}`];
            return [c.name, `Pw${n}${"x".repeat(28)}`];
        }),
    );
}

/** Generator input for a chart version. */
export function valuesInput(version: string, over: Partial<ValuesInput> = {}): ValuesInput {
    return {
        layout: aihubLayout(version),
        domain: "aihub.airgap.internal",
        namespace: "aihub",
        registry: REGISTRY,
        pullSecretName: "airgap-registry",
        rwxStorageClass: "rook-cephfs",
        rwoStorageClass: "rook-ceph-block",
        mode: "https",
        credentials: sampleCredentials(),
        ...over,
    };
}
