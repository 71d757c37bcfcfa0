/**
 * `node scripts/cli-bundle.cjs postrender '<options JSON>'`: the AI Hub release's Helm post-renderer
 * (modules/aihub/postrender.ts), manifests on stdin, the result on stdout. Helm runs it through the per-stack script
 * modules/aihub/postrender-script.ts writes, which names the stack's options; from the prebuilt bundle, a render no
 * longer starts tsx and compiles the sources first.
 */
import { main, type PostRenderOptions } from "../modules/aihub/postrender";

const arg = process.argv[2];
let opts: PostRenderOptions | undefined;
try {
    opts = arg === undefined ? undefined : (JSON.parse(arg) as PostRenderOptions);
} catch {
    opts = undefined;
}
if (typeof opts?.registry !== "string") {
    console.error(
        `usage: node scripts/cli-bundle.cjs postrender '{"registry":"<host[:port][/project]>","stopped":false}'`,
    );
    process.exit(2);
}
main(opts);
