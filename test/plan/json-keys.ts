/** The top-level keys of the `plan --json` document (design §7), on success and on failure alike. */
export const PLAN_JSON_KEYS = ["charts", "errors", "findings", "images", "ok", "resources", "stack", "warnings"];
