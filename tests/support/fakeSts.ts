import { createServer, IncomingMessage, Server, ServerResponse } from "node:http";
import { AddressInfo } from "node:net";
import { CredentialStore, IssuedCredentials, parseRoleArn, requestId, roleSession } from "./fakeAws";
import { headerOf, ReceivedRequest, verify } from "./sigv4";
import { evaluateTrust, PolicyDocument, TrustDecision } from "./trustEvaluator";

/**
 * A fake AWS STS on loopback speaking the query protocol (`Action=AssumeRole&Version=2011-06-15&…`, form-encoded POST
 * or GET query) with STS's XML answers and errors.
 *
 * Every request must carry a valid SigV4 signature scoped to `sts`, made with the secret issued (by the fake agent or
 * by this STS) for its access key id, within 5 minutes of the server's clock, with host, x-amz-date and
 * x-amz-security-token signed, and that token must be the one issued with the key.
 *
 * AssumeRole evaluates the target role's trust policy (`registerRole`) against the caller: aws:PrincipalArn is the
 * caller's role ARN (not its session ARN), aws:PrincipalAccount its account, sts:ExternalId the request's, and the
 * request tags are the caller session's transitive tags (plus tags in the request), which also makes sts:TagSession
 * necessary. Allowed: account-B credentials for the target, remembered (their session inherits the transitive tags).
 * Denied: `AccessDenied`, HTTP 403. As in AWS, a chained session lasts at most one hour.
 *
 * Every call is recorded.
 */

export interface StsCall {
    action: string;
    /** Access key id the request was signed with ("" when unsigned). */
    accessKeyId: string;
    /** Who issued that key: the agent (account A) or this STS. */
    keyIssuer?: IssuedCredentials["issuer"];
    /** Caller session ARN, when the key is known. */
    caller?: string;
    signatureOk: boolean;
    sessionTokenOk: boolean;
    /**
     * Region of the signature's credential scope (set once the signature is verified): the region the client meant
     * to call, whatever endpoint it was redirected to. A global-endpoint call signs for us-east-1.
     */
    signingRegion?: string;
    roleArn?: string;
    roleSessionName?: string;
    externalId?: string;
    durationSeconds?: number;
    /** Request tags the trust policy saw (transitive tags of the caller plus explicit ones). */
    requestTags?: Record<string, string>;
    trust?: TrustDecision;
    /** HTTP status answered and error code, if any. */
    status: number;
    error?: string;
    /** For AssumeRole: the access key id issued. */
    issuedAccessKeyId?: string;
    userAgent?: string;
}

const NS = "https://sts.amazonaws.com/doc/2011-06-15/";

function xml(value: string): string {
    return value.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&apos;");
}

class StsError extends Error {
    constructor(
        readonly status: number,
        readonly code: string,
        message: string,
        readonly type: "Sender" | "Receiver" = "Sender",
    ) {
        super(message);
    }
}

/** Collects `Prefix.member.N.Key`/`.Value` pairs. */
function members(params: URLSearchParams, prefix: string): Record<string, string>[] {
    const found: Record<number, Record<string, string>> = {};
    for (const [key, value] of params) {
        const m = new RegExp(`^${prefix}\\.member\\.(\\d+)(?:\\.(\\w+))?$`).exec(key);
        if (m) {
            (found[+m[1]] ??= {})[m[2] ?? ""] = value;
        }
    }
    return Object.keys(found).sort((a, b) => +a - +b).map((k) => found[+k]);
}

export class FakeSts {
    readonly calls: StsCall[] = [];
    private readonly roles = new Map<string, PolicyDocument>();
    private server?: Server;
    private port = 0;

    constructor(
        private readonly store: CredentialStore,
        private readonly options: { now?: () => Date } = {},
    ) {}

    get url(): string {
        return `http://127.0.0.1:${this.port}`;
    }

    /** A role that can be assumed, with its trust policy. */
    registerRole(roleArn: string, trustPolicy: PolicyDocument): this {
        parseRoleArn(roleArn);
        this.roles.set(roleArn, trustPolicy);
        return this;
    }

    async start(): Promise<this> {
        const server = createServer((req, res) => this.receive(req, res));
        await new Promise<void>((resolve, reject) => {
            server.once("error", reject);
            server.listen(0, "127.0.0.1", () => resolve());
        });
        this.port = (server.address() as AddressInfo).port;
        this.server = server;
        return this;
    }

    async stop(): Promise<void> {
        const server = this.server;
        this.server = undefined;
        if (server) {
            server.closeAllConnections();
            await new Promise<void>((resolve) => server.close(() => resolve()));
        }
    }

    private receive(req: IncomingMessage, res: ServerResponse): void {
        const chunks: Buffer[] = [];
        req.on("data", (c: Buffer) => chunks.push(c));
        req.on("end", () => {
            const request: ReceivedRequest = { method: req.method ?? "GET", url: req.url ?? "/", rawHeaders: req.rawHeaders, body: Buffer.concat(chunks) };
            const call: StsCall = { action: "", accessKeyId: "", signatureOk: false, sessionTokenOk: false, status: 0, userAgent: headerOf(request, "user-agent") };
            this.calls.push(call);
            let status = 200;
            let body: string;
            try {
                body = this.handle(request, call);
            } catch (caught) {
                // A harness failure (e.g. an unsupported trust policy) answers 500 and is recorded, never a deny.
                const e = caught instanceof StsError ? caught : new StsError(500, "InternalFailure", `fake STS: ${(caught as Error).message}`, "Receiver");
                status = e.status;
                call.error = e.code;
                body =
                    `<ErrorResponse xmlns="${NS}">\n  <Error>\n    <Type>${e.type}</Type>\n    <Code>${xml(e.code)}</Code>\n` +
                    `    <Message>${xml(e.message)}</Message>\n  </Error>\n  <RequestId>${requestId()}</RequestId>\n</ErrorResponse>\n`;
            }
            call.status = status;
            res.writeHead(status, { "Content-Type": "text/xml", "x-amzn-RequestId": requestId() });
            res.end(body);
        });
    }

    private handle(request: ReceivedRequest, call: StsCall): string {
        const query = request.url.includes("?") ? request.url.slice(request.url.indexOf("?") + 1) : "";
        const params = new URLSearchParams(query);
        if (request.method === "POST") {
            for (const [k, v] of new URLSearchParams(request.body.toString("utf8"))) {
                params.append(k, v);
            }
        }
        call.action = params.get("Action") ?? "";

        const auth = headerOf(request, "authorization");
        const akid = /Credential=([^/,\s]+)\//.exec(auth ?? "")?.[1] ?? "";
        call.accessKeyId = akid;
        if (!auth) {
            throw new StsError(403, "MissingAuthenticationToken", "Request is missing Authentication Token");
        }
        const issued = this.store.lookup(akid);
        if (!issued) {
            throw new StsError(403, "InvalidClientTokenId", "The security token included in the request is invalid.");
        }
        call.keyIssuer = issued.issuer;
        call.caller = issued.session.sessionArn;
        const verdict = verify(request, {
            secretAccessKey: issued.secretAccessKey,
            service: "sts",
            sessionToken: issued.sessionToken,
            now: this.options.now?.(),
        });
        if (!verdict.ok) {
            throw new StsError(verdict.code === "MissingAuthenticationToken" ? 403 : verdict.code === "IncompleteSignature" ? 400 : 403, verdict.code, verdict.message);
        }
        // STS refuses a scope without a region; a client with no region at all must not pass here.
        if (verdict.auth.region === "") {
            throw new StsError(403, "SignatureDoesNotMatch", "Credential should be scoped to a valid region.");
        }
        call.signatureOk = true;
        call.signingRegion = verdict.auth.region;
        if (headerOf(request, "x-amz-security-token") !== issued.sessionToken) {
            throw new StsError(403, "InvalidClientTokenId", "The security token included in the request is invalid.");
        }
        call.sessionTokenOk = true;
        if (issued.expiration.getTime() <= (this.options.now?.() ?? new Date()).getTime()) {
            throw new StsError(400, "ExpiredToken", "The security token included in the request is expired");
        }
        if (params.get("Version") !== "2011-06-15") {
            throw new StsError(400, "InvalidAction", `Could not find operation ${call.action} for version ${params.get("Version") ?? "NO_VERSION_SPECIFIED"}`);
        }
        switch (call.action) {
            case "GetCallerIdentity":
                return this.getCallerIdentity(issued);
            case "AssumeRole":
                return this.assumeRole(params, issued, call);
            default:
                throw new StsError(400, "InvalidAction", `Could not find operation ${call.action} for version 2011-06-15`);
        }
    }

    private getCallerIdentity(caller: IssuedCredentials): string {
        const s = caller.session;
        return (
            `<GetCallerIdentityResponse xmlns="${NS}">\n  <GetCallerIdentityResult>\n    <Arn>${xml(s.sessionArn)}</Arn>\n` +
            `    <UserId>${xml(s.userId)}</UserId>\n    <Account>${s.account}</Account>\n  </GetCallerIdentityResult>\n` +
            `  <ResponseMetadata>\n    <RequestId>${requestId()}</RequestId>\n  </ResponseMetadata>\n</GetCallerIdentityResponse>\n`
        );
    }

    private assumeRole(params: URLSearchParams, caller: IssuedCredentials, call: StsCall): string {
        const roleArn = params.get("RoleArn") ?? "";
        const sessionName = params.get("RoleSessionName") ?? "";
        call.roleArn = roleArn;
        call.roleSessionName = sessionName;
        call.externalId = params.get("ExternalId") ?? undefined;
        if (!/^[\w+=,.@-]{2,64}$/.test(sessionName)) {
            throw new StsError(400, "ValidationError", "1 validation error detected: Value at 'roleSessionName' failed to satisfy constraint");
        }
        const duration = Number(params.get("DurationSeconds") ?? "3600");
        call.durationSeconds = duration;
        // AWS: a role session assuming a role (role chaining) gets at most one hour.
        if (!Number.isInteger(duration) || duration < 900 || duration > 3600) {
            throw new StsError(400, "ValidationError", `The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.`);
        }
        const explicitTags = Object.fromEntries(members(params, "Tags").map((m) => [m.Key, m.Value]));
        for (const [key, value] of Object.entries(explicitTags)) {
            if (key in caller.transitiveTags && caller.transitiveTags[key] !== value) {
                throw new StsError(400, "InvalidParameterValue", `Cannot override transitive tag ${key}`);
            }
        }
        const transitiveKeys = members(params, "TransitiveTagKeys").map((m) => m[""]);
        const requestTags = { ...caller.transitiveTags, ...explicitTags };
        call.requestTags = requestTags;

        const denied = () =>
            new StsError(403, "AccessDenied", `User: ${caller.session.sessionArn} is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`);
        const trust = this.roles.get(roleArn);
        if (!trust) {
            throw denied();
        }
        const context: Record<string, string> = {};
        if (call.externalId !== undefined) {
            context["sts:ExternalId"] = call.externalId;
        }
        for (const [key, value] of Object.entries(requestTags)) {
            context[`aws:RequestTag/${key}`] = value;
        }
        const decision = evaluateTrust(trust, {
            principalArn: caller.session.roleArn,
            sessionArn: caller.session.sessionArn,
            principalAccount: caller.session.account,
            actions: Object.keys(requestTags).length > 0 ? ["sts:AssumeRole", "sts:TagSession"] : ["sts:AssumeRole"],
            context,
        });
        call.trust = decision;
        if (!decision.allowed) {
            throw denied();
        }

        const transitive = { ...caller.transitiveTags };
        for (const key of transitiveKeys) {
            if (key in explicitTags) {
                transitive[key] = explicitTags[key];
            }
        }
        const issued = this.store.issue(roleSession(roleArn, sessionName), transitive, "sts", duration);
        call.issuedAccessKeyId = issued.accessKeyId;
        const s = issued.session;
        return (
            `<AssumeRoleResponse xmlns="${NS}">\n  <AssumeRoleResult>\n    <AssumedRoleUser>\n` +
            `      <AssumedRoleId>${xml(s.userId)}</AssumedRoleId>\n      <Arn>${xml(s.sessionArn)}</Arn>\n    </AssumedRoleUser>\n` +
            `    <Credentials>\n      <AccessKeyId>${issued.accessKeyId}</AccessKeyId>\n` +
            `      <SecretAccessKey>${xml(issued.secretAccessKey)}</SecretAccessKey>\n` +
            `      <SessionToken>${xml(issued.sessionToken)}</SessionToken>\n` +
            `      <Expiration>${issued.expiration.toISOString()}</Expiration>\n    </Credentials>\n` +
            `    <PackedPolicySize>${Object.keys(requestTags).length > 0 ? 6 : 0}</PackedPolicySize>\n  </AssumeRoleResult>\n` +
            `  <ResponseMetadata>\n    <RequestId>${requestId()}</RequestId>\n  </ResponseMetadata>\n</AssumeRoleResponse>\n`
        );
    }
}
