/**
 * `npm run controllers:build`: builds the upstream controllers the simulated cluster runs (cert-manager's controller
 * and webhook, MetalLB's controller, prometheus-operator, Envoy Gateway's controller and its xds-dump client, the CSI
 * snapshot-controller, csi-snapshotter and csi-provisioner and csi-test's mock CSI driver) from Go
 * modules — the wrapper modules under testing/controllers/, each with a committed go.sum — into
 * ~/.cache/aihub-airgap/<name>/<version>/bin, only what is missing. About 9 minutes cold on 2 cores for cert-manager
 * and MetalLB, plus about 6 CPU-minutes for prometheus-operator and 10 for Envoy Gateway; a second run does nothing.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { runCli } from "../cli/run";
import { UPSTREAM_BUILDS, upstreamBinary, upstreamBinDir } from "./controllers-paths";
import { go } from "./engine/go";

async function main(): Promise<number> {
    const t0 = Date.now();
    for (const b of UPSTREAM_BUILDS) {
        const missing = Object.entries(b.binaries).filter(([bin]) => !fs.existsSync(upstreamBinary(b, bin)));
        if (missing.length === 0) {
            console.log(`${b.name} ${b.version}: cached in ${upstreamBinDir(b)}`);
            continue;
        }
        const dir = path.join(__dirname, "controllers", b.name);
        fs.mkdirSync(upstreamBinDir(b), { recursive: true });
        console.log(`${b.name} ${b.version}: downloading modules`);
        await go(["mod", "download"], dir);
        for (const [bin, pkg] of missing) {
            const t1 = Date.now();
            const tmp = `${upstreamBinary(b, bin)}.partial`;
            await go(["build", "-trimpath", "-ldflags", "-s -w", "-o", tmp, pkg], dir);
            fs.renameSync(tmp, upstreamBinary(b, bin));
            console.log(`${b.name} ${b.version}: ${bin} built in ${Math.round((Date.now() - t1) / 1000)} s`);
        }
    }
    console.log(`controllers: ready in ${Math.round((Date.now() - t0) / 1000)} s`);
    return 0;
}

runCli("controllers-build", main);
