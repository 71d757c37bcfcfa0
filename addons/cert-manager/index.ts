/** The cert-manager add-on: a CA ClusterIssuer that issues AI Hub's certificate when the stack gives none. */
import { defineAddOn } from "../shared/define";
import { CERT_MANAGER_CATALOG } from "./catalog";
import { CertManager } from "./component";
import { certManagerRules } from "./rules";
import { certManagerSchema } from "./schema";

export const certManager = defineAddOn({
    name: "certManager",
    title: "cert-manager: a CA ClusterIssuer for AI Hub's and the add-ons' certificates",
    requires: [],
    schema: certManagerSchema,
    secretPaths: ["ca.key"],
    rules: (_s, all) => certManagerRules(all),
    charts: (s) => [{ key: "addons.certManager.chart", path: s.chart }],
    images: (s) => Object.values(CERT_MANAGER_CATALOG[s.version]),
    build: (s, deps) => {
        const component = new CertManager(
            "cert-manager",
            { config: s, registry: deps.cfg.registry, after: deps.mirror ? [deps.mirror] : [] },
            deps.kube,
        );
        return {
            component,
            provides: { issuer: { name: s.issuerName, caCert: component.caCert, ready: [component.issuer] } },
            outputs: { certManagerIssuer: s.issuerName, certManagerCaCert: component.caCert },
        };
    },
});
