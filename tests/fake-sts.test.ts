import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { SignatureV4 } from "@smithy/signature-v4";
import test, { ExecutionContext } from "ava";
import { request as httpRequest } from "node:http";
import { NodeSha256 } from "../examples/portal/awsSigning";
import { buildCrossAccountTrustPolicy } from "../provider/iam/crossAccountTrust";
import { ACCOUNT_A, ACCOUNT_B, CLUSTER_ARN, CrossAccountScenario, NAMESPACE, READER, SERVICE_ACCOUNT, SOURCE_ROLE, TOKEN } from "./support/crossAccountScenario";
import { CredentialStore, IssuedCredentials, roleSession } from "./support/fakeAws";
import { evaluate, IamRequest } from "./support/iamEvaluator";
import { ReceivedRequest, verify } from "./support/sigv4";
import { evaluateTrust, PolicyDocument, TrustRequest, UnsupportedPolicy } from "./support/trustEvaluator";
import { assumedRoleArnOf, roleArnOf } from "./support/awsIds";

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";

/**
 * The test doubles' own checks: the SigV4 verifier against the AWS SDK's signer, the fake STS's refusals, the trust
 * evaluator against @cloud-copilot/iam-simulate, and the fake agent's token check.
 */

// ---- SigV4 ----

const SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
const SESSION_TOKEN = "FwoGZXIvYXdzEXAMPLE//token+with/base64==";
const BODY = "Action=AssumeRole&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A222222222222%3Arole%2Freader&RoleSessionName=s";

async function signed(options: { service?: string; secret?: string; token?: string | null; date?: Date; query?: Record<string, string> } = {}): Promise<ReceivedRequest> {
    const signer = new SignatureV4({
        service: options.service ?? "sts",
        region: "us-west-2",
        sha256: NodeSha256,
        credentials: { accessKeyId: "ASIAEXAMPLE", secretAccessKey: options.secret ?? SECRET, sessionToken: options.token === null ? undefined : (options.token ?? SESSION_TOKEN) },
    });
    const request = await signer.sign(
        {
            method: "POST",
            protocol: "http:",
            hostname: "127.0.0.1",
            port: 4566,
            path: "/",
            query: options.query ?? {},
            headers: { host: "127.0.0.1:4566", "content-type": "application/x-www-form-urlencoded", "x-extra": "  a   b  " },
            body: BODY,
        },
        { signingDate: options.date ?? new Date() },
    );
    const query = Object.entries(request.query ?? {})
        .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`)
        .join("&");
    return {
        method: request.method,
        url: query ? `${request.path}?${query}` : request.path,
        rawHeaders: Object.entries(request.headers).flat(),
        body: Buffer.from(String(request.body)),
    };
}

function verdictCode(request: ReceivedRequest, options: Partial<Parameters<typeof verify>[1]> = {}): string {
    const v = verify(request, { secretAccessKey: SECRET, service: "sts", sessionToken: SESSION_TOKEN, ...options });
    return v.ok ? "ok" : `${v.code}: ${v.message}`;
}

function withHeader(request: ReceivedRequest, name: string, value: string): ReceivedRequest {
    const raw = [...request.rawHeaders];
    const i = raw.findIndex((h, j) => j % 2 === 0 && h.toLowerCase() === name);
    raw[i + 1] = value;
    return { ...request, rawHeaders: raw };
}

test("SigV4 verifier: accepts what the SDK's signer signs (with a query string too)", async (t) => {
    t.is(verdictCode(await signed()), "ok");
    t.is(verdictCode(await signed({ query: { "Action": "GetCallerIdentity", "Version": "2011-06-15", "odd key": "v/a+l~ue*" } })), "ok");
});

test("SigV4 verifier: rejects tampering, a wrong secret or service, an unsigned token, a stale date", async (t) => {
    const good = await signed();
    t.regex(verdictCode({ ...good, body: Buffer.from(BODY.replace("reader", "admin")) }), /^SignatureDoesNotMatch: The provided 'x-amz-content-sha256'/);
    const unhashed = { ...good, rawHeaders: good.rawHeaders.filter((_, i, all) => (i % 2 === 0 ? all[i] : all[i - 1]).toLowerCase() !== "x-amz-content-sha256") };
    t.regex(verdictCode({ ...unhashed, body: Buffer.from(BODY.replace("reader", "admin")) }), /^SignatureDoesNotMatch: The request signature/);
    t.regex(verdictCode(withHeader(good, "x-extra", "changed")), /^SignatureDoesNotMatch/);
    t.regex(verdictCode(good, { secretAccessKey: "another-secret" }), /^SignatureDoesNotMatch/);
    t.regex(verdictCode(await signed({ service: "iam" })), /^SignatureDoesNotMatch: Credential should be scoped to correct service: 'sts'/);
    t.regex(verdictCode(await signed({ token: null })), /^SignatureDoesNotMatch: x-amz-security-token must be signed/);
    t.regex(verdictCode(await signed({ date: new Date(Date.now() - 6 * 60 * 1000) })), /^SignatureDoesNotMatch: Signature expired/);
    t.is(verdictCode(await signed({ date: new Date(Date.now() - 4 * 60 * 1000) })), "ok");
    t.regex(verdictCode({ ...good, rawHeaders: good.rawHeaders.filter((_, i, all) => (i % 2 === 0 ? all[i] : all[i - 1]).toLowerCase() !== "authorization") }), /^MissingAuthenticationToken/);
});

// ---- fake STS through the real client ----

async function stsWith(credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string }, scenario: CrossAccountScenario) {
    const client = new STSClient({ region: "us-west-2", endpoint: scenario.sts.url, credentials, maxAttempts: 1 });
    return client;
}

async function errorName(promise: Promise<unknown>): Promise<string> {
    try {
        await promise;
        return "no error";
    } catch (e) {
        return (e as Error).name;
    }
}

test("fake STS: refuses unknown keys, wrong secrets and wrong session tokens; enforces the role-chaining hour", async (t) => {
    const scenario = await new CrossAccountScenario().start();
    try {
        const source = scenario.store.issue(roleSession(SOURCE_ROLE, "pod"), scenario.agent.sessionTags, "agent");
        const good = { accessKeyId: source.accessKeyId, secretAccessKey: source.secretAccessKey, sessionToken: source.sessionToken };
        const identity = await (await stsWith(good, scenario)).send(new GetCallerIdentityCommand({}));
        t.is(identity.Arn, assumedRoleArnOf("source", "pod", ACCOUNT_A));
        t.is(identity.Account, ACCOUNT_A);

        t.is(await errorName((await stsWith({ ...good, accessKeyId: "ASIAUNKNOWN0000000000" }, scenario)).send(new GetCallerIdentityCommand({}))), "InvalidClientTokenId");
        t.is(await errorName((await stsWith({ ...good, secretAccessKey: "wrong" }, scenario)).send(new GetCallerIdentityCommand({}))), "SignatureDoesNotMatch");
        t.is(await errorName((await stsWith({ ...good, sessionToken: "forged" }, scenario)).send(new GetCallerIdentityCommand({}))), "InvalidClientTokenId");
        t.is(await errorName((await stsWith({ ...good, sessionToken: undefined }, scenario)).send(new GetCallerIdentityCommand({}))), "SignatureDoesNotMatch");

        const client = await stsWith(good, scenario);
        const assumed = await client.send(new AssumeRoleCommand({ RoleArn: READER, RoleSessionName: "chained" }));
        t.is(assumed.AssumedRoleUser?.Arn, assumedRoleArnOf("reader", "chained", ACCOUNT_B));
        const chained = scenario.store.lookup(assumed.Credentials!.AccessKeyId!)!;
        t.deepEqual(chained.transitiveTags, scenario.agent.sessionTags, "the chained session keeps the transitive tags");
        // AWS caps role-chained sessions at one hour, whatever the role's maximum.
        t.is(await errorName(client.send(new AssumeRoleCommand({ RoleArn: READER, RoleSessionName: "long", DurationSeconds: 7200 }))), "ValidationError");
        t.is(await errorName(client.send(new AssumeRoleCommand({ RoleArn: roleArnOf("unknown", "/", ACCOUNT_B), RoleSessionName: "xy" }))), "AccessDenied");

        const records = scenario.sts.calls.map((c) => [c.action, c.signatureOk, c.sessionTokenOk, c.error ?? c.status]);
        t.deepEqual(records, [
            ["GetCallerIdentity", true, true, 200],
            ["GetCallerIdentity", false, false, "InvalidClientTokenId"],
            ["GetCallerIdentity", false, false, "SignatureDoesNotMatch"],
            ["GetCallerIdentity", true, false, "InvalidClientTokenId"],
            ["GetCallerIdentity", false, false, "SignatureDoesNotMatch"],
            ["AssumeRole", true, true, 200],
            ["AssumeRole", true, true, "ValidationError"],
            ["AssumeRole", true, true, "AccessDenied"],
        ]);
    } finally {
        await scenario.stop();
    }
});

// ---- trust evaluator ----

const CALLER = roleSession(SOURCE_ROLE, "eks-prod-pod");
const TAGS = {
    "eks-cluster-arn": CLUSTER_ARN,
    "eks-cluster-name": "prod",
    "kubernetes-namespace": NAMESPACE,
    "kubernetes-service-account": SERVICE_ACCOUNT,
    "kubernetes-pod-name": "pod",
    "kubernetes-pod-uid": "uid",
};

function trustRequest(overrides: Partial<TrustRequest> & { tags?: Record<string, string>; externalId?: string } = {}): TrustRequest {
    const tags = overrides.tags ?? TAGS;
    const context: Record<string, string> = Object.fromEntries(Object.entries(tags).map(([k, v]) => [`aws:RequestTag/${k}`, v]));
    if (overrides.externalId !== undefined) {
        context["sts:ExternalId"] = overrides.externalId;
    }
    return {
        principalArn: CALLER.roleArn,
        sessionArn: CALLER.sessionArn,
        principalAccount: CALLER.account,
        actions: Object.keys(tags).length > 0 ? ["sts:AssumeRole", "sts:TagSession"] : ["sts:AssumeRole"],
        context,
        ...overrides,
    };
}

const PINNED = buildCrossAccountTrustPolicy({ sourceRoleArns: [SOURCE_ROLE], mode: "sessionTags", clusterArns: [CLUSTER_ARN], namespaces: [NAMESPACE], serviceAccounts: [SERVICE_ACCOUNT] });

test("trust evaluator: principal, PrincipalArn, tags, external id, Deny, unsupported constructs", (t) => {
    t.true(evaluateTrust(PINNED, trustRequest()).allowed);
    t.false(evaluateTrust(PINNED, trustRequest({ principalArn: roleArnOf("other", "/", ACCOUNT_A) })).allowed, "another role of account A");
    t.false(evaluateTrust(PINNED, trustRequest({ principalAccount: "333333333333", principalArn: "arn:aws:iam::333333333333:role/source" })).allowed, "another account");
    t.false(evaluateTrust(PINNED, trustRequest({ principalArn: CALLER.sessionArn })).allowed, "aws:PrincipalArn is the role, not the session");
    t.false(evaluateTrust(PINNED, trustRequest({ tags: { ...TAGS, "kubernetes-namespace": "payments" } })).allowed);
    t.false(evaluateTrust(PINNED, trustRequest({ tags: {} })).allowed, "missing tags fail the conditions");
    const noTagSession: PolicyDocument = { Statement: [{ ...PINNED.Statement[0], Action: "sts:AssumeRole" }] };
    t.deepEqual(evaluateTrust(noTagSession, trustRequest()).perAction["sts:TagSession"], { decision: "implicit" }, "transitive tags need sts:TagSession");

    const external = buildCrossAccountTrustPolicy({ sourceRoleArns: [SOURCE_ROLE], mode: "externalId", externalId: "abc" });
    t.true(evaluateTrust(external, trustRequest({ externalId: "abc", tags: {} })).allowed);
    t.false(evaluateTrust(external, trustRequest({ externalId: "abd", tags: {} })).allowed);
    t.false(evaluateTrust(external, trustRequest({ tags: {} })).allowed);
    // With (transitive) session tags, TagSession is checked too; sts:ExternalId is not in its context, so the trust
    // allows it in a statement of its own, pinned to the source role.
    t.deepEqual(evaluateTrust(external, trustRequest({ externalId: "abc" })).perAction, {
        "sts:AssumeRole": { decision: "allow", statement: "ChainFromPodIdentity" },
        "sts:TagSession": { decision: "allow", statement: "PassSessionTags" },
    });
    t.false(evaluateTrust(external, trustRequest({ externalId: "abc", principalArn: roleArnOf("other", "/", ACCOUNT_A) })).allowed, "TagSession alone admits no other role");
    const singleStatement: PolicyDocument = { Statement: [{ ...external.Statement[0], Action: ["sts:AssumeRole", "sts:TagSession"] }] };
    t.deepEqual(evaluateTrust(singleStatement, trustRequest({ externalId: "abc" })).perAction["sts:TagSession"], { decision: "implicit" }, "why the statements are split");

    const denied: PolicyDocument = { Statement: [...PINNED.Statement, { Sid: "No", Effect: "Deny", Principal: { AWS: "*" }, Action: "sts:*" }] };
    t.deepEqual(evaluateTrust(denied, trustRequest()).perAction["sts:AssumeRole"], { decision: "deny", statement: "No" });

    const like: PolicyDocument = { Statement: [{ Effect: "Allow", Principal: { AWS: ACCOUNT_A }, Action: "sts:AssumeRole", Condition: { ArnLike: { "aws:principalarn": `arn:aws:iam::${ACCOUNT_A}:role/sou*` } } }] };
    t.true(evaluateTrust(like, trustRequest({ tags: {} })).allowed, "ArnLike wildcard, account-id principal, key case");

    t.throws(() => evaluateTrust({ Statement: [{ Effect: "Allow", Principal: "*", Action: "sts:AssumeRole", Condition: { StringLike: { "sts:ExternalId": "*" } } }] }, trustRequest()), { instanceOf: UnsupportedPolicy });
    t.throws(() => evaluateTrust({ Statement: [{ Effect: "Allow", NotPrincipal: { AWS: "*" }, Action: "sts:AssumeRole" } as never] }, trustRequest()), { instanceOf: UnsupportedPolicy });
});

test("trust evaluator agrees with @cloud-copilot/iam-simulate on the cross-account trust policies", async (t) => {
    const policies: Record<string, PolicyDocument> = {
        pinned: PINNED,
        twoSources: buildCrossAccountTrustPolicy({ sourceRoleArns: [SOURCE_ROLE, roleArnOf("other", "/", ACCOUNT_A)], mode: "sessionTags", namespaces: [NAMESPACE, "payments"] }),
        otherSource: buildCrossAccountTrustPolicy({ sourceRoleArns: [roleArnOf("other", "/", ACCOUNT_A)], mode: "sessionTags", namespaces: [NAMESPACE] }),
        externalId: buildCrossAccountTrustPolicy({ sourceRoleArns: [SOURCE_ROLE], mode: "externalId", externalId: "abc" }),
        twoAccounts: buildCrossAccountTrustPolicy({ sourceRoleArns: [SOURCE_ROLE, "arn:aws:iam::333333333333:role/source"], mode: "sessionTags", clusterArns: [CLUSTER_ARN] }),
    };
    const callers = [SOURCE_ROLE, roleArnOf("other", "/", ACCOUNT_A), "arn:aws:iam::333333333333:role/source"];
    const tagSets: Record<string, Record<string, string>> = { pod: TAGS, payments: { ...TAGS, "kubernetes-namespace": "payments" }, none: {} };
    const externalIds = [undefined, "abc", "abd"];
    const identity = { chain: { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: ["sts:AssumeRole", "sts:TagSession"], Resource: "*" }] } };
    let compared = 0;
    const disagreements: string[] = [];
    for (const [policyName, policy] of Object.entries(policies)) {
        for (const roleArn of callers) {
            const session = roleSession(roleArn, "eks-prod-pod");
            for (const [tagName, tags] of Object.entries(tagSets)) {
                for (const externalId of externalIds) {
                    const request = trustRequest({ principalArn: roleArn, sessionArn: session.sessionArn, principalAccount: session.account, tags, externalId });
                    const ours = evaluateTrust(policy, request).allowed;
                    let theirs = true;
                    for (const action of request.actions) {
                        const context: Record<string, string | string[]> = { "aws:PrincipalArn": roleArn, "aws:PrincipalAccount": session.account };
                        for (const [k, v] of Object.entries(tags)) {
                            context[`aws:RequestTag/${k}`] = v;
                        }
                        if (Object.keys(tags).length > 0) {
                            context["aws:TagKeys"] = Object.keys(tags);
                        }
                        if (externalId !== undefined && action === "sts:AssumeRole") {
                            context["sts:ExternalId"] = externalId;
                        }
                        const iamRequest: IamRequest = {
                            principal: session.sessionArn,
                            action,
                            resource: READER,
                            resourceAccount: ACCOUNT_B,
                            context,
                            identityPolicies: identity,
                            resourcePolicy: policy as IamRequest["resourcePolicy"],
                        };
                        theirs &&= (await evaluate(iamRequest)).result === "Allowed";
                    }
                    compared++;
                    if (ours !== theirs) {
                        disagreements.push(`${policyName} / ${roleArn} / tags ${tagName} / externalId ${externalId}: ours ${ours}, iam-simulate ${theirs}`);
                    }
                }
            }
        }
    }
    t.deepEqual(disagreements, []);
    t.is(compared, 5 * 3 * 3 * 3);
});

// ---- fake agent ----

function get(url: string, authorization?: string): Promise<{ status: number; body: string }> {
    return new Promise((resolve, reject) => {
        const req = httpRequest(url, { headers: authorization === undefined ? {} : { Authorization: authorization } }, (res) => {
            let body = "";
            res.on("data", (c) => (body += c));
            res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
        });
        req.on("error", reject);
        req.end();
    });
}

function assertAgentCredentials(t: ExecutionContext, body: string, store: CredentialStore): IssuedCredentials {
    const parsed = JSON.parse(body) as Record<string, string>;
    t.deepEqual(Object.keys(parsed), ["AccessKeyId", "SecretAccessKey", "Token", "AccountId", "Expiration"]);
    const issued = store.lookup(parsed.AccessKeyId)!;
    t.is(issued.secretAccessKey, parsed.SecretAccessKey);
    t.is(issued.sessionToken, parsed.Token);
    t.is(parsed.AccountId, ACCOUNT_A);
    return issued;
}

test("fake agent: 403 without the current token; credentials of the source role with six transitive tags", async (t) => {
    const scenario = await new CrossAccountScenario().start();
    try {
        t.is((await get(scenario.agent.url)).status, 403);
        t.is((await get(scenario.agent.url, "wrong")).status, 403);
        const ok = await get(scenario.agent.url, TOKEN);
        t.is(ok.status, 200);
        const issued = assertAgentCredentials(t, ok.body, scenario.store);
        t.is(issued.session.roleArn, SOURCE_ROLE);
        t.deepEqual(Object.keys(issued.transitiveTags).sort(), ["eks-cluster-arn", "eks-cluster-name", "kubernetes-namespace", "kubernetes-pod-name", "kubernetes-pod-uid", "kubernetes-service-account"]);
        t.deepEqual(
            scenario.agent.requests.map((r) => [r.hadAuthorization, r.authorized, r.status]),
            [
                [false, false, 403],
                [true, false, 403],
                [true, true, 200],
            ],
        );
        t.false(JSON.stringify(scenario.agent.requests).includes(TOKEN.slice(0, 24)), "requests are recorded without the token");
    } finally {
        await scenario.stop();
    }
});
