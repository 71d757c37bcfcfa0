/** The AIStore add-on: an S3-compatible object store for training data, run by the AIS operator. */
import { defineAddOn } from "../shared/define";
import { aistoreImages } from "./catalog";
import { Aistore } from "./component";
import { aistoreRules } from "./rules";
import { aistoreSchema } from "./schema";

export const aistore = defineAddOn({
    name: "aistore",
    title: "AIStore: S3-compatible object storage on local disks or a StorageClass (AIS operator)",
    requires: ["metallb", "certManager", "gateway"],
    schema: aistoreSchema,
    rules: aistoreRules,
    charts: (s) => [{ key: "addons.aistore.chart", path: s.chart }],
    images: (s) => aistoreImages(s.version, s.logSidecar),
    build: (s, deps) => {
        const issuer = deps.provided.issuer;
        // The rules require addons.certManager, which provides the issuer earlier in the table.
        if (!issuer) throw new Error("addons.aistore: addons.certManager provided no issuer");
        const component = new Aistore(
            "aistore",
            {
                config: s,
                registry: deps.cfg.registry,
                issuer,
                loadBalancer: deps.provided.loadBalancer,
                stateStorageClass: deps.storage.rwoStorageClass,
                storageReady: deps.storage.storageClasses,
                after: deps.mirror ? [deps.mirror] : [],
                protect: deps.cfg.protectData,
            },
            deps.kube,
        );
        return {
            component,
            outputs: {
                aistoreEndpoint: component.endpoint,
                aistoreS3Endpoint: component.s3Endpoint,
                aistoreCaCert: component.caCert,
            },
        };
    },
});
