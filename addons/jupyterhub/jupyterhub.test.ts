import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { test } from "node:test";
import { parse, parseAllDocuments } from "yaml";
import { containerImages } from "../../modules/aihub/postrender";
import { isInRegistry } from "../../lib/imageref";
import { helm } from "../../test/helpers/helm";
import { composePlatform, stackValues } from "../../test/harness";
import { jupyterhubImages } from "./catalog";
import { jupyterhubRules } from "./rules";
import { jupyterhubSchema } from "./schema";
import { jupyterhubValues } from "./values";
import { VENDOR_CHARTS } from "../../test/helpers/vendor-charts";

const R = "registry.airgap.internal:5000";
const SCIPY = "quay.io/jupyter/scipy-notebook:2026-01-05";
const TORCH = "quay.io/jupyter/pytorch-notebook:cuda12-2026-01-05";
const section = (extra: Record<string, unknown> = {}) =>
    jupyterhubSchema.parse({
        chart: "x",
        images: [SCIPY],
        profiles: [
            { name: "CPU", cpu: 2, memory: "4Gi", default: true },
            { name: "GPU", gpus: 1, image: TORCH },
        ],
        auth: { type: "oidc", clientId: "jupyterhub", clientSecret: "s3cr3t-value" },
        ...extra,
    });
const input = (s = section()) => ({
    section: s,
    registry: R,
    pullSecretName: "pull",
    domain: "aihub.example.com",
    rwxStorageClass: "rook-cephfs",
    rwoStorageClass: "rook-ceph-block",
});

type Obj = { kind: string; metadata: { name: string }; spec: Record<string, unknown>; data?: Record<string, string> };

function render(values: unknown): Obj[] {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "jh-values-"));
    const file = path.join(dir, "values.json");
    fs.writeFileSync(file, JSON.stringify(values));
    const out = helm(["template", "jupyterhub", path.join(VENDOR_CHARTS, "jupyterhub-4.4.0.tgz"), "-f", file]);
    fs.rmSync(dir, { recursive: true });
    return parseAllDocuments(out)
        .map((d) => d.toJS() as Obj | null)
        .filter((o): o is Obj => o !== null);
}

test("every rendered image is private, notebook images of the profiles included, and the bundle carries them", async () => {
    const objs = render(jupyterhubValues(input()));
    const images = objs.flatMap((o) => containerImages(o));
    // Two pullers (the install hook's and the continuous one), each: the default image, the 2 profile images, pause;
    // then hub, proxy, user scheduler, user placeholder and the hook's image awaiter.
    assert.equal(images.length, 13);
    assert.deepEqual(
        images.filter((i) => !isInRegistry(i.image, R)),
        [],
    );
    assert.ok(images.some((i) => i.image === `${R}/jupyter/pytorch-notebook:cuda12-2026-01-05`));
    assert.deepEqual(jupyterhubImages(section()).slice(-2), [SCIPY, TORCH]);
    assert.equal(jupyterhubImages(section()).length, 7);
});

test("homes on the CephFS class, RWX; the proxy stays ClusterIP; served under /addons/jupyterhub; GPU profile requests GPUs", () => {
    const objs = render(jupyterhubValues(input()));
    // The values as the hub reads them: the Secret `hub`, key values.yaml (z2jh templates/hub/secret.yaml).
    const secret = objs.find((o) => o.kind === "Secret" && o.metadata.name === "hub")!;
    const hub = parse(Buffer.from(secret.data!["values.yaml"], "base64").toString("utf8")) as {
        hub: { baseUrl: string };
        singleuser: {
            storage: { type: string; capacity: string; dynamic: Record<string, unknown> };
            profileList: { kubespawner_override: Record<string, unknown> }[];
        };
    };
    assert.equal(hub.hub.baseUrl, "/addons/jupyterhub");
    const storage = hub.singleuser.storage;
    assert.deepEqual([storage.type, storage.capacity], ["dynamic", "10Gi"]);
    assert.equal(storage.dynamic.storageClass, "rook-cephfs");
    assert.deepEqual(storage.dynamic.storageAccessModes, ["ReadWriteMany"]);
    assert.deepEqual(hub.singleuser.profileList[1].kubespawner_override.extra_resource_limits, {
        "nvidia.com/gpu": "1",
    });
    assert.equal(hub.singleuser.profileList[0].kubespawner_override.extra_resource_limits, undefined);
    assert.equal(objs.find((o) => o.kind === "Service" && o.metadata.name === "proxy-public")!.spec.type, "ClusterIP");
});

test("notebook pods pass Pod Security baseline: no privileged iptables init container; the NetworkPolicy blocks the metadata address", () => {
    const objs = render(jupyterhubValues(input()));
    const secret = objs.find((o) => o.kind === "Secret" && o.metadata.name === "hub")!;
    const hub = parse(Buffer.from(secret.data!["values.yaml"], "base64").toString("utf8")) as {
        singleuser: { cloudMetadata: { blockWithIptables: boolean; ip: string } };
    };
    // With blockWithIptables the hub's jupyterhub_config.py (z2jh 4.4.0) adds to every notebook pod an init container
    // with privileged: true and NET_ADMIN, which Pod Security baseline refuses.
    assert.equal(hub.singleuser.cloudMetadata.blockWithIptables, false);
    const policy = objs.find((o) => o.kind === "NetworkPolicy" && o.metadata.name === "singleuser")!;
    assert.match(JSON.stringify(policy.spec.egress), /"except":\[[^\]]*"169\.254\.169\.254\/32"/);
});

test("authenticator secrets reach the hub through a Secret reference, never the values", () => {
    for (const auth of [
        { type: "oidc", clientId: "jupyterhub", clientSecret: "s3cr3t-value" },
        {
            type: "ldap",
            server: "ldap.example.com",
            bindDn: "cn=hub,dc=example,dc=com",
            bindPassword: "s3cr3t-value",
            userSearchBase: "ou=people,dc=example,dc=com",
        },
    ]) {
        const v = jupyterhubValues(input(section({ auth })));
        assert.equal(JSON.stringify(v).includes("s3cr3t-value"), false);
        const env = (v.hub as { extraEnv: Record<string, unknown> }).extraEnv;
        assert.deepEqual(Object.values(env), [
            { valueFrom: { secretKeyRef: { name: "jupyterhub-auth", key: "secret" } } },
        ]);
    }
    const oidc = (jupyterhubValues(input()).hub as { config: { GenericOAuthenticator: Record<string, string> } }).config
        .GenericOAuthenticator;
    assert.equal(oidc.token_url, "https://aihub.example.com/auth/realms/master/protocol/openid-connect/token");
    assert.equal(oidc.oauth_callback_url, "https://aihub.example.com/addons/jupyterhub/hub/oauth_callback");
});

test("OIDC behind a private CA: the hub trusts the site CA from its ConfigMap (SSL_CERT_FILE), and only then", () => {
    const hub = (siteCa: boolean) => jupyterhubValues({ ...input(), siteCa }).hub as Record<string, unknown>;
    const trusting = hub(true);
    assert.equal((trusting.extraEnv as Record<string, unknown>).SSL_CERT_FILE, "/etc/aihub-airgap/site-ca/ca.crt");
    assert.deepEqual(trusting.extraVolumes, [{ name: "site-ca", configMap: { name: "jupyterhub-site-ca" } }]);
    assert.deepEqual(trusting.extraVolumeMounts, [
        { name: "site-ca", mountPath: "/etc/aihub-airgap/site-ca", readOnly: true },
    ]);
    // Rendered by the real chart: the hub container reads the CA file from the volume.
    const deployment = render(jupyterhubValues({ ...input(), siteCa: true })).find(
        (o) => o.kind === "Deployment" && o.metadata?.name === "hub",
    ) as { spec: { template: { spec: Record<string, unknown> } } } | undefined;
    const pod = deployment!.spec.template.spec as {
        containers: { env: { name: string; value?: string }[]; volumeMounts: { name: string; mountPath: string }[] }[];
        volumes: { name: string; configMap?: { name: string } }[];
    };
    assert.ok(
        pod.containers[0].env.some((e) => e.name === "SSL_CERT_FILE" && e.value === "/etc/aihub-airgap/site-ca/ca.crt"),
    );
    const mount = pod.containers[0].volumeMounts.find((m) => m.mountPath === "/etc/aihub-airgap/site-ca");
    assert.equal(pod.volumes.find((v) => v.name === mount?.name)?.configMap?.name, "jupyterhub-site-ca");
    const publicCa = hub(false);
    assert.equal((publicCa.extraEnv as Record<string, unknown>).SSL_CERT_FILE, undefined);
    assert.equal(publicCa.extraVolumes, undefined);
});

test("the hub's path must not be, contain or lie under a path AI Hub serves (its JupyterHub at /jupyter)", () => {
    const all = (values: Record<string, unknown> = {}) =>
        ({ addons: { gpu: {} }, aihub: { version: "2026.0.2", values, vendorValues: {} } }) as never;
    assert.equal(section().path, "/addons/jupyterhub");
    assert.deepEqual(jupyterhubRules(section(), all()).errors, []);
    assert.deepEqual(jupyterhubRules(section({ path: "/jupyter" }), all()).errors, [
        {
            path: "addons.jupyterhub.path",
            text:
                "/jupyter collides with /jupyter, where AI Hub's JupyterHub (its notebooks) is served " +
                "(jupyterHub.proxyURLSuffix of the AI Hub 2026.0.2 chart); on one host the longer path prefix wins, " +
                "so one would hide the other (choose a path that is neither /jupyter, nor above or under it, " +
                "e.g. /addons/jupyterhub)",
        },
    ]);
    const text = (p: string, v?: Record<string, unknown>) =>
        jupyterhubRules(section({ path: p }), all(v)).errors.map((e) => e.text);
    assert.match(text("/jupyter/hub")[0], /^\/jupyter\/hub collides with \/jupyter,/);
    assert.match(text("/auth/jupyter")[0], /collides with \/auth, where AI Hub's Keycloak/);
    assert.match(text("/rts")[0], /scoringAgent\.proxyURLSuffix/);
    assert.deepEqual(text("/jupyterhub"), []);
    // Moved by the stack's AI Hub values: /jupyter is free, the new suffix is not.
    assert.deepEqual(text("/jupyter", { jupyterHub: { proxyURLSuffix: "/notebooks" } }), []);
    assert.match(text("/notebooks", { jupyterHub: { proxyURLSuffix: "/notebooks" } })[0], /collides with \/notebooks/);
});

test("GPU profiles need the gpu add-on; missing authenticator keys are named", () => {
    assert.deepEqual(jupyterhubRules(section(), { addons: {} } as never).errors, [
        {
            path: "addons.jupyterhub.profiles[1].gpus",
            text: "needs addons.gpu (turn the gpu add-on on or set gpus: 0)",
        },
    ]);
    assert.deepEqual(jupyterhubRules(section(), { addons: { gpu: {} } } as never).errors, []);
    const r = jupyterhubSchema.safeParse({
        chart: "x",
        images: [SCIPY],
        auth: { type: "ldap", server: "ldap.example.com" },
    });
    assert.equal(r.success, false);
    const paths = r.error!.issues.map((i) => i.path.join("."));
    assert.deepEqual(paths.sort(), ["auth.bindDn", "auth.bindPassword", "auth.userSearchBase"]);
});

test("the research stack: OIDC sign-in through the Gateway trusts ingress.caCert, written next to the hub", async () => {
    const values = stackValues("research");
    const { rec, cfg } = await composePlatform("research", values, ["registry", "ingress", "addons"]);
    const cm = rec.byName("jupyterhub-site-ca");
    assert.deepEqual(cm.inputs.metadata, { name: "jupyterhub-site-ca", namespace: "jupyterhub" });
    assert.equal((cm.inputs.data as Record<string, string>)["ca.crt"], cfg.ingress.caCert);
    const release = rec.byName("jupyterhub-jupyterhub");
    assert.ok(rec.dependsOn(release, cm));
    const hub = (release.inputs.values as { hub: { extraEnv: Record<string, unknown> } }).hub;
    assert.equal(hub.extraEnv.SSL_CERT_FILE, "/etc/aihub-airgap/site-ca/ca.crt");
});
