import { exposureOf, siteCaOf } from "../shared/exposed-service";
import { defineAddOn } from "../shared/define";
import { jupyterhubImages } from "./catalog";
import { JupyterHub } from "./component";
import { jupyterhubRules } from "./rules";
import { jupyterhubSchema } from "./schema";

/** `addons.jupyterhub`: notebooks for the research cluster, homes on CephFS. */
export const jupyterhub = defineAddOn({
    name: "jupyterhub",
    title: "JupyterHub: notebook servers with CPU/GPU profiles and CephFS homes, under a path of the AI Hub host",
    requires: ["gpu"],
    schema: jupyterhubSchema,
    secretPaths: ["auth.bindPassword", "auth.clientSecret"],
    rules: (s, all) => jupyterhubRules(s, all),
    charts: (s) => [{ key: "addons.jupyterhub.chart", path: s.chart }],
    images: (s) => jupyterhubImages(s),
    build(s, deps) {
        const component = new JupyterHub(
            "jupyterhub",
            {
                section: s,
                registry: deps.cfg.registry,
                domain: deps.cfg.aihub.domain,
                rwxStorageClass: deps.storage.rwxStorageClass,
                rwoStorageClass: deps.storage.rwoStorageClass,
                via: exposureOf(deps.cfg, deps.provided),
                siteCa: siteCaOf(deps.cfg, deps.provided),
                after: [
                    ...(deps.mirror ? [deps.mirror] : []),
                    ...deps.storage.storageClasses,
                    ...(deps.provided.gpu?.ready ?? []),
                ],
            },
            deps.kube,
        );
        return { component, outputs: { jupyterhubUrl: component.url } };
    },
});
