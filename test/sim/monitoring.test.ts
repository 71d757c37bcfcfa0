/** The sim's stand-in for prometheus-operator's storage: the claim a Prometheus or Alertmanager's replica 0 gets. */
import * as assert from "node:assert/strict";
import { describe, it } from "node:test";
import { operatorClaim } from "../../testing/sim/monitoring";

const spec = {
    storageClassName: "rook-ceph-block",
    accessModes: ["ReadWriteOnce"],
    resources: { requests: { storage: "2Gi" } },
};

describe("sim: prometheus-operator storage", () => {
    it("names the claim as the operator's StatefulSet does, with the template's spec", () => {
        const cr = {
            apiVersion: "monitoring.coreos.com/v1",
            kind: "Prometheus",
            metadata: { name: "p", namespace: "m" },
        };
        const claim = operatorClaim("prometheus", { ...cr, spec: { storage: { volumeClaimTemplate: { spec } } } });
        assert.equal(claim?.metadata.name, "prometheus-p-db-prometheus-p-0");
        assert.equal(claim?.metadata.namespace, "m");
        assert.deepEqual(claim?.spec, spec);
        const named = { storage: { volumeClaimTemplate: { metadata: { name: "data" }, spec } } };
        assert.equal(operatorClaim("alertmanager", { ...cr, spec: named })?.metadata.name, "data-alertmanager-p-0");
        assert.equal(operatorClaim("prometheus", { ...cr, spec: { storage: { emptyDir: {} } } }), undefined);
    });
});
