/** Where the engine's binaries live: a cache outside the repository, keyed by the versions they are built from. */
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { RECIPES } from "./recipes";

/** A short key of every binary's versions and build stamps: a new version means a new cache directory. */
function engineKey(): string {
    const h = createHash("sha256");
    h.update(JSON.stringify(RECIPES.map((r) => [r.name, r.versions, r.stamps, r.tags ?? []])));
    return h.digest("hex").slice(0, 16);
}

/** The engine directory: `AIHUB_ENGINE_DIR`, else `~/.cache/aihub-airgap/engine/<key>`. */
export function engineDir(): string {
    return process.env.AIHUB_ENGINE_DIR ?? path.join(os.homedir(), ".cache", "aihub-airgap", "engine", engineKey());
}

/** The directory holding the built binaries (`AIHUB_ENGINE_BIN` overrides, for a hand-made set). */
export function engineBinDir(): string {
    return process.env.AIHUB_ENGINE_BIN ?? path.join(engineDir(), "bin");
}

/** Full path of one engine binary. */
export function engineBinary(name: string): string {
    return path.join(engineBinDir(), name);
}

/** The names among `names` that are not an executable file in `binDir`. */
export function absentBinaries(names: string[], binDir = engineBinDir()): string[] {
    return names.filter((name) => {
        try {
            fs.accessSync(path.join(binDir, name), fs.constants.X_OK);
            return false;
        } catch {
            return true;
        }
    });
}
