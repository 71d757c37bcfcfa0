/** The image push of the composition: a RegistryMirror when the stack names a bundle (`bundle.path`). */
import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { sha256 } from "../lib/digest";
import { MANIFEST_FILE } from "../lib/bundle-layout";
import { RegistryMirror } from "../modules/mirror/registry-mirror";
import type { PlatformConfig } from "./contracts";

/** sha256 of `<bundlePath>/bundle.json` (relative to the working directory, the project under Pulumi), or "missing". */
export function bundleManifestHash(bundlePath: string): string {
    const file = path.resolve(bundlePath, MANIFEST_FILE);
    return fs.existsSync(file) ? sha256(fs.readFileSync(file)) : "missing";
}

/** The RegistryMirror of a stack; undefined when `bundle.path` is unset (images are pushed some other way). */
export function buildMirror(cfg: PlatformConfig): RegistryMirror | undefined {
    const bundlePath = cfg.bundle?.path;
    if (!bundlePath) return undefined;
    const hash = bundleManifestHash(bundlePath);
    return new RegistryMirror("registry-mirror", {
        bundlePath,
        stack: pulumi.getStack(),
        password: cfg.registry.password,
        bundleSha256: hash,
        publicKey: cfg.bundle?.publicKey,
    });
}
