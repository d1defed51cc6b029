import { readFileSync } from "node:fs";
import { createServer, IncomingHttpHeaders, IncomingMessage, Server, ServerResponse } from "node:http";
import { AddressInfo } from "node:net";
import { performance } from "node:perf_hooks";
import { CREDENTIAL_PROCESS_LIMITS } from "../../provider/crossAccount/credentialProcess";
import { CredentialStore, IssuedCredentials, roleSession } from "./fakeAws";

/**
 * A fake EKS Pod Identity agent on loopback: `GET /v1/credentials` with the pod's token in `Authorization` answers
 * account-A temporary credentials of the source role, in the agent's JSON shape
 * `{AccessKeyId, SecretAccessKey, Token, AccountId, Expiration}`, for a role session that carries the six EKS session
 * tags, all transitive (as EKS Pod Identity marks them).
 *
 * The token is checked against the token file's contents at each request (it rotates); a mismatch is a 403.
 * Failure modes are scripted per request (`next`), or set for every request (`always`); `down()` stops listening.
 *
 * Everything that crosses it is recorded, so that tests judge what a client did rather than how fast: every request
 * in order of arrival (method, path, headers without the token, when it arrived, was answered and its connection
 * closed: closed unanswered, the client gave up or the agent stopped), and every credential set issued. `hold()` keeps each exchange open, unanswered, until
 * `release()`, so that a test can look at the client while it waits; `arrival(n)` tells when the n-th request is in.
 */

export type AgentBehaviour =
    | { kind: "ok"; pretty?: boolean }
    /** Answer this status with a small JSON error body. */
    | { kind: "status"; status: number }
    /** Never answer: the exchange stays open until the client gives up (its own timeout) or the agent stops. */
    | { kind: "hold" }
    /** Answer 200 with this raw body. */
    | { kind: "body"; body: string };

export interface AgentRequest {
    /** Order of arrival, from 0. */
    index: number;
    method: string;
    path: string;
    /** The request's headers, without `Authorization`. */
    headers: IncomingHttpHeaders;
    /** The client's port: the other end of this exchange's connection. */
    remotePort: number;
    /** `performance.now()` when the request was in (headers read). */
    arrivedAt: number;
    /** When the agent wrote its answer, if it did. */
    answeredAt?: number;
    /** When the connection closed, if it has. */
    closedAt?: number;
    /** Whether `Authorization` matched the token file. */
    authorized: boolean;
    /** Whether an `Authorization` header was sent at all. */
    hadAuthorization: boolean;
    /** How it was answered: a behaviour, or refused before one was applied; "none" while unanswered. */
    behaviour: AgentBehaviour["kind"] | "unauthorized" | "not-found" | "none";
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
    private holding = false;
    private readonly held: (() => void)[] = [];
    private readonly arrivalWaiters: { index: number; resolve: (request: AgentRequest) => void }[] = [];
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

    /**
     * From now on every request is held: recorded on arrival, then left unanswered with its connection open until
     * `release()`. A client waiting on it stays in its exchange (unless its own timeout fires), so a test can observe
     * it there without racing it.
     */
    hold(): this {
        this.holding = true;
        return this;
    }

    /** Stops holding; each held request whose client is still connected is answered by its behaviour. */
    release(): void {
        this.holding = false;
        for (const proceed of this.held.splice(0)) {
            proceed();
        }
    }

    /** The request of this index (from 0, in order of arrival), once it has arrived. */
    arrival(index: number): Promise<AgentRequest> {
        const arrived = this.requests[index];
        if (arrived) {
            return Promise.resolve(arrived);
        }
        return new Promise((resolve) => this.arrivalWaiters.push({ index, resolve }));
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
        const headers = { ...req.headers };
        delete headers.authorization;
        const record: AgentRequest = {
            index: this.requests.length,
            method: req.method ?? "",
            path: req.url ?? "",
            headers,
            remotePort: req.socket.remotePort ?? 0,
            arrivedAt: performance.now(),
            authorized,
            hadAuthorization: sent !== undefined,
            behaviour: "none",
            status: 0,
        };
        this.requests.push(record);
        res.on("close", () => (record.closedAt = performance.now()));
        for (const waiter of this.arrivalWaiters.filter((w) => w.index === record.index)) {
            this.arrivalWaiters.splice(this.arrivalWaiters.indexOf(waiter), 1);
            waiter.resolve(record);
        }
        if (this.holding) {
            this.held.push(() => this.answer(req, res, record, authorized));
        } else {
            this.answer(req, res, record, authorized);
        }
    }

    private answer(req: IncomingMessage, res: ServerResponse, record: AgentRequest, authorized: boolean): void {
        // A client that has given up gets nothing, and is issued nothing.
        if (record.closedAt !== undefined || res.destroyed) {
            return;
        }
        const reply = (status: number, body: string) => {
            record.status = status;
            record.answeredAt = performance.now();
            res.writeHead(status, { "Content-Type": "application/json" });
            res.end(body);
        };
        if (req.method !== "GET" || req.url !== CREDENTIALS_PATH) {
            record.behaviour = "not-found";
            reply(404, JSON.stringify({ Message: "not found" }));
            return;
        }
        if (!authorized) {
            record.behaviour = "unauthorized";
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
            case "hold":
                return;
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

/**
 * Why `attempts` requests from one run of the credential_process helper, lasting `ms`, are more than its design allows
 * when a prompt agent causes `prompt` of them; undefined when they are not. Beyond `prompt`, up to its limit, the
 * helper asks again only after an attempt that met no answer within its request timeout (a busy machine: the answer
 * came later), so each extra attempt costs that timeout, and each attempt after the first a pause: the run lasted at
 * least that long. A lower bound, which load cannot break; a helper that asked again at once, without cause, fails it.
 */
export function unexplainedAttempts(attempts: number, prompt: number, ms: number): string | undefined {
    const limits = CREDENTIAL_PROCESS_LIMITS;
    if (attempts < prompt || attempts > limits.attempts) {
        return `${attempts} attempts: ${prompt} with a prompt agent, at most ${limits.attempts}`;
    }
    const timedOut = attempts - prompt;
    const pauses = limits.backoffSeconds.slice(0, attempts - 1).reduce((a: number, b) => a + b, 0);
    const least = (timedOut * limits.requestTimeoutSeconds + pauses) * 1000;
    if (timedOut > 0 && ms < least) {
        return `${attempts} attempts in ${ms} ms: ${timedOut} beyond the ${prompt} of a prompt agent, each after a ${limits.requestTimeoutSeconds}-s timeout, take at least ${least} ms`;
    }
    return undefined;
}
