/**
 * JupyterHub under the real engine: the real z2jh chart 4.4.0 (its pre-install image-puller DaemonSet and
 * image-awaiter Job hooks included) on the lab stack; the checks read the hub's values as the chart hands them to the
 * hub (the Secret `hub`, key `values.yaml`) (homes on the CephFS class, the notebook image from
 * the private registry, OIDC against AI Hub's Keycloak with the site CA trusted) and the route under /addons/jupyterhub.
 */
import assert from "node:assert/strict";
import { parse } from "yaml";
import { isInRegistry } from "../../lib/imageref";
import { exposedRoute, vendorChart, type AddOnEngineFixture } from "../../test/engine/addon-fixture";

const NS = "jupyterhub";

export const fixture: AddOnEngineFixture = {
    packageCharts: () => ({ jupyterhub: vendorChart("jupyterhub-4.4.0.tgz") }),
    section: (stage) => ({
        chart: stage.charts.jupyterhub,
        images: ["quay.io/jupyter/scipy-notebook:2025-11-03"],
        storage: { capacity: "1Gi" },
        auth: { type: "oidc", clientId: "jupyterhub" },
    }),
    secrets: { "auth.clientSecret": "engine-oidc-client-secret" },
    releases: [`${NS}/jupyterhub`],
    async check(s) {
        s.view.refresh();
        const domain = String(s.plain.aihub.domain);
        const route = await exposedRoute(s, NS, "jupyterhub-route");
        assert.deepEqual([route.host, route.path, route.service], [domain, "/addons/jupyterhub", "proxy-public"]);
        const out = JSON.parse((await s.pulumiOk(["stack", "output", "--json"])).stdout) as Record<string, unknown>;
        assert.equal(out.jupyterhubUrl, `https://${domain}/addons/jupyterhub`);
        // The chart hands its values to the hub in the Secret `hub` (z2jh templates/hub/secret.yaml), which the
        // hub's jupyterhub_config.py reads.
        const secret = await s.view.get("v1", "Secret", "hub", NS);
        const text = (secret?.data as Record<string, string> | undefined)?.["values.yaml"];
        assert.ok(text, "Secret jupyterhub/hub has no values.yaml");
        const values = parse(Buffer.from(text, "base64").toString("utf8")) as {
            singleuser: { storage: { dynamic: { storageClass: string } }; image: { name: string; tag: string } };
            hub: { config: { JupyterHub: { authenticator_class: string } } };
        };
        assert.equal(values.singleuser.storage.dynamic.storageClass, String(s.plain.ceph.storageClass));
        const image = `${values.singleuser.image.name}:${values.singleuser.image.tag}`;
        assert.ok(isInRegistry(image, String(s.plain.registry.server)), `notebook image ${image} is not private`);
        assert.equal(values.hub.config.JupyterHub.authenticator_class, "oauthenticator.generic.GenericOAuthenticator");
        // The hub trusts the CA behind AI Hub's certificate for its calls to Keycloak: cert-manager's when it issues
        // that certificate, else the lab's ingress.caCert.
        // The namespace enforces Pod Security baseline, and the real API server admitted the chart's pods under it.
        const ns = await s.view.get("v1", "Namespace", NS);
        assert.equal(ns?.metadata.labels?.["pod-security.kubernetes.io/enforce"], "baseline");
        const pods = (await s.view.list("v1", "Pod")).filter((p) => p.metadata.namespace === NS);
        for (const component of ["hub", "proxy", "user-scheduler", "continuous-image-puller"]) {
            assert.ok(
                pods.some((p) => p.metadata.labels?.component === component && p.status?.phase === "Running"),
                `no running ${component} pod in ${NS}`,
            );
        }
        const ca = await s.view.get("v1", "ConfigMap", "jupyterhub-site-ca", NS);
        const expected = out.certManagerCaCert ?? s.plain.ingress.caCert;
        assert.equal((ca?.data as Record<string, string> | undefined)?.["ca.crt"], expected);
    },
};
