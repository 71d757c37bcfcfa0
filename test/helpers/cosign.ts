/**
 * A real cosign for the signing tests, built from Go modules (testing/cosign, committed go.sum) into a cache outside
 * the repository by `npm run cosign:build` (CI runs it before the tests; about 10 minutes cold).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { COSIGN_BIN_DIR, COSIGN_VERSION } from "../../testing/cosign-paths";

export { COSIGN_VERSION };

/** The command that builds it where {@link cosignBinary} looks. */
export const COSIGN_BUILD = "npm run cosign:build";

/** The cosign binary (`COSIGN` overrides), or undefined when it is not built. */
export function cosignBinary(): string | undefined {
    const bin = process.env.COSIGN ?? path.join(COSIGN_BIN_DIR, "cosign");
    return fs.existsSync(bin) ? bin : undefined;
}
