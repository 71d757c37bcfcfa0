/** The argv that runs `argv` inside a loopback-only network namespace (see loopback-only.mjs). */
export function loopbackOnly(argv: string[]): string[];
