/** Everything the bundle carries for a stack: the platform's charts and images, the provider plugins and the Pulumi CLI. */
import type { PlatformConfig } from "../platform/contracts";
import { stackCharts, stackImages, type ChartNeed } from "../platform/inventory";
import type { ImageMapping } from "../lib/imageref";
import { pluginNeeds, type PluginNeed } from "./plugins";
import { pulumiCliNeed, type PulumiCliNeed } from "./pulumi-cli";

/** Everything a stack needs carried. */
export interface Inventory {
    charts: ChartNeed[];
    images: ImageMapping[];
    plugins: PluginNeed[];
    /** The Pulumi CLI matching the pinned `@pulumi/pulumi`; undefined when package.json does not list it. */
    pulumiCli?: PulumiCliNeed;
}

/** The full inventory of a stack; `packageJson` gives the pinned provider and SDK versions. */
export function stackInventory(
    cfg: PlatformConfig,
    packageJson: { dependencies?: Record<string, string> },
    rendered: readonly string[] = [],
    listed: readonly string[] = [],
): Inventory {
    return {
        charts: stackCharts(cfg),
        images: stackImages(cfg, rendered, listed),
        plugins: pluginNeeds(packageJson),
        pulumiCli: pulumiCliNeed(packageJson),
    };
}
