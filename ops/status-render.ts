/** The one-screen text of `npm run status`. */
import type { Status } from "./status";

const list = (items: string[], none: string) => (items.length ? items.map((i) => `\n    ${i}`).join("") : ` ${none}`);

/** Renders the status and its problems. */
export function renderStatus(stack: string, s: Status, problems: string[]): string {
    const tb = s.ceph.toolbox;
    const lines = [
        `aihub-airgap status of stack ${stack}`,
        `Ceph       ${"error" in tb ? `toolbox: no answer (${tb.error})` : tb.health}` +
            `; CephCluster reports ${s.ceph.crHealth ?? "nothing"}`,
        `Rook CRs  ${list(
            s.rook.map((r) => `${r.kind} ${r.name}: ${r.phase}`),
            "none",
        )}`,
        `Releases  ${list(
            s.releases.map((r) => `${r.namespace}/${r.name} revision ${r.revision}: ${r.status}`),
            "none",
        )}`,
        `Workloads ${list(
            s.notReady.map((w) => `${w.kind} ${w.namespace}/${w.name} ${w.ready}: ${w.reason}`),
            `all ${s.workloads} ready`,
        )}`,
        `PVCs      ${list(
            s.pendingPvcs.map((p) => `${p.namespace}/${p.name}: ${p.phase} (class ${p.storageClass || "none"})`),
            `all ${s.pvcs} bound`,
        )}`,
        `URL        ${s.url.url}: ${"error" in s.url.answer ? `no answer (${s.url.answer.error})` : `HTTP ${s.url.answer.status}`}`,
        `Backup    ${list(
            s.backups.map(
                (b) =>
                    `${b.name}: ${b.lastSuccess ? `last success ${b.lastSuccess} (${b.ageHours!.toFixed(1)} h ago)` : "never succeeded"}` +
                    (b.lastRunFailed ? ", last run failed" : ""),
            ),
            "none found",
        )}`,
        problems.length ? `UNHEALTHY (${problems.length}):${list(problems, "")}` : "HEALTHY",
    ];
    return lines.join("\n");
}
