import { createHash, createHmac, timingSafeEqual } from "node:crypto";

/**
 * AWS Signature Version 4 verification, as a service does it: rebuild the canonical request from what arrived,
 * derive the signing key from the secret issued for the access key id, and compare. Written from the SigV4
 * specification for the fake STS; tests/fake-sts.test.ts checks it against requests signed by the AWS SDK's signer.
 */

export interface ReceivedRequest {
    method: string;
    /** Path and query as sent, e.g. `/?Action=...` or `/`. */
    url: string;
    /** Header names and values in arrival order (Node's `rawHeaders` pairs). */
    rawHeaders: string[];
    body: Buffer;
}

export interface ParsedAuthorization {
    accessKeyId: string;
    date: string;
    region: string;
    service: string;
    terminator: string;
    signedHeaders: string[];
    signature: string;
}

export type Verification =
    | { ok: true; auth: ParsedAuthorization; amzDate: string }
    | { ok: false; code: "MissingAuthenticationToken" | "IncompleteSignature" | "SignatureDoesNotMatch"; message: string; auth?: ParsedAuthorization };

const ALGORITHM = "AWS4-HMAC-SHA256";

export function sha256Hex(data: string | Buffer): string {
    return createHash("sha256").update(data).digest("hex");
}

function hmac(key: Buffer | string, data: string): Buffer {
    return createHmac("sha256", key).update(data, "utf8").digest();
}

/** RFC 3986 encoding: everything but unreserved characters, as SigV4 requires. */
export function uriEncode(value: string): string {
    return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

export function parseAuthorization(header: string | undefined): ParsedAuthorization | undefined {
    if (!header || !header.startsWith(`${ALGORITHM} `)) {
        return undefined;
    }
    const fields: Record<string, string> = {};
    for (const part of header.slice(ALGORITHM.length + 1).split(",")) {
        const eq = part.indexOf("=");
        if (eq > 0) {
            fields[part.slice(0, eq).trim()] = part.slice(eq + 1).trim();
        }
    }
    const scope = (fields.Credential ?? "").split("/");
    if (scope.length !== 5 || !fields.SignedHeaders || !fields.Signature) {
        return undefined;
    }
    const [accessKeyId, date, region, service, terminator] = scope;
    return { accessKeyId, date, region, service, terminator, signedHeaders: fields.SignedHeaders.split(";"), signature: fields.Signature };
}

function headerValues(rawHeaders: string[]): Map<string, string[]> {
    const values = new Map<string, string[]>();
    for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
        const name = rawHeaders[i].toLowerCase();
        values.set(name, [...(values.get(name) ?? []), rawHeaders[i + 1]]);
    }
    return values;
}

export function headerOf(request: ReceivedRequest, name: string): string | undefined {
    return headerValues(request.rawHeaders).get(name.toLowerCase())?.join(",");
}

function canonicalPath(path: string): string {
    // Non-S3 services encode each (already encoded) segment once more.
    return path.split("/").map((segment) => uriEncode(segment)).join("/") || "/";
}

function canonicalQuery(query: string): string {
    if (query === "") {
        return "";
    }
    return query
        .split("&")
        .filter((pair) => pair !== "")
        .map((pair) => {
            const eq = pair.indexOf("=");
            const key = eq < 0 ? pair : pair.slice(0, eq);
            const value = eq < 0 ? "" : pair.slice(eq + 1);
            return [uriEncode(decodeURIComponent(key)), uriEncode(decodeURIComponent(value))];
        })
        .sort(([k1, v1], [k2, v2]) => (k1 < k2 ? -1 : k1 > k2 ? 1 : v1 < v2 ? -1 : v1 > v2 ? 1 : 0))
        .map(([k, v]) => `${k}=${v}`)
        .join("&");
}

export function canonicalRequest(request: ReceivedRequest, signedHeaders: string[]): string {
    const values = headerValues(request.rawHeaders);
    const [path, query = ""] = request.url.split(/\?(.*)/s, 2);
    const headers = signedHeaders
        .map((name) => `${name}:${(values.get(name) ?? []).map((v) => v.trim().replace(/\s+/g, " ")).join(",")}\n`)
        .join("");
    // The hash of what arrived; a differing x-amz-content-sha256 header is refused by verify().
    const payloadHash = sha256Hex(request.body);
    return [request.method, canonicalPath(path), canonicalQuery(query), headers, signedHeaders.join(";"), payloadHash].join("\n");
}

export function signingKey(secretAccessKey: string, date: string, region: string, service: string): Buffer {
    return hmac(hmac(hmac(hmac(`AWS4${secretAccessKey}`, date), region), service), "aws4_request");
}

export function signature(request: ReceivedRequest, auth: ParsedAuthorization, amzDate: string, secretAccessKey: string): string {
    const scope = `${auth.date}/${auth.region}/${auth.service}/${auth.terminator}`;
    const stringToSign = [ALGORITHM, amzDate, scope, sha256Hex(canonicalRequest(request, auth.signedHeaders))].join("\n");
    return createHmac("sha256", signingKey(secretAccessKey, auth.date, auth.region, auth.service)).update(stringToSign, "utf8").digest("hex");
}

export interface VerifyOptions {
    /** The secret issued for the access key id. */
    secretAccessKey: string;
    /** The service the request must be scoped to, e.g. `sts`. */
    service: string;
    /** Session token issued with the credentials: it must be sent in x-amz-security-token and signed. */
    sessionToken?: string;
    now?: Date;
    /** Allowed clock skew (AWS: 5 minutes). */
    maxSkewMs?: number;
}

function amzDateToMs(amzDate: string): number | undefined {
    const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(amzDate);
    return m ? Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]) : undefined;
}

/** Verifies a request's SigV4 `Authorization` header. Does not look up the key: pass its secret. */
export function verify(request: ReceivedRequest, options: VerifyOptions): Verification {
    const header = headerOf(request, "authorization");
    if (!header) {
        return { ok: false, code: "MissingAuthenticationToken", message: "Request is missing Authentication Token" };
    }
    const auth = parseAuthorization(header);
    if (!auth) {
        return { ok: false, code: "IncompleteSignature", message: "Authorization header is not a complete AWS4-HMAC-SHA256 signature" };
    }
    const bad = (message: string): Verification => ({ ok: false, code: "SignatureDoesNotMatch", message, auth });
    if (auth.service !== options.service || auth.terminator !== "aws4_request") {
        return bad(`Credential should be scoped to correct service: '${options.service}'.`);
    }
    const amzDate = headerOf(request, "x-amz-date");
    const when = amzDate === undefined ? undefined : amzDateToMs(amzDate);
    if (amzDate === undefined || when === undefined) {
        return bad("X-Amz-Date is missing or malformed");
    }
    if (!auth.signedHeaders.includes("host") || !auth.signedHeaders.includes("x-amz-date")) {
        return bad("host and x-amz-date must be signed");
    }
    const sorted = [...auth.signedHeaders].sort();
    if (auth.signedHeaders.some((h, i) => h !== h.toLowerCase() || h !== sorted[i])) {
        return bad("SignedHeaders must be lowercase and sorted");
    }
    if (!amzDate.startsWith(auth.date)) {
        return bad("Credential scope date does not match X-Amz-Date");
    }
    const now = (options.now ?? new Date()).getTime();
    if (Math.abs(now - when) > (options.maxSkewMs ?? 5 * 60 * 1000)) {
        return bad(`Signature expired: ${amzDate} is too far from the server time`);
    }
    if (options.sessionToken !== undefined) {
        if (!auth.signedHeaders.includes("x-amz-security-token")) {
            return bad("x-amz-security-token must be signed");
        }
    }
    const declared = headerOf(request, "x-amz-content-sha256");
    if (declared !== undefined && declared !== sha256Hex(request.body)) {
        return bad("The provided 'x-amz-content-sha256' header does not match what was computed.");
    }
    const expected = Buffer.from(signature(request, auth, amzDate, options.secretAccessKey), "utf8");
    const got = Buffer.from(auth.signature, "utf8");
    if (expected.length !== got.length || !timingSafeEqual(expected, got)) {
        return bad("The request signature we calculated does not match the signature you provided.");
    }
    return { ok: true, auth, amzDate };
}
