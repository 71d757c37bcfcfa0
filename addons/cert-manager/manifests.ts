/** cert-manager's custom resources, as plain objects (validated against the CRDs in tests). */

import { WAIT_READY } from "../../k8s/certificate";

/** A ClusterIssuer signing with the CA in Secret `secretName` (in cert-manager's own namespace). */
export function caClusterIssuer(name: string, secretName: string) {
    return {
        apiVersion: "cert-manager.io/v1",
        kind: "ClusterIssuer",
        metadata: { name, annotations: WAIT_READY },
        spec: { ca: { secretName } },
    };
}
