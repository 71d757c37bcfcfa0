/**
 * Every password, key and client secret the AI Hub chart expects (facts aihub-chart §4), with its shape and where
 * it goes in the values. The names are the keys of `aihub-airgap:aihub.credentials` that override a generated value.
 */
import type { Problem } from "../lib/problems";
import type { AiHubLayout } from "./aihub-layout";

/**
 * How a credential is generated: `password` = 32 letters and digits (safe in YAML, URLs and env files),
 * `hex64` = 64 hex characters (`openssl rand -hex 32`), `uuid` = an RFC 4122 UUID (the chart's OIDC client secrets).
 */
export type CredentialShape = "password" | "hex64" | "uuid";

/** One credential. */
export interface CredentialSpec {
    /** Key under `aihub.credentials`, and the logical name of its random resource. */
    name: string;
    shape: CredentialShape;
    /** Dotted values path(s) for a chart layout. */
    paths: (l: AiHubLayout) => string[];
    /** What it is, for docs and error messages. */
    what: string;
}

const fixed =
    (...paths: string[]) =>
    (): string[] =>
        paths;

/** The credentials, in a stable order. */
export const CREDENTIALS: readonly CredentialSpec[] = [
    {
        name: "adminPassword",
        shape: "password",
        paths: fixed("common.initialPass"),
        what: "initial admin (Keycloak and AI Hub)",
    },
    { name: "aihubDbPassword", shape: "password", paths: fixed("aihubDB.dbPass"), what: "AI Hub server database" },
    { name: "keycloakDbPassword", shape: "password", paths: fixed("keycloakDB.dbPass"), what: "Keycloak database" },
    { name: "jupyterDbPassword", shape: "password", paths: fixed("jupyterDB.dbPass"), what: "JupyterHub database" },
    { name: "activemqPassword", shape: "password", paths: fixed("activemq.broker.password"), what: "ActiveMQ broker" },
    { name: "jupyterCryptKey", shape: "hex64", paths: fixed("jupyterHub.cryptKey"), what: "JupyterHub crypt key" },
    {
        name: "landingPageClientSecret",
        shape: "uuid",
        paths: fixed("landingPage.ssoClientSecret"),
        what: "landing page OIDC client",
    },
    {
        name: "backendClientSecret",
        shape: "uuid",
        paths: fixed("aihubBackend.ssoClientSecret"),
        what: "AI Hub backend OIDC client",
    },
    {
        name: "jobAgentClientSecret",
        shape: "uuid",
        paths: (l) => [`${l.jobAgentKey}.ssoClientSecret`],
        what: "job agent OIDC client",
    },
    {
        name: "platformAdminClientSecret",
        shape: "uuid",
        paths: fixed("platformAdmin.ssoClientSecret"),
        what: "platform admin OIDC client",
    },
    {
        name: "tokenToolClientSecret",
        shape: "uuid",
        paths: fixed("tokenTool.ssoClientSecret"),
        what: "token tool OIDC client",
    },
    {
        name: "jupyterHubClientSecret",
        shape: "uuid",
        paths: fixed("jupyterHub.ssoClientSecret"),
        what: "JupyterHub OIDC client",
    },
    {
        name: "grafanaClientSecret",
        shape: "uuid",
        paths: fixed("grafana.ssoClientSecret"),
        what: "Grafana OIDC client",
    },
    {
        name: "scoringAgentClientSecret",
        shape: "uuid",
        paths: fixed("scoringAgent.ssoClientSecret"),
        what: "scoring agent OIDC client",
    },
    {
        name: "webApiAgentClientSecret",
        shape: "uuid",
        paths: (l) => [`${l.webApiAgentKey}.ssoClientSecret`],
        what: "web API agent OIDC client",
    },
    {
        name: "panopticonClientSecret",
        shape: "uuid",
        paths: fixed("panopticonVizapp.ssoClientSecret"),
        what: "Panopticon OIDC client",
    },
    {
        name: "webApiRegistryPassword",
        shape: "password",
        paths: fixed("webApiGateway.webapiRegistryPassword"),
        what: "web API gateway registry",
    },
    {
        name: "monetdbPassword",
        shape: "password",
        paths: fixed("panopticonMonetDB.adminPass"),
        what: "Panopticon MonetDB admin",
    },
    {
        name: "proxyMetricsPassword",
        shape: "password",
        paths: fixed("proxy.metrics.authBasic.password"),
        what: "proxy metrics basic auth",
    },
    {
        name: "scoringBasicAuthPassword",
        shape: "password",
        paths: fixed("scoringAgent.basicAuth.password"),
        what: "scoring agent basic auth",
    },
];

/** Length of generated passwords. */
export const PASSWORD_LENGTH = 32;

const SHAPES: Record<CredentialShape, { re: RegExp; text: string }> = {
    password: { re: /^[A-Za-z0-9_-]{16,}$/, text: "at least 16 letters, digits, '-' or '_'" },
    hex64: { re: /^[0-9a-f]{64}$/, text: "64 lower-case hex characters (openssl rand -hex 32)" },
    uuid: {
        re: /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
        text: "a lower-case UUID (uuidgen | tr A-Z a-z)",
    },
};

/** Problems with the names given under `aihub.credentials` (each unknown name is one problem). */
export function credentialNameProblems(names: readonly string[]): Problem[] {
    const known = new Set(CREDENTIALS.map((c) => c.name));
    return names
        .filter((n) => !known.has(n))
        .map((n) => ({
            path: `aihub.credentials.${n}`,
            text: `is not a credential this program knows (use one of: ${[...known].join(", ")})`,
        }));
}

/** The problem with an override's value, when it does not have its credential's shape. */
export function credentialValueProblem(name: string, value: string): Problem | undefined {
    const spec = CREDENTIALS.find((c) => c.name === name);
    if (!spec) return undefined;
    const shape = SHAPES[spec.shape];
    return shape.re.test(value)
        ? undefined
        : { path: `aihub.credentials.${name}`, text: `must be ${shape.text} (set another value)` };
}

/** Values placing each credential at its paths for a layout. */
export function credentialValues(l: AiHubLayout, values: Record<string, string>): [string, string][] {
    return CREDENTIALS.flatMap((c) => c.paths(l).map((p): [string, string] => [p, values[c.name]]));
}
