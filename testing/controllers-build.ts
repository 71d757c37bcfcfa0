/**
 * `npm run controllers:build`: builds the upstream programs the tests run (on the simulated cluster: cert-manager's
 * controller and webhook, MetalLB's controller, prometheus-operator, Envoy Gateway's controller and its xds-dump
 * client, the CSI snapshot-controller, csi-snapshotter and csi-provisioner and csi-test's mock CSI driver; syft for
 * the per-image SBOM tests) from Go modules — the wrapper modules under testing/controllers/, each with a committed
 * go.sum — into ~/.cache/aihub-airgap/<name>/<version>/bin, only what is missing. About 11 minutes cold on 2 cores
 * for the controllers and 460 CPU-seconds more for syft; a second run does nothing.
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
        // No `go mod download`: it fetches every module go.sum names (2.1 GB for syft), `go build` only what it compiles.
        for (const [bin, pkg] of missing) {
            const t1 = Date.now();
            const tmp = `${upstreamBinary(b, bin)}.partial`;
            const ldflags = ["-s -w", ...(b.stamps ?? []).map((s) => `-X ${s}`)].join(" ");
            await go(["build", "-trimpath", "-ldflags", ldflags, "-o", tmp, pkg], dir);
            fs.renameSync(tmp, upstreamBinary(b, bin));
            console.log(`${b.name} ${b.version}: ${bin} built in ${Math.round((Date.now() - t1) / 1000)} s`);
        }
    }
    console.log(`controllers: ready in ${Math.round((Date.now() - t0) / 1000)} s`);
    return 0;
}

runCli("controllers-build", main);
