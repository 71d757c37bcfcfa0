/**
 * The generated snapshot CRDs equal upstream's (external-snapshotter v8.6.0 reference copies in ../shared/ref)
 * in everything but descriptions: names, scope, printer columns, subresources and the whole v1 schema with its
 * CEL rules.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import { parse } from "yaml";
import { SNAPSHOTTER_VERSION } from "../../catalog/backup";
import { snapshotCrds } from "../../modules/ceph/snapshot-crds";
import { SNAPSHOT_REF_DIR } from "../helpers/crd";

type Obj = Record<string, unknown>;
const noDescriptions = (v: unknown): unknown =>
    Array.isArray(v)
        ? v.map(noDescriptions)
        : v && typeof v === "object"
          ? Object.fromEntries(
                Object.entries(v as Obj)
                    .filter(([k]) => k !== "description")
                    .map(([k, x]) => [k, noDescriptions(x)]),
            )
          : v;

describe("generated snapshot CRDs", () => {
    for (const ours of snapshotCrds() as { metadata: { name: string; annotations: Obj }; spec: Obj }[]) {
        const plural = ours.metadata.name.split(".")[0];
        it(`${ours.metadata.name} matches upstream ${SNAPSHOTTER_VERSION} v1`, () => {
            const file = path.join(SNAPSHOT_REF_DIR, `snapshot.storage.k8s.io_${plural}-${SNAPSHOTTER_VERSION}.yaml`);
            const real = parse(fs.readFileSync(file, "utf8")) as {
                metadata: { name: string; annotations: Obj };
                spec: Obj & { versions: { name: string }[] };
            };
            assert.equal(ours.metadata.name, real.metadata.name);
            assert.equal(
                ours.metadata.annotations["api-approved.kubernetes.io"],
                real.metadata.annotations["api-approved.kubernetes.io"],
            );
            const { versions: realVersions, ...realRest } = real.spec;
            const { versions: ourVersions, ...ourRest } = ours.spec as Obj & { versions: unknown[] };
            assert.deepEqual(ourRest, realRest);
            assert.deepEqual(ourVersions, [noDescriptions(realVersions.find((v) => v.name === "v1"))]);
        });
    }
});
