/**
 * A token server on loopback for distribution's token auth (docs/spec/auth/token.md and jwt.md of
 * distribution/distribution): GET /token with basic credentials and `scope` parameters answers `{token,
 * expires_in}`, the token an ES256 JWT whose `x5c` header carries a self-signed certificate that distribution trusts
 * through `rootcertbundle` (registry/auth/token/token.go checks chain, issuer, audience, expiry and access; it
 * allows 60 s of clock skew, its `Leeway`, so `exp` is set that much earlier than the lifetime the registry honours).
 * The registry does all the checking: this only issues.
 */
import { execFileSync } from "node:child_process";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as http from "node:http";
import * as path from "node:path";

/** distribution 2.8's allowance for clock skew on `exp` (registry/auth/token/token.go, Leeway). */
const LEEWAY_SECONDS = 60;

/** A running token server. */
export interface TokenServer {
    realm: string;
    service: string;
    issuer: string;
    /** The certificate file distribution's `rootcertbundle` names. */
    rootCertBundle: string;
    /** Token requests seen (scope strings joined by spaces). */
    requests: string[];
    /** Seconds the registry accepts a token for. */
    lifetime: number;
    /** `expires_in` told to the client (undefined: not sent, so the spec's 60 s default applies). */
    reported: number | undefined;
    /** Answer the next `n` requests with HTTP 500. */
    failNext: number;
    stop(): Promise<void>;
}

const b64url = (b: Buffer | string) => Buffer.from(b).toString("base64url");

/** Starts the token server; `users` maps user to password. */
export async function startTokenServer(dir: string, users: Record<string, string>): Promise<TokenServer> {
    fs.mkdirSync(dir, { recursive: true });
    const keyFile = path.join(dir, "token.key");
    const certFile = path.join(dir, "token.crt");
    execFileSync(
        "openssl",
        ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", keyFile].concat([
            "-out",
            certFile,
            "-days",
            "2",
            "-subj",
            "/CN=aihub-airgap test token issuer",
        ]),
        { stdio: "pipe" },
    );
    const key = crypto.createPrivateKey(fs.readFileSync(keyFile));
    const der = new crypto.X509Certificate(fs.readFileSync(certFile)).raw;
    const state: Omit<TokenServer, "realm" | "stop"> = {
        service: "aihub-test-registry",
        issuer: "aihub-test-issuer",
        rootCertBundle: certFile,
        requests: [],
        lifetime: 300,
        reported: 300,
        failNext: 0,
    };
    const server = http.createServer((req, res) => {
        const url = new URL(req.url ?? "/", "http://x");
        const scopes = url.searchParams.getAll("scope");
        state.requests.push(scopes.join(" "));
        if (state.failNext > 0) {
            state.failNext--;
            res.writeHead(500).end("token server failure (test)");
            return;
        }
        const [user, pass] = Buffer.from(String(req.headers.authorization ?? "").replace(/^Basic /, ""), "base64")
            .toString()
            .split(":");
        if (users[user] === undefined || users[user] !== pass) {
            res.writeHead(401).end("bad credentials");
            return;
        }
        const now = Math.floor(Date.now() / 1000);
        const access = scopes.flatMap((s) =>
            s.split(" ").map((one) => {
                const [type, name, actions] = one.split(":");
                return { type, name, actions: actions.split(",") };
            }),
        );
        const header = { typ: "JWT", alg: "ES256", x5c: [der.toString("base64")] };
        const claims = {
            iss: state.issuer,
            sub: user,
            aud: url.searchParams.get("service"),
            exp: now + state.lifetime - LEEWAY_SECONDS,
            nbf: now - 5,
            iat: now,
            jti: crypto.randomUUID(),
            access,
        };
        const signing = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(claims))}`;
        const sig = crypto.sign("sha256", Buffer.from(signing), { key, dsaEncoding: "ieee-p1363" });
        const body: Record<string, unknown> = { token: `${signing}.${b64url(sig)}` };
        if (state.reported !== undefined) body.expires_in = state.reported;
        res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(body));
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const port = (server.address() as { port: number }).port;
    return Object.assign(state, {
        realm: `http://127.0.0.1:${port}/token`,
        stop: () => new Promise<void>((r) => server.close(() => r())),
    });
}
