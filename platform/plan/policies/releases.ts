/** The image rule over every release but AI Hub's (which has its own render policies): Rook's and the add-ons'. */
import * as fs from "node:fs";
import * as path from "node:path";
import { containerImages } from "../../../modules/aihub/postrender";
import { isInRegistry } from "../../../lib/imageref";
import type { PlatformConfig } from "../../contracts";
import type { Checked, Finding } from "../policy";
import { renderRelease } from "../render";

/**
 * Every other release (Rook's, the add-ons') rendered with helm as the provider installs it (post-renderer
 * included): each container image must come from the private registry.
 */
export function releaseImageFindings(resources: Checked[], cfg: PlatformConfig, projectDir: string): Finding[] {
    // A chart not fetched yet is listed under Charts already; it gets no finding of its own.
    const releases = resources.filter(
        (r) =>
            r.type === "kubernetes:helm.sh/v3:Release" &&
            r.inputs.chart !== cfg.aihub.chart &&
            fs.existsSync(path.resolve(projectDir, String(r.inputs.chart))),
    );
    return releases.flatMap((release): Finding[] => {
        const render = renderRelease(release, projectDir);
        const finding = (level: Finding["level"], text: string): Finding => ({
            level,
            rule: "release-image-not-relocated",
            resource: release.urn,
            text,
        });
        if ("skipped" in render)
            return [
                {
                    ...finding("warning", `not rendered (${render.skipped}), so its images are unchecked`),
                    rule: "release-render",
                },
            ];
        if ("failed" in render) return [finding("error", render.failed)];
        const post = render.postRendered;
        if (post && "failed" in post) return [finding("error", post.failed)];
        return (post?.objects ?? render.objects)
            .flatMap(containerImages)
            .filter((c) => !isInRegistry(c.image, cfg.registry.server))
            .map((c) => finding("error", `${c.where} runs ${c.image}, outside ${cfg.registry.server}`));
    });
}
