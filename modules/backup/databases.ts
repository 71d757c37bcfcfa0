/**
 * The AI Hub PostgreSQL databases, read from the release's merged values (so a vendor values file that renames a
 * database or user is followed): service, database, user, password, and the chart's postgres image.
 */

type Obj = Record<string, unknown>;

/** One database the backup dumps. */
export interface Database {
    /** Short name used for the dump file (`<name>.dump`). */
    name: string;
    /** The values block it comes from (`aihubDB`, `keycloakDB`, `jupyterDB`). */
    block: string;
    host: string;
    port: number;
    database: string;
    user: string;
    password: string;
    /** The PVC holding its data directory. */
    pvc: string;
}

/** The chart's database blocks with the service and PVC names the templates use when values do not set them. */
const BLOCKS = [
    { name: "aihub", block: "aihubDB", service: "aihub-db-svc", pvc: "aihub-db-pvc" },
    { name: "keycloak", block: "keycloakDB", service: "keycloak-db-svc", pvc: "keycloak-db-pvc" },
    { name: "jupyterhub", block: "jupyterDB", service: "jupyterhub-db", pvc: "jupyterhub-db-pvc", profile: "jupyter" },
] as const;

const str = (v: unknown, fallback: string) => (typeof v === "string" && v !== "" ? v : fallback);

/** The databases the release runs (JupyterHub's only while the `jupyter` profile is on), with the namespace's FQDNs. */
export function aihubDatabases(values: Obj, namespace: string): Database[] {
    const profiles = values.deploymentProfiles as string[] | undefined;
    return BLOCKS.filter((b) => !("profile" in b) || !profiles || profiles.includes(b.profile)).map((b) => {
        const v = (values[b.block] ?? {}) as Obj;
        return {
            name: b.name,
            block: b.block,
            host: `${str(v.serviceName, b.service)}.${namespace}.svc`,
            port: Number(v.dbPort ?? 5432),
            database: str(v.dbName, b.name),
            user: str(v.dbUser, b.name),
            password: str(v.dbPass, ""),
            pvc: str(v.pvcName, b.pvc),
        };
    });
}

/** The `AIHUB_DB_LIST` file pg.sh reads. */
export function dbListFile(dbs: readonly Database[]): string {
    return dbs.map((d) => `${d.name} ${d.host} ${d.port} ${d.database} ${d.user}`).join("\n") + "\n";
}

/** The libpq password file (`PGPASSFILE`); `:` and `\` in a password are escaped as libpq requires. */
export function pgpassFile(dbs: readonly Database[]): string {
    const esc = (s: string) => s.replace(/[\\:]/g, (c) => `\\${c}`);
    return (
        dbs.map((d) => [d.host, d.port, d.database, d.user, d.password].map(String).map(esc).join(":")).join("\n") +
        "\n"
    );
}

/**
 * The image of the AI Hub database (`aihubDB`), whose pg_dump also reads the older servers. The tag is the
 * chart's `mainVersion`, which the chart defaults to its own version.
 */
export function postgresImage(values: Obj, chartVersion: string): string {
    const common = (values.common ?? {}) as Obj;
    const db = (values.aihubDB ?? {}) as Obj;
    const repo = str(db.repoName, str(common.dockerURL, "rapidminer/"));
    return `${repo}${str(db.imageName, "postgres-17")}:${str(db.version, str(common.mainVersion, chartVersion))}`;
}
