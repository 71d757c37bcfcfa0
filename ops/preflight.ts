/**
 * `npm run preflight`: the checks `pulumi up` runs before Ceph touches a disk, run now against the live cluster —
 * every `ceph.nodes[].hostname` is a Ready node, and each declared disk passes the disk check (the same Job as the
 * program's, modules/ceph/preflight-job.ts, which also proves the Ceph image can be pulled from the registry). The
 * command's own Jobs are deleted again.
 */
import type { ApiClient, KubeObject } from "../lib/kube-api";
import { cephDisks, type NodeDisk } from "../config/disks";
import type { CephConfig } from "../config/schema";
import { preflightJob, preflightJobName } from "../modules/ceph/preflight-job";
import { sleep } from "../lib/async";

/** Name prefix of the command's Jobs (distinct from the program's, which `pulumi up` owns). */
export const CLI_PREFIX = "preflight-cli";

/** One row of the table. */
export interface PreflightRow {
    node: string;
    device: string;
    role: string;
    key: string;
    /** The problems found (none: the disk is fit). */
    problems: string[];
    /** False when the node is missing or not Ready, so its disks were not checked. */
    checked: boolean;
}

/** What the run needs. */
export interface PreflightInput {
    ceph: Pick<CephConfig, "image" | "nodes">;
    registry: string;
    namespace: string;
    pullSecretName: string;
    /** How long one check may take. @default 300000 */
    timeoutMs?: number;
}

/** Problems with the node list itself (names that are not nodes, or not Ready), with the hosts concerned. */
export async function nodeProblems(
    client: ApiClient,
    ceph: Pick<CephConfig, "nodes">,
): Promise<{ lines: string[]; hosts: Set<string> }> {
    const out: string[] = [];
    const hosts = new Set<string>();
    for (const [i, n] of ceph.nodes.entries()) {
        const node = await client.get(`/api/v1/nodes/${n.hostname}`);
        const key = `aihub-airgap:ceph.nodes[${i}].hostname`;
        if (!node) {
            out.push(`${key}: no node named ${n.hostname} (use the node's kubernetes.io/hostname label)`);
            hosts.add(n.hostname);
        } else {
            const ready = (node.status?.conditions as { type: string; status: string }[] | undefined)?.find(
                (c) => c.type === "Ready",
            );
            if (ready?.status !== "True") {
                out.push(`${key}: node ${n.hostname} is not Ready (bring it up first)`);
                hosts.add(n.hostname);
            }
        }
    }
    return { lines: out, hosts };
}

/** Why a check pod has no result yet, when that is final (its image cannot be pulled). */
function pullProblem(pod: KubeObject | undefined): string | undefined {
    const c = (
        pod?.status?.containerStatuses as { state?: { waiting?: { reason?: string; message?: string } } }[]
    )?.[0];
    const w = c?.state?.waiting;
    return w?.reason && /ImagePull|ErrImage|InvalidImageName/.test(w.reason)
        ? `${w.reason}: ${w.message ?? ""}`
        : undefined;
}

/**
 * Why the Job has no pod, when that is final: the Job controller could not create it (a `FailedCreate` event on this
 * Job, e.g. Pod Security admission refusing a privileged pod with the host's PID namespace and /dev), or the Job
 * failed (its `Failed` condition).
 */
async function jobProblem(client: ApiClient, namespace: string, job: KubeObject): Promise<string | undefined> {
    const events = await client.list<{ reason?: string; message?: string }>(
        `/api/v1/namespaces/${namespace}/events?fieldSelector=${encodeURIComponent(
            `involvedObject.uid=${job.metadata.uid},reason=FailedCreate`,
        )}`,
    );
    if (events.length) return `FailedCreate: ${events[events.length - 1].message ?? ""}`;
    const now = await client.get(`/apis/batch/v1/namespaces/${namespace}/jobs/${job.metadata.name}`);
    const failed = (now?.status?.conditions as { type: string; status: string; reason?: string; message?: string }[])
        ?.filter((c) => c.type === "Failed" && c.status === "True")
        .pop();
    return failed ? `the Job failed: ${failed.reason ?? ""}: ${failed.message ?? ""}` : undefined;
}

/** The fix of a Job whose pod cannot be created. */
function createFix(namespace: string, problem: string, name: string): string {
    return /PodSecurity/.test(problem)
        ? `the check runs privileged with the host's PID namespace and /dev; label the namespace privileged, as the Rook namespace is: kubectl label namespace ${namespace} pod-security.kubernetes.io/enforce=privileged --overwrite`
        : `kubectl -n ${namespace} describe job/${name}`;
}

/** Runs the check of one disk and returns its problem lines. */
async function checkDisk(client: ApiClient, disk: NodeDisk, input: PreflightInput): Promise<string[]> {
    const name = preflightJobName(disk, CLI_PREFIX);
    const base = `/apis/batch/v1/namespaces/${input.namespace}/jobs`;
    const manifest = preflightJob(disk, { ...input, cephImage: input.ceph.image, prefix: CLI_PREFIX });
    const job = (await client.create(base, { apiVersion: "batch/v1", kind: "Job", ...manifest }))!;
    const deadline = Date.now() + (input.timeoutMs ?? 300_000);
    try {
        for (;;) {
            const pods = await client.list(
                `/api/v1/namespaces/${input.namespace}/pods?labelSelector=job-name%3D${name}`,
            );
            const pod = pods[0];
            const phase = pod?.status?.phase;
            if (phase === "Succeeded" || phase === "Failed") {
                const st = (pod!.status?.containerStatuses as { state?: { terminated?: { message?: string } } }[])[0];
                const lines = (st?.state?.terminated?.message ?? "").split("\n").filter(Boolean);
                return phase === "Failed" && lines.length === 0
                    ? [`check failed without a report (kubectl -n ${input.namespace} logs job/${name})`]
                    : lines;
            }
            if (!pod) {
                const problem = await jobProblem(client, input.namespace, job);
                if (problem)
                    return [
                        `${disk.hostname} ${disk.path}: the check pod cannot be created in namespace ${input.namespace}: ${problem} (${createFix(input.namespace, problem, name)})`,
                    ];
            }
            const pull = pullProblem(pod);
            if (pull)
                return [
                    `aihub-airgap:ceph.image: cannot pull ${pod!.spec?.containers && (pod!.spec.containers as { image: string }[])[0].image} on ${disk.hostname}: ${pull} (push the bundle, check registry.server and the node's trust of the registry CA)`,
                ];
            if (Date.now() > deadline)
                return [
                    `no result within ${(input.timeoutMs ?? 300_000) / 1000} s (kubectl -n ${input.namespace} describe job/${name})`,
                ];
            await sleep(500);
        }
    } finally {
        await client.request("DELETE", `${base}/${name}`, { propagationPolicy: "Background" });
    }
}

/** Checks every declared disk in disk-map order, except on the hosts in `skip` (missing or not Ready). */
export async function runPreflight(
    client: ApiClient,
    input: PreflightInput,
    skip: ReadonlySet<string> = new Set(),
): Promise<PreflightRow[]> {
    const disks = cephDisks(input.ceph);
    const results = await Promise.all(disks.map((d) => (skip.has(d.hostname) ? [] : checkDisk(client, d, input))));
    return disks.map((d, i) => ({
        node: d.hostname,
        device: d.path,
        role: d.role,
        key: d.key,
        problems: results[i],
        checked: !skip.has(d.hostname),
    }));
}

/** The table: one row per disk, then the problem lines. */
export function renderPreflight(rows: PreflightRow[], nodeIssues: string[]): string {
    const head = ["NODE", "DEVICE", "ROLE", "KEY", "RESULT"];
    const body = rows.map((r) => [
        r.node,
        r.device,
        r.role,
        r.key,
        !r.checked ? "not checked" : r.problems.length ? `${r.problems.length} problem(s)` : "ok",
    ]);
    const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
    const line = (cells: string[]) =>
        cells
            .map((c, i) => c.padEnd(widths[i]))
            .join("  ")
            .trimEnd();
    const problems = [...nodeIssues, ...rows.flatMap((r) => r.problems)];
    return [
        line(head),
        ...body.map(line),
        "",
        problems.length ? problems.join("\n") : "every disk is fit for Ceph",
    ].join("\n");
}
