#!/usr/bin/env node
/*
 * Helm post-renderer for the AI Hub release (helm.v3.Release `postrender`): reads the rendered manifests on stdin
 * and writes them to stdout with
 * - the chart's non-hook `deployment-init-job` renamed to `deployment-init-job-<hash of its spec>`. A Job's pod
 *   template is immutable, so an upgrade that changes it (a new image tag) would fail; with the content-addressed
 *   name Helm deletes the old Job and creates the new one, which is what the vendor's manual step (delete the Job
 *   before `helm upgrade`) does. An unchanged Job keeps its name.
 * - `spec.replicas` removed from every Deployment and StatefulSet: the scale steps (components/aihub-scale.ts) own
 *   the replica counts, so a Helm upgrade never starts what `aihub.running: false` stopped.
 * - with `stopped` (postrender-stopped.cjs, used while `aihub.running` is false) the init Job left out, so its pods
 *   are gone and an upgrade does not run it against stopped databases.
 * Every other document is passed through byte for byte.
 */
const crypto = require("node:crypto");
const YAML = require("yaml");

const INIT_JOB = "deployment-init-job";
const SCALED = new Set(["Deployment", "StatefulSet"]);

/** Applies the rules above to a multi-document manifest. */
function postRender(manifest, opts = {}) {
    // Split on document separators only; each piece is parsed just to find the objects to change.
    const pieces = manifest.split(/^---[ \t]*$/m);
    return pieces
        .map((text) => {
            const doc = YAML.parseDocument(text, { uniqueKeys: false });
            const obj = doc.toJSON();
            if (!obj || !obj.metadata) return text;
            if (obj.kind === "Job" && obj.metadata.name === INIT_JOB) {
                if (opts.stopped) return undefined;
                const hash = crypto.createHash("sha256").update(JSON.stringify(obj.spec)).digest("hex").slice(0, 10);
                doc.setIn(["metadata", "name"], `${INIT_JOB}-${hash}`);
                return `\n${doc.toString({ lineWidth: 0 })}`;
            }
            if (SCALED.has(obj.kind) && obj.spec && "replicas" in obj.spec) {
                doc.deleteIn(["spec", "replicas"]);
                return `\n${doc.toString({ lineWidth: 0 })}`;
            }
            return text;
        })
        .filter((t) => t !== undefined)
        .join("---");
}

/** Reads stdin, writes the post-rendered manifest to stdout. */
function main(opts) {
    let input = "";
    process.stdin.setEncoding("utf8");
    process.stdin.on("data", (c) => (input += c));
    process.stdin.on("end", () => process.stdout.write(postRender(input, opts)));
}

module.exports = { postRender, main, INIT_JOB };

if (require.main === module) main({});
