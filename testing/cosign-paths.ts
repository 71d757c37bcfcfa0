/** The cosign the signing tests check against, and where `npm run cosign:build` (testing/cosign-build.ts) puts it. */
import * as os from "node:os";
import * as path from "node:path";

/** The cosign release (the version of testing/cosign/go.mod). */
export const COSIGN_VERSION = "v2.6.5";

/** The cache folder of its binary, by version, outside the repository. */
export const COSIGN_BIN_DIR = path.join(os.homedir(), ".cache", "aihub-airgap", "cosign", COSIGN_VERSION, "bin");
