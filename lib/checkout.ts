/**
 * The checkout this code runs from: the directory of the project's package.json. Found by walking up from this
 * file, so it is the same whether the code runs from its TypeScript sources (tsx, ts-node) or from a prebuilt bundle
 * under `.cache/` (`npm run plan`), where `__dirname` is the bundle's directory.
 */
import * as fs from "node:fs";
import * as path from "node:path";

const PACKAGE_NAME = "aihub-airgap";

let found: string | undefined;

/** Absolute path of the checkout's root directory. */
export function checkoutRoot(): string {
    if (found) return found;
    for (let dir = __dirname; ; dir = path.dirname(dir)) {
        const pkg = path.join(dir, "package.json");
        if (fs.existsSync(pkg) && (JSON.parse(fs.readFileSync(pkg, "utf8")) as { name?: string }).name === PACKAGE_NAME)
            return (found = dir);
        if (path.dirname(dir) === dir) throw new Error(`no package.json named ${PACKAGE_NAME} above ${__dirname}`);
    }
}

/** A path inside the checkout, from its root (`checkoutPath("modules", "aihub", "postrender.ts")`). */
export function checkoutPath(...parts: string[]): string {
    return path.join(checkoutRoot(), ...parts);
}
