import { readFileSync } from "node:fs";
import { createServer, IncomingMessage, Server, ServerResponse } from "node:http";
import { AddressInfo } from "node:net";
import { CredentialStore, IssuedCredentials, roleSession } from "./fakeAws";

/**
 * A fake EKS Pod Identity agent on loopback: `GET /v1/credentials` with the pod's token in `Authorization` answers
 * account-A temporary credentials of the source role, in the agent's JSON shape
 * `{AccessKeyId, SecretAccessKey, Token, AccountId, Expiration}`, for a role session that carries the six EKS session
 * tags, all transitive (as EKS Pod Identity marks them).
 *
 * The token is checked against the token file's contents at each request (it rotates); a mismatch is a 403.
 * Failure modes are scripted per request (`next`), or set for every request (`always`); `down()` stops listening.
 * Requests are recorded without their token.
 */

export type AgentBehaviour =
    | { kind: "ok"; pretty?: boolean }
    /** Answer this status with a small JSON error body. */
    | { kind: "status"; status: number }
    /** Wait this long before answering normally (past the client's timeout, the client has given up by then). */
    | { kind: "slow"; delayMs: number }
    /** Answer 200 with this raw body. */
    | { kind: "body"; body: string };

export interface AgentRequest {
    path: string;
    /** Whether `Authorization` matched the token file. */
    authorized: boolean;
    /** Whether an `Authorization` header was sent at all. */
    hadAuthorization: boolean;
    behaviour: AgentBehaviour["kind"] | "unauthorized";
    status: number;
    /** Access key id of the credentials issued, if any. */
    accessKeyId?: string;
}

export interface FakeAgentOptions {
    store: CredentialStore;
    tokenFile: string;
    /** The Pod Identity role (account A), e.g. `arn:aws:iam::111111111111:role/source`. */
    sourceRoleArn: string;
    clusterArn: string;
    namespace: string;
    serviceAccount: string;
    podName?: string;
    /** The association's `disableSessionTags`: the session then carries no tags. */
    disableSessionTags?: boolean;
}

export const CREDENTIALS_PATH = "/v1/credentials";

export class FakePodIdentityAgent {
    readonly requests: AgentRequest[] = [];
    /** Credentials handed out, in order. */
    readonly issued: IssuedCredentials[] = [];
    private readonly queue: AgentBehaviour[] = [];
    private fallback: AgentBehaviour = { kind: "ok" };
    private server?: Server;
    private port = 0;

    constructor(private readonly options: FakeAgentOptions) {}

    /** `http://127.0.0.1:<port>/v1/credentials`. */
    get url(): string {
        return `http://127.0.0.1:${this.port}${CREDENTIALS_PATH}`;
    }

    /** The six EKS Pod Identity session tags of this pod. */
    get sessionTags(): Record<string, string> {
        const o = this.options;
        const podName = o.podName ?? `${o.serviceAccount}-7d9f8c6b5-x2x7k`;
        return {
            "eks-cluster-arn": o.clusterArn,
            "eks-cluster-name": o.clusterArn.split("/").pop()!,
            "kubernetes-namespace": o.namespace,
            "kubernetes-service-account": o.serviceAccount,
            "kubernetes-pod-name": podName,
            "kubernetes-pod-uid": "5e1c1a9e-2b7d-4f55-9d7e-0a4c1f3b9e21",
        };
    }

    /** Behaviours for the next requests, in order; afterwards `always`'s (default: ok). */
    next(...behaviours: AgentBehaviour[]): this {
        this.queue.push(...behaviours);
        return this;
    }

    always(behaviour: AgentBehaviour): this {
        this.fallback = behaviour;
        return this;
    }

    async start(): Promise<this> {
        const server = createServer((req, res) => this.handle(req, res));
        await new Promise<void>((resolve, reject) => {
            server.once("error", reject);
            server.listen(this.port, "127.0.0.1", () => resolve());
        });
        this.port = (server.address() as AddressInfo).port;
        this.server = server;
        return this;
    }

    /** Stops listening (connections are refused from then on); `start()` listens again on the same port. */
    async down(): Promise<void> {
        const server = this.server;
        this.server = undefined;
        if (server) {
            server.closeAllConnections();
            await new Promise<void>((resolve) => server.close(() => resolve()));
        }
    }

    stop(): Promise<void> {
        return this.down();
    }

    private handle(req: IncomingMessage, res: ServerResponse): void {
        const sent = req.headers.authorization;
        let expected: string | undefined;
        try {
            expected = readFileSync(this.options.tokenFile, "utf8");
        } catch {
            expected = undefined;
        }
        const authorized = sent !== undefined && expected !== undefined && sent === expected;
        const record: AgentRequest = {
            path: req.url ?? "",
            authorized,
            hadAuthorization: sent !== undefined,
            behaviour: "unauthorized",
            status: 0,
        };
        this.requests.push(record);
        const reply = (status: number, body: string) => {
            record.status = status;
            if (!res.destroyed) {
                res.writeHead(status, { "Content-Type": "application/json" });
                res.end(body);
            }
        };
        if (req.method !== "GET" || req.url !== CREDENTIALS_PATH) {
            reply(404, JSON.stringify({ Message: "not found" }));
            return;
        }
        if (!authorized) {
            reply(403, JSON.stringify({ Message: "Invalid token" }));
            return;
        }
        const behaviour = this.queue.shift() ?? this.fallback;
        record.behaviour = behaviour.kind;
        switch (behaviour.kind) {
            case "status":
                reply(behaviour.status, JSON.stringify({ Message: `scripted ${behaviour.status}` }));
                return;
            case "body":
                reply(200, behaviour.body);
                return;
            case "slow": {
                const timer = setTimeout(() => reply(200, this.credentialsBody(record, false)), behaviour.delayMs);
                res.on("close", () => clearTimeout(timer));
                return;
            }
            case "ok":
                reply(200, this.credentialsBody(record, behaviour.pretty ?? false));
                return;
        }
    }

    private credentialsBody(record: AgentRequest, pretty: boolean): string {
        const o = this.options;
        const session = roleSession(o.sourceRoleArn, `eks-${this.sessionTags["eks-cluster-name"]}-${this.sessionTags["kubernetes-pod-name"]}`.slice(0, 64));
        const credentials = o.store.issue(session, o.disableSessionTags ? {} : this.sessionTags, "agent", 6 * 3600);
        this.issued.push(credentials);
        record.accessKeyId = credentials.accessKeyId;
        const body = {
            AccessKeyId: credentials.accessKeyId,
            SecretAccessKey: credentials.secretAccessKey,
            Token: credentials.sessionToken,
            AccountId: session.account,
            Expiration: credentials.expiration.toISOString().replace(/\.\d{3}Z$/, "Z"),
        };
        // JSON.stringify never writes `\/`; the agent's encoder may. Pretty output escapes `/` like some encoders do.
        return pretty ? JSON.stringify(body, null, 4).replace(/\//g, "\\/") : JSON.stringify(body);
    }
}
