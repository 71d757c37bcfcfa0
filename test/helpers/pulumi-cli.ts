/** A stand-in for Pulumi's CLI release files (get.pulumi.com is not reachable here), for the bundle tests. */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { sha256 } from "../../lib/digest";
import { pulumiCliFile } from "../../pipeline/pulumi-cli";

/** A small real `pulumi-v<version>-linux-x64.tar.gz` (top directory `pulumi/` with a `pulumi` script), made by tar. */
export function makeCliArchive(dir: string, version: string): { name: string; body: Buffer } {
    const tree = fs.mkdtempSync(path.join(dir, "cli-tree-"));
    fs.mkdirSync(path.join(tree, "pulumi"));
    fs.writeFileSync(path.join(tree, "pulumi", "pulumi"), `#!/bin/sh\necho v${version}\n`, { mode: 0o755 });
    const name = pulumiCliFile(version, "linux/amd64");
    const file = path.join(tree, name);
    execFileSync("tar", ["-czf", file, "-C", tree, "pulumi"]);
    const body = fs.readFileSync(file);
    fs.rmSync(tree, { recursive: true });
    return { name, body };
}

/** The body of the release's checksums file for these archives (sha256sum format). */
export function checksumsFor(files: Record<string, Buffer>): string {
    return Object.entries(files)
        .map(([name, body]) => `${sha256(body)}  ${name}\n`)
        .join("");
}
