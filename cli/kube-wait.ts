/**
 * What the waits that dynamic resources run (cli/cleanup-wait.ts, cli/admission-ready.ts) share: the kubeconfig the
 * explicit provider uses, and the body of such a wait. Not an entry point: a module with a main guard
 * (`require.main === module`) must not be imported by another command, as inside that command's bundle its guard
 * holds too (test/project/entry-points.test.ts).
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { ApiClient } from "../lib/kube-api";

/** The kubeconfig file the explicit provider uses for the same settings. */
export function kubeconfigFile(kubeconfig: string | undefined, env = process.env, cwd = process.cwd()): string {
    const home = (p: string) => p.replace(/^~(?=$|\/)/, os.homedir());
    if (kubeconfig) return path.resolve(cwd, home(kubeconfig));
    const fromEnv = env.KUBECONFIG?.split(path.delimiter).find((p) => p !== "");
    return fromEnv ? path.resolve(cwd, fromEnv) : path.join(os.homedir(), ".kube", "config");
}

/**
 * The body of a wait run by a dynamic resource: reads its JSON input from stdin, connects where the explicit provider
 * points, runs `wait` (progress on stdout) and exits 0, or 1 with the failure text on stderr.
 */
export function runKubeWait<I extends { kubeconfig?: string; context?: string }>(
    wait: (client: ApiClient, input: I, log: (line: string) => void) => Promise<string | undefined>,
): void {
    const run = async (): Promise<number> => {
        const input = JSON.parse(fs.readFileSync(0, "utf8")) as I;
        const client = ApiClient.fromKubeconfig(kubeconfigFile(input.kubeconfig), input.context);
        try {
            const failure = await wait(client, input, (l) => console.log(l));
            if (failure) console.error(failure);
            return failure ? 1 : 0;
        } finally {
            client.close();
        }
    };
    run().then(
        (code) => process.exit(code),
        (e) => {
            console.error((e as Error).message);
            process.exit(1);
        },
    );
}
