/**
 * `npx tsx bench/pipeline.ts [scale]`: measures the pipeline on the e2e test images (scaled; 1 ≈ 15 MiB of layers)
 * with real registries on 127.0.0.1, and prints:
 *  1. bundle size vs the sum of unique blob sizes;
 *  2. bundle size vs one archive per image (`docker save`-style, as the Kubeflow scripts do) on the same images;
 *  3. first push time vs a second push of the same bundle;
 *  4. push time vs a plain serial `skopeo copy` of each image (both into an empty registry).
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { buildBundle, bundleSize } from "../pipeline/bundle";
import { imageArtifacts } from "../pipeline/manifest";
import { formatBytes } from "../pipeline/progress";
import { pushReference } from "../pipeline/push-refs";
import { registryAccess } from "../pipeline/skopeo";
import { startUpstream } from "../test/fixtures/images/upstream";
import { AUTH, pushInto, runBench } from "./common";
import { startRegistry, type TestRegistry } from "../test/helpers/registry";

function seconds(start: bigint): number {
    return Number(process.hrtime.bigint() - start) / 1e9;
}

runBench(async (work, stops) => {
    const scale = Number(process.argv[2] ?? 4);
    const up = await startUpstream(work, scale);
    stops.push(up.registry);
    const [a, b, c] = await Promise.all([1, 2, 3].map(() => startRegistry(work, { tls: true, auth: AUTH })));
    stops.push(a, b, c);
    const out = path.join(work, "bundle");
    const quiet = () => {};
    const { manifest } = await buildBundle({
        out,
        stack: "bench",
        registry: a.host,
        platforms: ["linux/amd64"],
        images: up.refs,
        charts: [],
        upstreamTlsVerify: false,
        write: quiet,
    });
    const images = imageArtifacts(manifest);
    const unique = new Map(images.flatMap((i) => i.blobs.map((x) => [x.digest, x.size] as const)));
    const uniqueBytes = [...unique.values()].reduce((n, s) => n + s, 0);
    const bundleBytes = await bundleSize(out);

    const archives = path.join(work, "per-image");
    fs.mkdirSync(archives);
    for (const ref of up.refs) {
        const file = path.join(archives, `${ref.replace(/[/:]/g, "-")}.tar`);
        execFileSync("skopeo", [
            "copy",
            "-q",
            "--src-tls-verify=false",
            `docker://${ref}`,
            `docker-archive:${file}:${ref}`,
        ]);
    }
    const archiveBytes = await bundleSize(archives);

    const push = (reg: TestRegistry) => pushInto(reg, out, manifest);
    let t = process.hrtime.bigint();
    const first = await push(a);
    const firstS = seconds(t);
    t = process.hrtime.bigint();
    const second = await push(a);
    const secondS = seconds(t);
    t = process.hrtime.bigint();
    await push(b);
    const pushB = seconds(t);

    const access = registryAccess({ server: c.host, ...AUTH, caCert: c.caCert });
    t = process.hrtime.bigint();
    for (const i of images) {
        execFileSync("skopeo", [
            "copy",
            "-q",
            ...access.flags("dest"),
            `oci:${out}/images:${i.name}`,
            `docker://${pushReference(i.source, c.host)}`,
        ]);
    }
    const serialS = seconds(t);
    access.cleanup();

    const pct = (x: number, y: number) => `${((x / y) * 100).toFixed(1)}%`;
    console.log(
        `images: ${images.length} (scale ${scale}); blobs: ${unique.size} unique, ${images.reduce((n, i) => n + i.blobs.length, 0)} referenced`,
    );
    console.log(
        `1. bundle on disk ${formatBytes(bundleBytes)} vs unique blobs ${formatBytes(uniqueBytes)} (overhead ${formatBytes(bundleBytes - uniqueBytes)}, ${pct(bundleBytes, uniqueBytes)})`,
    );
    console.log(
        `2. bundle ${formatBytes(bundleBytes)} vs one archive per image ${formatBytes(archiveBytes)} (bundle is ${pct(bundleBytes, archiveBytes)} of it)`,
    );
    console.log(
        `3. first push ${firstS.toFixed(2)} s (${first.copied.length} copied) vs second push ${secondS.toFixed(2)} s (${second.copied.length} copied, ${second.skipped.length} present)`,
    );
    console.log(
        `4. push into an empty registry ${pushB.toFixed(2)} s vs serial skopeo copy per image ${serialS.toFixed(2)} s`,
    );
});
