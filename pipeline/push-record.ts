/**
 * The last bundle pushed to each registry from this project (`.aihub-airgap/pushed.json`, git-ignored): its
 * `created` time and bundle.json hash, so an older bundle — one that an attacker kept, signed with the same key — is
 * not pushed over a newer one (a rollback) unless the admin says so.
 */
import * as fs from "node:fs";
import * as path from "node:path";

/** What is kept per registry server. */
export interface PushRecord {
    created: string;
    bundleSha256: string;
    stack: string;
}

function recordFile(projectDir: string): string {
    return path.join(projectDir, ".aihub-airgap", "pushed.json");
}

function readAll(projectDir: string): Record<string, PushRecord> {
    const file = recordFile(projectDir);
    if (!fs.existsSync(file)) return {};
    try {
        return JSON.parse(fs.readFileSync(file, "utf8")) as Record<string, PushRecord>;
    } catch {
        throw new Error(`${file} is damaged: remove it (the next push records again)`);
    }
}

/** The last push to `server`, if any. */
export function lastPush(projectDir: string, server: string): PushRecord | undefined {
    return readAll(projectDir)[server];
}

/** Why a bundle created at `created` may not be pushed after `last`, or undefined. */
export function rollbackProblem(created: string, last: PushRecord | undefined): string | undefined {
    if (!last) return undefined;
    if (Number.isNaN(Date.parse(created))) {
        return `bundle.json's created "${created}" is not a date and time, so it cannot be compared with the last push (created ${last.created}); if this bundle is meant, push it with --allow-older`;
    }
    if (Date.parse(created) >= Date.parse(last.created)) return undefined;
    return `this bundle was created ${created}, before the one last pushed to this registry (created ${last.created}, stack ${last.stack}): an older bundle would roll the images back; if that is meant, push it with npm run push -- <dir> --stack <name> --allow-older`;
}

/** Records a complete push of a bundle to `server`. */
export function recordPush(projectDir: string, server: string, r: PushRecord): void {
    const all = { ...readAll(projectDir), [server]: r };
    const file = recordFile(projectDir);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(`${file}.tmp`, `${JSON.stringify(all, null, 2)}\n`);
    fs.renameSync(`${file}.tmp`, file);
}
