/** Version arithmetic for the two vendor charts whose values layouts change between releases. */

/** A `major.minor.patch` triple. */
export interface Semver {
    major: number;
    minor: number;
    patch: number;
}

/** Parses `v1.20.6` or `2026.0.2`; returns undefined when the string is not a plain triple. */
export function parseSemver(v: string): Semver | undefined {
    const m = /^v?(\d+)\.(\d+)\.(\d+)$/.exec(v.trim());
    return m ? { major: +m[1], minor: +m[2], patch: +m[3] } : undefined;
}

/** Compares two triples: negative when a < b. */
export function compareSemver(a: Semver, b: Semver): number {
    return a.major - b.major || a.minor - b.minor || a.patch - b.patch;
}

/**
 * Rook chart values layouts: `v1.9` takes single `image` strings for CSI and needs `pspEnable: false`;
 * `v1.10+` takes repository/tag pairs; from `v1.20` the ceph-csi-operator subchart and the separate
 * ceph-csi-drivers chart deploy CSI.
 */
export type RookLayout = "v1.9" | "v1.10+";

/** The values layout of a Rook version. */
export function rookLayout(v: Semver): RookLayout {
    return v.major === 1 && v.minor < 10 ? "v1.9" : "v1.10+";
}

/** True when the Rook version deploys CSI through ceph-csi-operator and needs the ceph-csi-drivers chart. */
export function rookNeedsCsiDrivers(v: Semver): boolean {
    return v.major > 1 || v.minor >= 20;
}

/** True for the Rook versions this tool knows (v1.9.x to v1.20.x). */
export function rookSupported(v: Semver): boolean {
    return v.major === 1 && v.minor >= 9 && v.minor <= 20;
}

/** Ceph major versions a Rook version runs, where the facts pin them down (Rook's version.go). */
export function cephMajorsFor(v: Semver): { min: number; max: number } | undefined {
    if (v.major !== 1) return undefined;
    if (v.minor === 9) return { min: 15, max: 17 };
    if (v.minor === 20) return { min: 19, max: 20 };
    return undefined;
}

/**
 * AI Hub chart generations whose values differ: 10.3.x (single `jobagent`/`webApiAgent`), 2024.x
 * (`jobagents.agents[]`), 2025.x (`webApiAgents.agents[]`, `publicCert`, HTTPS only), 2026.x (Postgres 17).
 */
export type AiHubGeneration = "10.3" | "2024" | "2025" | "2026";

/** The generation of an AI Hub chart version, or undefined when unsupported. */
export function aihubGeneration(v: Semver): AiHubGeneration | undefined {
    if (v.major === 10 && v.minor === 3) return "10.3";
    if (v.major === 2024 || v.major === 2025 || v.major === 2026) return String(v.major) as AiHubGeneration;
    return undefined;
}

/** True when the AI Hub chart still serves plain HTTP (before 2025.0). */
export function aihubAllowsHttp(v: Semver): boolean {
    return v.major < 2025;
}
