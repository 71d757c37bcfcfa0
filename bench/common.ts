/** What every bench shares: a temp work dir and the registries it started, both gone at the end, and the exit code. */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { spawnSync } from "node:child_process";
import { loopbackOnly } from "../scripts/loopback-only.mjs";
import { walkImages } from "../pipeline/layout";
import { IMAGES_DIR, imageArtifacts, type BundleManifest } from "../pipeline/manifest";
import { pushBundle } from "../pipeline/push";
import type { TestRegistry } from "../test/helpers/registry";

/** The benches' registry user. */
export const AUTH = { username: "bench", password: "bench-pass" };

/** Pushes the bundle in `dir` into a bench registry, quietly. */
export function pushInto(reg: TestRegistry, dir: string, manifest: BundleManifest) {
    const images = walkImages(path.join(dir, IMAGES_DIR), imageArtifacts(manifest));
    return pushBundle({
        dir,
        manifest,
        images,
        registry: { server: reg.host, ...AUTH, caCert: reg.caCert },
        write: () => {},
    });
}

/** Runs `body` with a fresh work dir and a list to put started registries in; cleans up and exits 1 on error. */
export function runBench(body: (work: string, registries: TestRegistry[]) => Promise<void>): void {
    const work = fs.mkdtempSync(path.join(os.tmpdir(), "aihub-bench-"));
    const registries: TestRegistry[] = [];
    body(work, registries)
        .finally(async () => {
            await Promise.all(registries.map((s) => s.stop()));
            fs.rmSync(work, { recursive: true, force: true });
        })
        .catch((e) => {
            console.error(e);
            process.exit(1);
        });
}

/**
 * Runs `main` inside a loopback-only network namespace: outside one, this script starts itself again in a new one
 * and exits with its status. An error ends the run with exit status 1 and its message.
 */
export function mainInLoopback(main: () => Promise<void>): void {
    if (process.env.AIHUB_NETNS !== "loopback") {
        const argv = loopbackOnly([process.execPath, ...process.execArgv, ...process.argv.slice(1)]);
        const r = spawnSync(argv[0], argv.slice(1), { stdio: "inherit" });
        process.exit(r.status ?? 1);
    }
    main().then(
        () => process.exit(0),
        (e) => {
            console.error(e instanceof Error ? e.message : e);
            process.exit(1);
        },
    );
}
