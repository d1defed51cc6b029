/**
 * Who is calling the portal. Two sources, both configured by the platform team:
 *
 * - Bearer tokens, one per principal, listed in a tokens file (JSON or YAML) by their SHA-256 digest only: the file
 *   never holds a token, so reading it (a backup, a config repository) grants nothing. Tokens are random 256-bit
 *   values (`openssl rand -hex 32`), so a plain SHA-256 is enough: a slow hash (scrypt) protects guessable
 *   passwords, and there is nothing to guess here.
 * - Identity headers set by an authenticating proxy in front of the portal (`X-Portal-User`, `X-Portal-Team`,
 *   `X-Portal-Role`), believed only when the request also carries the proxy's shared secret
 *   (`X-Portal-Proxy-Secret`), compared in constant time. A client talking to the portal directly cannot forge them.
 *
 * The caller's team is the principal's, never the request body's.
 */
import { createHash, timingSafeEqual } from "crypto";
import * as fs from "fs";
import * as http from "http";
import * as YAML from "yaml";

/** `member`: its own team's workloads only. `admin` (the platform team): every team's. */
export type PortalRole = "member" | "admin";

/** An authenticated caller. */
export interface Principal {
    /** Who: a person or a system, as the audit log names it. Never a token. */
    name: string;
    /** The team whose workloads a member sees and changes. */
    team: string;
    role: PortalRole;
}

/** One entry of the tokens file: the principal and the SHA-256 (hex) of its bearer token. */
export interface TokenEntry extends Principal {
    sha256: string;
}

/** Headers an authenticating proxy sets; the portal believes them only with the proxy's secret. */
export const PROXY_HEADERS = {
    secret: "x-portal-proxy-secret",
    user: "x-portal-user",
    team: "x-portal-team",
    role: "x-portal-role",
} as const;

/** Team names: what workload ids and AWS tags can carry (a DNS-1123 label of at most 32 characters). */
export const TEAM_NAME = /^[a-z0-9]([-a-z0-9]{0,30}[a-z0-9])?$/;

/**
 * Principal names: what the audit log and records may carry. Letters, digits and `._@+=-`, at most 128 characters: an
 * e-mail address or a user name fits; a comma does not (Node joins a repeated header's values with ", ", so a name
 * with a comma could be two names), nor spaces or control characters (they could forge log lines or split them).
 */
export const PRINCIPAL_NAME = /^[A-Za-z0-9][A-Za-z0-9._@+=-]{0,127}$/;

/** The SHA-256 of a token, in hex: what the tokens file stores (see hash-token.ts). */
export function hashToken(token: string): string {
    return createHash("sha256").update(token, "utf8").digest("hex");
}

/** Why a request was not authenticated: the message is safe to return (it never echoes what was sent). */
export class AuthenticationError extends Error {}

const isRole = (value: unknown): value is PortalRole => value === "member" || value === "admin";

/**
 * Reads and checks a tokens file: `{ "tokens": [{ "name", "team", "role", "sha256" }] }` as JSON or YAML (by
 * extension: `.json`, else YAML, which also reads JSON). Refuses a file holding anything that looks like a token.
 */
export function loadTokensFile(file: string): TokenEntry[] {
    const text = fs.readFileSync(file, "utf8");
    const parsed: unknown = file.endsWith(".json") ? JSON.parse(text) : YAML.parse(text);
    const tokens = (parsed as { tokens?: unknown } | null)?.tokens;
    if (!Array.isArray(tokens)) throw new Error(`${file}: expected { tokens: [{ name, team, role, sha256 }] }`);
    return checkTokenEntries(tokens, file);
}

/** Checks token entries (from a file or `startPortal({ tokens })`): complete, unique, digests only. */
export function checkTokenEntries(entries: unknown[], source = "tokens"): TokenEntry[] {
    const names = new Set<string>();
    const digests = new Set<string>();
    return entries.map((entry, i) => {
        const where = `${source}: entry ${i}`;
        if (typeof entry !== "object" || entry === null) throw new Error(`${where} is not an object`);
        const e = entry as Record<string, unknown>;
        const unexpected = Object.keys(e).filter((k) => !["name", "team", "role", "sha256"].includes(k));
        // Refused by name and without its value: a plain token must never sit in the file, nor in an error message.
        if (unexpected.length > 0) throw new Error(`${where}: unexpected field(s) ${unexpected.join(", ")}: an entry holds name, team, role and the token's sha256 only`);
        if (typeof e.name !== "string" || e.name.trim() === "") throw new Error(`${where}: name is required`);
        if (!PRINCIPAL_NAME.test(e.name)) throw new Error(`${where}: name must be letters, digits and ._@+=- (at most 128, no commas or spaces)`);
        if (typeof e.team !== "string" || !TEAM_NAME.test(e.team)) throw new Error(`${where} (${e.name}): team must be a team name (lower-case letters, digits, '-')`);
        if (!isRole(e.role)) throw new Error(`${where} (${e.name}): role must be "member" or "admin"`);
        if (typeof e.sha256 !== "string" || !/^[0-9a-f]{64}$/.test(e.sha256)) throw new Error(`${where} (${e.name}): sha256 must be 64 lower-case hex digits (hash-token.js prints it)`);
        if (names.has(e.name)) throw new Error(`${where}: name ${e.name} is listed twice`);
        if (digests.has(e.sha256)) throw new Error(`${where} (${e.name}): the same token is listed twice`);
        names.add(e.name);
        digests.add(e.sha256);
        return { name: e.name, team: e.team, role: e.role, sha256: e.sha256 };
    });
}

/** Where identities come from; at least one source is required. */
export interface IdentitySources {
    /** Principals and their tokens' digests. */
    tokens?: TokenEntry[];
    /** The authenticating proxy's shared secret: with it, identity headers are believed. */
    proxySecret?: string;
}

const digestOf = (value: string) => createHash("sha256").update(value, "utf8").digest();

/** Authenticates requests against the configured sources. */
export class IdentityResolver {
    private readonly tokens: { digest: Buffer; principal: Principal }[];
    private readonly proxyDigest?: Buffer;

    constructor(sources: IdentitySources) {
        this.tokens = (sources.tokens ?? []).map(({ sha256, ...principal }) => ({ digest: Buffer.from(sha256, "hex"), principal }));
        if (sources.proxySecret !== undefined) {
            if (sources.proxySecret.length < 16) throw new Error("the proxy secret must be at least 16 characters (use openssl rand -hex 32)");
            this.proxyDigest = digestOf(sources.proxySecret);
        }
        if (this.tokens.length === 0 && !this.proxyDigest) throw new Error("the portal needs an identity source: tokens (PORTAL_TOKENS_FILE), a proxy secret (PORTAL_PROXY_SECRET_FILE), or an admin token (PORTAL_TOKEN)");
    }

    /** The caller, or an AuthenticationError. */
    authenticate(req: http.IncomingMessage): Principal {
        // A repeated identity header is ambiguous (Node joins X-Portal-User's values as "victim, eve" and keeps only the
        // first Authorization): refused, whichever value the portal would have read.
        for (const name of [...Object.values(PROXY_HEADERS), "authorization"]) {
            if ((req.headersDistinct[name]?.length ?? 0) > 1) throw new AuthenticationError(`the ${name} header is repeated: send it once`);
        }
        const header = (name: string) => {
            const value = req.headers[name];
            return Array.isArray(value) ? undefined : value;
        };
        const fromProxy = Object.values(PROXY_HEADERS).some((name) => req.headers[name] !== undefined);
        if (fromProxy) return this.fromProxy(header);
        // RFC 9110 §11.1: the auth scheme is case-insensitive (`bearer`, `BEARER`).
        const token = /^bearer +(\S+) *$/i.exec(header("authorization") ?? "")?.[1];
        if (token === undefined) throw new AuthenticationError("missing or wrong bearer token");
        const given = digestOf(token);
        let found: Principal | undefined;
        // Every entry is compared, in constant time, so the reply's timing says nothing about which digest was near.
        for (const entry of this.tokens) if (timingSafeEqual(given, entry.digest)) found = entry.principal;
        if (!found) throw new AuthenticationError("missing or wrong bearer token");
        return found;
    }

    private fromProxy(header: (name: string) => string | undefined): Principal {
        const secret = header(PROXY_HEADERS.secret);
        // Identity headers without the proxy's proof are refused, not ignored: a request carrying them is either
        // misrouted around the proxy or forged, and falling back to its bearer token would hide that.
        if (!this.proxyDigest || secret === undefined || !timingSafeEqual(digestOf(secret), this.proxyDigest)) {
            throw new AuthenticationError("identity headers are accepted only from the portal's authenticating proxy");
        }
        const name = header(PROXY_HEADERS.user)?.trim();
        const team = header(PROXY_HEADERS.team)?.trim();
        const role = header(PROXY_HEADERS.role)?.trim() ?? "member";
        if (!name) throw new AuthenticationError(`the proxy sent no ${PROXY_HEADERS.user}`);
        if (!PRINCIPAL_NAME.test(name)) throw new AuthenticationError(`${PROXY_HEADERS.user} must be a principal name (letters, digits and ._@+=-, at most 128; no commas)`);
        if (!team || !TEAM_NAME.test(team)) throw new AuthenticationError(`the proxy sent no valid ${PROXY_HEADERS.team}`);
        if (!isRole(role)) throw new AuthenticationError(`${PROXY_HEADERS.role} must be member or admin`);
        return { name, team, role };
    }
}

/** Whether `principal` may see and change a workload of `team`. */
export const mayAccess = (principal: Principal, team: string): boolean => principal.role === "admin" || principal.team === team;
