/**
 * `npm run cosign:build`: builds the cosign the signing tests check against, from Go modules (the wrapper module
 * testing/cosign, with a committed go.sum), into ~/.cache/aihub-airgap/cosign/<version>/bin, only when it is missing.
 * About 10 minutes cold on 2 cores; a second run does nothing.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { runCli } from "../cli/run";
import { COSIGN_BIN_DIR, COSIGN_VERSION } from "./cosign-paths";
import { go } from "./engine/go";

async function main(): Promise<number> {
    const bin = path.join(COSIGN_BIN_DIR, "cosign");
    if (fs.existsSync(bin)) {
        console.log(`cosign ${COSIGN_VERSION}: cached in ${bin}`);
        return 0;
    }
    const t0 = Date.now();
    const dir = path.join(__dirname, "cosign");
    fs.mkdirSync(COSIGN_BIN_DIR, { recursive: true });
    console.log(`cosign ${COSIGN_VERSION}: downloading modules`);
    await go(["mod", "download"], dir);
    console.log(`cosign ${COSIGN_VERSION}: building (about 10 min cold)`);
    const tmp = path.join(COSIGN_BIN_DIR, ".cosign.partial");
    const ldflags = `-s -w -X sigs.k8s.io/release-utils/version.gitVersion=${COSIGN_VERSION}`;
    await go(["build", "-trimpath", "-ldflags", ldflags, "-o", tmp, "github.com/sigstore/cosign/v2/cmd/cosign"], dir);
    fs.renameSync(tmp, bin);
    console.log(`cosign ${COSIGN_VERSION}: built in ${Math.round((Date.now() - t0) / 1000)} s: ${bin}`);
    return 0;
}

runCli("cosign-build", main);
