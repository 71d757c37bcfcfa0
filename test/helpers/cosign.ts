/**
 * A real cosign for the signing tests, built from Go modules into a cache outside the repository (never in CI:
 * its cold build took about 10 minutes here). Build it with the command {@link COSIGN_BUILD} names.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

/** The cosign release the tests check against. */
export const COSIGN_VERSION = "v2.6.5";

const BIN_DIR = path.join(os.homedir(), ".cache", "aihub-airgap", "cosign", COSIGN_VERSION, "bin");

/** The command that builds it where {@link cosignBinary} looks. */
export const COSIGN_BUILD = `GOBIN=${BIN_DIR} go install github.com/sigstore/cosign/v2/cmd/cosign@${COSIGN_VERSION}`;

/** The cosign binary (`COSIGN` overrides), or undefined when it is not built. */
export function cosignBinary(): string | undefined {
    const bin = process.env.COSIGN ?? path.join(BIN_DIR, "cosign");
    return fs.existsSync(bin) ? bin : undefined;
}
