/**
 * What a Pulumi run leaves on disk: the credentials to look for (the client key of the sim's admin kubeconfig, the
 * registry password and its auth token), a scan of folders for files holding any of them, and a sampler of what a
 * run writes into its private temporary folder while it runs.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import YAML from "yaml";

/** One credential to look for: a name for the report and the exact text. */
export interface Needle {
    name: string;
    text: string;
}

/** A file that holds a credential. */
export interface Hit {
    file: string;
    needle: string;
}

/**
 * The client key of the first user of `kubeconfig`: `client-key-data` as written (base64), decoded (PEM), and each
 * base64 line of the PEM that is not also a line of the (public) client certificate.
 */
export function clientKeyNeedles(kubeconfig: string): Needle[] {
    const doc = YAML.parse(fs.readFileSync(kubeconfig, "utf8")) as {
        users: { user: { "client-key-data"?: string; "client-certificate-data"?: string } }[];
    };
    const user = doc.users[0].user;
    const b64 = user["client-key-data"];
    if (!b64) throw new Error(`${kubeconfig} has no client-key-data`);
    const pem = Buffer.from(b64, "base64").toString("utf8");
    const cert = Buffer.from(user["client-certificate-data"] ?? "", "base64").toString("utf8");
    const lines = pem
        .split("\n")
        .filter((l) => l.length >= 32 && !l.startsWith("-----") && !cert.includes(l))
        .map((text, i) => ({ name: `client key, PEM line ${i + 1}`, text }));
    return [{ name: "client-key-data (base64)", text: b64 }, { name: "client key (PEM)", text: pem.trim() }, ...lines];
}

/** The registry password and the `user:password` token of a Docker auth file or pull Secret. */
export function registryNeedles(username: string, password: string): Needle[] {
    return [
        { name: "registry password", text: password },
        { name: "registry auth token", text: Buffer.from(`${username}:${password}`).toString("base64") },
    ];
}

/** Options of {@link scan}. */
export interface ScanOptions {
    /** Only files modified at or after this time (ms since the epoch). @default every file */
    since?: number;
    /** Folders not to enter. */
    skip?: string[];
    /** Larger files are not read. @default 64 MiB */
    maxBytes?: number;
}

/**
 * Regular files under `roots` (symbolic links not followed; unreadable entries skipped) that contain a needle, one
 * hit per file and needle.
 */
export function scan(roots: string[], needles: Needle[], opts: ScanOptions = {}): Hit[] {
    const hits: Hit[] = [];
    const skip = new Set((opts.skip ?? []).map((d) => path.resolve(d)));
    const max = opts.maxBytes ?? 64 << 20;
    const visit = (p: string) => {
        if (skip.has(p)) return;
        let st: fs.Stats;
        try {
            st = fs.lstatSync(p);
        } catch {
            return;
        }
        if (st.isDirectory()) {
            let names: string[] = [];
            try {
                names = fs.readdirSync(p);
            } catch {
                return;
            }
            for (const n of names) visit(path.join(p, n));
            return;
        }
        if (!st.isFile() || st.size > max || (opts.since !== undefined && st.mtimeMs < opts.since)) return;
        let text: string;
        try {
            text = fs.readFileSync(p, "latin1");
        } catch {
            return;
        }
        for (const n of needles) if (text.includes(n.text)) hits.push({ file: p, needle: n.name });
    };
    for (const r of roots) visit(path.resolve(r));
    return hits;
}

/** Every regular file under `dir`, relative to it. */
export function filesUnder(dir: string): string[] {
    if (!fs.existsSync(dir)) return [];
    return fs
        .readdirSync(dir, { recursive: true, withFileTypes: true })
        .filter((e) => e.isFile())
        .map((e) => path.relative(dir, path.join(e.parentPath, e.name)))
        .sort();
}

/**
 * Files (relative paths) counted by their top-level entry, digits folded to N and a folder written `name/…`: e.g.
 * `{ kubeconfigN: 2, "tsx-N/…": 40 }`.
 */
export function byTopEntry(files: string[]): Record<string, number> {
    const out: Record<string, number> = {};
    for (const f of files) {
        const [top, ...rest] = f.split(path.sep);
        const key =
            (/^ts-node-[0-9a-f]+$/.test(top) ? "ts-node-<hash>" : top.replace(/\d+/g, "N")) + (rest.length ? "/…" : "");
        out[key] = (out[key] ?? 0) + 1;
    }
    return out;
}

/**
 * Samples, every 200 ms, the files under every run folder (`run-*`) of `<project>/.pulumi-tmp`: what runs write into
 * their private temporary folder, which the launcher removes at the end.
 */
export class TmpSampler {
    /** `<run folder>/<file>` of every file seen. */
    readonly seen = new Set<string>();
    private timer?: NodeJS.Timeout;

    constructor(private readonly root: string) {}

    start(): void {
        this.sample();
        this.timer = setInterval(() => this.sample(), 200);
    }

    stop(): void {
        if (this.timer) clearInterval(this.timer);
        this.timer = undefined;
    }

    /** What was seen since the last call, by top-level entry of the run folder (see {@link byTopEntry}). */
    take(): Record<string, number> {
        this.sample();
        const out = byTopEntry([...this.seen].map((f) => f.split(path.sep).slice(1).join(path.sep)));
        this.seen.clear();
        return out;
    }

    private sample(): void {
        let runs: string[] = [];
        try {
            runs = fs.readdirSync(this.root);
        } catch {
            return;
        }
        for (const run of runs.filter((n) => n.startsWith("run-"))) {
            try {
                for (const f of filesUnder(path.join(this.root, run))) this.seen.add(path.join(run, f));
            } catch {
                // The launcher removed the folder while it was read.
            }
        }
    }
}
