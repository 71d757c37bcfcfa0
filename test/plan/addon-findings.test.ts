import assert from "node:assert/strict";
import { test } from "node:test";
import { imagesIn, plaintextSecret } from "../../platform/plan/findings";

test("an image beside a repository (gpu-operator's split form) is checked joined with repository and version", () => {
    const inputs = {
        values: {
            driver: { repository: "registry.airgap.internal:5000/nvidia", image: "driver", version: "595.91.07" },
            toolkit: { repository: "nvcr.io/nvidia/k8s", image: "container-toolkit", version: "v1.20.0" },
            hub: { image: "quay.io/jupyterhub/k8s-hub:4.4.0" },
        },
    };
    assert.deepEqual(imagesIn({ inputs }), [
        { path: "values.driver.image", value: "registry.airgap.internal:5000/nvidia/driver:595.91.07" },
        { path: "values.toolkit.image", value: "nvcr.io/nvidia/k8s/container-toolkit:v1.20.0" },
        { path: "values.hub.image", value: "quay.io/jupyterhub/k8s-hub:4.4.0" },
    ]);
});

test("a chart's list of pull Secret names, an OAuth token_url and an existingSecret with its keys are not a plaintext secret; a secret value still is", () => {
    const reg = (values: unknown) => ({
        urn: "urn:r",
        type: "kubernetes:helm.sh/v3:Release",
        inputs: { values },
        secretInputs: [],
    });
    const found = plaintextSecret(
        [
            reg({
                driver: { imagePullSecrets: ["airgap-registry"] },
                oauth: { token_url: "https://kc/token" },
                admin: { existingSecret: "grafana-admin", userKey: "admin-user", passwordKey: "admin-password" },
                clientSecret: "s3cr3t",
            }),
        ] as never,
        {} as never,
    );
    assert.deepEqual(
        found.map((f) => f.text),
        ["values.clientSecret holds a secret that is not marked secret (wrap it with pulumi.secret)"],
    );
});
