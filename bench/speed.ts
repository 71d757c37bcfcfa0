/**
 * `npx tsx bench/speed.ts [scale] [--no-up]`: bundle and push speed on 40 images sharing base layers (bench-set.ts;
 * scale 1 ≈ 1 GiB of unique incompressible layers), with real docker-registry instances on 127.0.0.1 (TLS + htpasswd
 * for the private side). Prints, from one run:
 *  1. our push vs a serial `skopeo copy` per image (each into an empty registry);
 *  2. our push throughput vs one 1 GiB blob uploaded alone (monolithic PUT, the practical ceiling);
 *  3. our bundle vs serial `skopeo copy` pulls into one layout;
 *  4. a second push of the same bundle vs the first;
 *  5. `npm run plan` on the reference and a 100-node stack vs the floor (bench/plan.ts), before the registries start;
 *  6. `pulumi up` of the lab, airgap and add-on stacks, each on a fresh simulated cluster, vs its critical path
 *     (bench/up-profile.ts, in a process of its own: it runs in a loopback-only network namespace), also before the
 *     registries start; the lab and airgap stacks again with `up --skip-preview`.
 * `--no-up` leaves 6 out (it needs the engine build: `npm run engine:build`).
 */
import { execFileSync, spawnSync } from "node:child_process";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { buildBundle } from "../pipeline/bundle";
import { DistributionClient } from "../pipeline/distribution";
import { imageArtifacts } from "../pipeline/manifest";
import { formatBytes } from "../pipeline/progress";
import { pushReference } from "../pipeline/push-refs";
import { registryAccess } from "../pipeline/skopeo";
import { BENCH_SET } from "../test/fixtures/images/bench-set";
import { startUpstream } from "../test/fixtures/images/upstream";
import { AUTH, pushInto, runBench } from "./common";
import { planFigures } from "./plan";
import { startRegistry, type TestRegistry } from "../test/helpers/registry";

async function timed<T>(fn: () => Promise<T> | T): Promise<[T, number]> {
    const t = process.hrtime.bigint();
    const r = await fn();
    return [r, Number(process.hrtime.bigint() - t) / 1e9];
}

/** A layout holding one random blob of `bytes`; returns its digest. */
function bigBlob(layout: string, bytes: number): string {
    const dir = path.join(layout, "blobs", "sha256");
    fs.mkdirSync(dir, { recursive: true });
    const tmp = path.join(dir, "tmp");
    const fd = fs.openSync(tmp, "w");
    const h = crypto.createHash("sha256");
    for (let left = bytes; left > 0; left -= 1 << 24) {
        const chunk = crypto.randomBytes(Math.min(left, 1 << 24));
        h.update(chunk);
        fs.writeSync(fd, chunk);
    }
    fs.closeSync(fd);
    const hex = h.digest("hex");
    fs.renameSync(tmp, path.join(dir, hex));
    return `sha256:${hex}`;
}

/** The stacks whose `up` is profiled; those also profiled with `--skip-preview`, to show what `up`'s preview costs. */
const UP_STACKS = ["lab", "airgap", "addons"];
const WITHOUT_PREVIEW = ["lab", "airgap"];

/** The summary lines of bench/up-profile.ts for each stack: wall time, where it went, the critical path. */
function upFigures(): string[] {
    return [UP_STACKS, ["--skip-preview", ...WITHOUT_PREVIEW]].flatMap((args) => {
        const r = spawnSync(process.execPath, ["--import", "tsx", path.join(__dirname, "up-profile.ts"), ...args], {
            encoding: "utf8",
            stdio: ["ignore", "pipe", "inherit"],
        });
        if (r.status !== 0) throw new Error(`bench/up-profile.ts exited ${r.status}:\n${r.stdout}`);
        return r.stdout.split("\n").filter((l) => /^(== |pulumi up wall time|critical path)/.test(l));
    });
}

runBench(async (work, stops) => {
    const args = process.argv.slice(2).filter((a) => a !== "--no-up");
    const scale = Number(args[0] ?? 1);
    const plan = planFigures();
    const upLines = process.argv.includes("--no-up") ? ["(left out: --no-up)"] : upFigures();
    const quiet = () => {};
    const up = await startUpstream(work, scale, BENCH_SET);
    stops.push(up.registry);
    const [a, b, c] = await Promise.all([1, 2, 3].map(() => startRegistry(work, { tls: true, auth: AUTH })));
    stops.push(a, b, c);
    const pull = { platforms: ["linux/amd64"], images: up.refs, charts: [], upstreamTlsVerify: false };

    const out = path.join(work, "bundle");
    const [{ manifest }, bundleS] = await timed(() =>
        buildBundle({ out, stack: "bench", registry: a.host, ...pull, write: quiet }),
    );
    const serialLayout = path.join(work, "serial-layout");
    const [, serialPullS] = await timed(() => {
        for (const ref of up.refs) {
            execFileSync("skopeo", [
                "copy",
                "-q",
                "--src-tls-verify=false",
                "--preserve-digests",
                `docker://${ref}`,
                `oci:${serialLayout}:${ref}`,
            ]);
        }
    });
    const images = imageArtifacts(manifest);
    const unique = new Map(images.flatMap((i) => i.blobs.map((x) => [x.digest, x.size] as const)));
    const uniqueBytes = [...unique.values()].reduce((n, s) => n + s, 0);

    const push = (reg: TestRegistry) => pushInto(reg, out, manifest);
    const [first, firstS] = await timed(() => push(a));
    const [second, secondS] = await timed(() => push(a));
    if (first.failed.length || second.failed.length) throw new Error(JSON.stringify([first.failed, second.failed]));

    const access = registryAccess({ server: b.host, ...AUTH, caCert: b.caCert });
    const [, serialPushS] = await timed(() => {
        for (const i of images) {
            execFileSync("skopeo", [
                "copy",
                "-q",
                "--preserve-digests",
                ...access.flags("dest"),
                `oci:${out}/images:${i.name}`,
                `docker://${pushReference(i.source, b.host)}`,
            ]);
        }
    });
    access.cleanup();

    const big = path.join(work, "big");
    const bigBytes = Math.round(1024 ** 3 * scale);
    const digest = bigBlob(big, bigBytes);
    const client = new DistributionClient({ server: c.host, ...AUTH, caCert: c.caCert }, 1);
    const [, bigS] = await timed(() => client.ensureBlob("bench/big", digest, bigBytes, big));
    client.close();

    const mibps = (bytes: number, s: number) => `${(bytes / 1024 ** 2 / s).toFixed(0)} MiB/s`;
    const x = (slow: number, fast: number) => `${(slow / fast).toFixed(2)}×`;
    console.log(
        `images: ${images.length} (scale ${scale}); blobs: ${unique.size} unique (${formatBytes(uniqueBytes)}), ${images.reduce((n, i) => n + i.blobs.length, 0)} referenced`,
    );
    console.log(
        `1. push ${firstS.toFixed(2)} s vs serial skopeo copy per image ${serialPushS.toFixed(2)} s: ${x(serialPushS, firstS)} faster`,
    );
    console.log(
        `2. push throughput ${mibps(uniqueBytes, firstS)} vs one ${formatBytes(bigBytes)} blob alone ${mibps(bigBytes, bigS)} (${bigS.toFixed(2)} s): ${((uniqueBytes / firstS / (bigBytes / bigS)) * 100).toFixed(0)}% of the ceiling`,
    );
    console.log(
        `3. bundle ${bundleS.toFixed(2)} s vs serial skopeo pulls into one layout ${serialPullS.toFixed(2)} s: ${x(serialPullS, bundleS)} faster`,
    );
    console.log(
        `4. second push ${secondS.toFixed(2)} s (${second.copied.length} copied, ${second.skipped.length} present) vs first ${firstS.toFixed(2)} s (${first.copied.length} copied)`,
    );
    console.log(`5. ${plan.join("\n")}`);
    console.log(`6. pulumi up:\n   ${upLines.join("\n   ")}`);
});
