#!/usr/bin/env node
/*
 * Helm post-renderer for the AI Hub release (helm.v3.Release `postrender`): reads the rendered manifests on stdin
 * and writes them to stdout with the chart's non-hook `deployment-init-job` renamed to
 * `deployment-init-job-<hash of its spec>`. A Job's pod template is immutable, so an upgrade that changes it (a new
 * image tag) would fail; with the content-addressed name Helm deletes the old Job and creates the new one, which is
 * what the vendor's manual step (delete the Job before `helm upgrade`) does. An unchanged Job keeps its name.
 */
const crypto = require("node:crypto");
const YAML = require("yaml");

const INIT_JOB = "deployment-init-job";

/** Renames the init Job in a multi-document manifest; every other document is passed through byte for byte. */
function renameInitJob(manifest) {
    // Split on document separators only; each piece is parsed just to find the Job.
    const pieces = manifest.split(/^---[ \t]*$/m);
    return pieces
        .map((text) => {
            const doc = YAML.parseDocument(text, { uniqueKeys: false });
            const obj = doc.toJSON();
            if (!obj || obj.kind !== "Job" || !obj.metadata || obj.metadata.name !== INIT_JOB) return text;
            const hash = crypto.createHash("sha256").update(JSON.stringify(obj.spec)).digest("hex").slice(0, 10);
            doc.setIn(["metadata", "name"], `${INIT_JOB}-${hash}`);
            return `\n${doc.toString({ lineWidth: 0 })}`;
        })
        .join("---");
}

module.exports = { renameInitJob, INIT_JOB };

if (require.main === module) {
    let input = "";
    process.stdin.setEncoding("utf8");
    process.stdin.on("data", (c) => (input += c));
    process.stdin.on("end", () => process.stdout.write(renameInitJob(input)));
}
