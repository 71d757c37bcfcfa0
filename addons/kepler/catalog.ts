/** The Kepler image per chart version (the chart in sustainable-computing-io/kepler `manifests/helm/kepler`). */

/** Chart versions this add-on knows, with the one image each runs. */
export const KEPLER_CATALOG: Record<string, string> = {
    "0.11.4": "quay.io/sustainable_computing_io/kepler:v0.11.4",
};

/** The newest chart version the catalog knows (the default). */
export const KEPLER_VERSION = "0.11.4";

/** The image of a known chart version; throws on an unknown one (validation rejects those first). */
export function keplerImage(version: string): string {
    const image = KEPLER_CATALOG[version];
    if (!image) throw new Error(`Kepler chart ${version} is not in addons/kepler/catalog.ts`);
    return image;
}
