/**
 * The critical path of one `pulumi up`: from each resource's step (when the engine began it, when its outputs came
 * back) and the dependencies the program declared (the state's `dependencies`), the longest chain of steps that
 * had to run one after another. Its length is the least wall time the declared dependencies allow with the same
 * step durations; what the run took beyond it is the engine's and the program's own overhead (steps started late).
 */

/** One resource's step in an update, in seconds from any common origin. */
export interface StepTiming {
    urn: string;
    /** When the engine began the step (its resource pre-event). */
    start: number;
    /** When its outputs came back (its outputs event). */
    end: number;
    /** URNs this resource depends on, as the state records them (steps of other URNs are ignored). */
    deps: string[];
}

/** One step on the critical path. */
export interface PathStep {
    urn: string;
    /** How long the step took. */
    seconds: number;
    /** How long it started after the last of its dependencies ended (0 for the first). */
    lateBy: number;
}

/** The longest chain of dependent steps and what it adds up to. */
export interface CriticalPath {
    /** Sum of the durations along the chain. */
    seconds: number;
    /** The chain, first step first. */
    chain: PathStep[];
}

/** The longest chain of steps through the declared dependencies (durations only; start times do not count). */
export function criticalPath(steps: StepTiming[]): CriticalPath {
    const byUrn = new Map(steps.map((s) => [s.urn, s]));
    const finish = new Map<string, { total: number; prev?: string }>();
    const visiting = new Set<string>();
    const longest = (urn: string): number => {
        const known = finish.get(urn);
        if (known) return known.total;
        if (visiting.has(urn)) throw new Error(`dependency cycle through ${urn}`);
        visiting.add(urn);
        const s = byUrn.get(urn)!;
        let best: { total: number; prev?: string } = { total: 0 };
        for (const d of s.deps) {
            if (!byUrn.has(d)) continue;
            const t = longest(d);
            if (t > best.total) best = { total: t, prev: d };
        }
        visiting.delete(urn);
        const entry = { total: best.total + (s.end - s.start), prev: best.prev };
        finish.set(urn, entry);
        return entry.total;
    };
    let last: string | undefined;
    for (const s of steps) if (last === undefined || longest(s.urn) > longest(last)) last = s.urn;
    const chain: PathStep[] = [];
    for (let u = last; u !== undefined; u = finish.get(u)!.prev) {
        const s = byUrn.get(u)!;
        const depsEnd = Math.max(...s.deps.filter((d) => byUrn.has(d)).map((d) => byUrn.get(d)!.end), -Infinity);
        chain.unshift({ urn: u, seconds: s.end - s.start, lateBy: depsEnd === -Infinity ? 0 : s.start - depsEnd });
    }
    return { seconds: last === undefined ? 0 : finish.get(last)!.total, chain };
}

/** Engine events as `pulumi up --event-log` writes them, one JSON object per line, with the time each was read. */
export interface TimedEvent {
    /** When the line was read, in seconds. */
    at: number;
    event: {
        /** `planning`: an event of `up`'s own preview (apitype.ResourcePreEvent, sdk/go/common/apitype/events.go). */
        resourcePreEvent?: { metadata: { urn: string; op: string }; planning?: boolean };
        resOutputsEvent?: { metadata: { urn: string; op: string }; planning?: boolean };
        resOpFailedEvent?: { metadata: { urn: string } };
    };
}

/**
 * Each custom resource's step from the event log: pre-event to outputs event. `deps` holds the custom resources
 * (URN → dependencies, from the state); components (whose events span their children's), `same` steps (nothing
 * done) and the events of `up`'s own preview are left out.
 */
export function stepsFromEvents(events: TimedEvent[], deps: Map<string, string[]>): StepTiming[] {
    const started = new Map<string, number>();
    const steps: StepTiming[] = [];
    for (const { at, event } of events) {
        // `up`'s own preview reports each step too, planned only: counted, it made the run's first step the
        // preview's, and a preview's step could pair with the update's.
        if (event.resourcePreEvent?.planning || event.resOutputsEvent?.planning) continue;
        const pre = event.resourcePreEvent?.metadata;
        if (pre && pre.op !== "same") started.set(pre.urn, at);
        const out = event.resOutputsEvent?.metadata;
        if (out && started.has(out.urn) && deps.has(out.urn)) {
            steps.push({ urn: out.urn, start: started.get(out.urn)!, end: at, deps: deps.get(out.urn) ?? [] });
            started.delete(out.urn);
        }
    }
    return steps;
}
