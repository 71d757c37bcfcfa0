/** Cron schedules as Kubernetes CronJobs take them: five fields, numbers, ranges, steps, lists, or a macro. */

const MACROS = ["@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly"];
const FIELDS: [string, number, number][] = [
    ["minute", 0, 59],
    ["hour", 0, 23],
    ["day of month", 1, 31],
    ["month", 1, 12],
    ["day of week", 0, 7],
];

function fieldProblem(text: string, [what, lo, hi]: [string, number, number]): string | undefined {
    for (const part of text.split(",")) {
        const m = /^(\*|(\d+)(?:-(\d+))?)(?:\/(\d+))?$/.exec(part);
        if (!m) return `${what} "${part}" is not a number, range, step or *`;
        const nums = [m[2], m[3]].filter((x) => x !== undefined).map(Number);
        if (nums.some((n) => n < lo || n > hi)) return `${what} "${part}" is outside ${lo}-${hi}`;
        if (nums.length === 2 && nums[0] > nums[1]) return `${what} range "${part}" runs backwards`;
        if (m[4] !== undefined && Number(m[4]) === 0) return `${what} step "${part}" is zero`;
    }
    return undefined;
}

/** Why `schedule` is not a cron schedule, or undefined when it is. */
export function cronProblem(schedule: string): string | undefined {
    const s = schedule.trim();
    if (s.startsWith("@")) return MACROS.includes(s) ? undefined : `"${s}" is not one of ${MACROS.join(", ")}`;
    const fields = s.split(/\s+/);
    if (fields.length !== 5) return `has ${fields.length} fields, not 5`;
    for (let i = 0; i < 5; i++) {
        const p = fieldProblem(fields[i], FIELDS[i]);
        if (p) return p;
    }
    return undefined;
}
