/** Values of the ais-operator chart (NVIDIA/ais-k8s `operator/helm/ais-operator`): the operator image from the registry. */
import { mapRepository, parseImageRef } from "../../lib/imageref";
import { AISTORE_CATALOG } from "./catalog";

/** Chart values for operator `version`, pulling from `registry` with `pullSecretName`. */
export function operatorValues(version: string, registry: string, pullSecretName: string): Record<string, unknown> {
    const image = AISTORE_CATALOG[version].operator;
    return {
        controllerManager: {
            manager: { image: { repository: mapRepository(image, registry), tag: parseImageRef(image).tag } },
        },
        imagePullSecrets: [{ name: pullSecretName }],
    };
}
