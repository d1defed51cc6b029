import { runSimulation } from "@cloud-copilot/iam-simulate";
import test, { ExecutionContext } from "ava";
import { PodIdentityWorkload, PodIdentityWorkloadArgs, POD_IDENTITY_SESSION_TAGS } from "../provider";
import { buildTrustPolicy } from "../provider/iam/trustPolicy";
import { run, value } from "./support/harness";
import {
    allowingStatements,
    denyingStatements,
    evaluate,
    explainOf,
    explains,
    failedConditions,
    HarnessError,
    IamRequest,
    PolicyDocument,
    Verdict,
    withoutConditionKeys,
} from "./support/iamEvaluator";
import { ACCOUNT, assumedRoleArnOf, clusterArnOf, roleArnOf, secretArnOf } from "./support/awsIds";
import { SECRETS_ABAC_STATEMENT } from "./support/fixtures";

/**
 * What the rendered IAM documents mean, checked with a real policy evaluator (@cloud-copilot/iam-simulate) rather
 * than by their shape. Every deny is pinned to its cause: the statement that would allow it matched on principal,
 * action and resource, exactly the expected conditions failed, and the same request is allowed once those
 * conditions are removed from the document, so the deny cannot come from a harness that denies everything.
 */

// `run` drives a process-global engine: tests that render components run one at a time, each with its own names.
const serial = test.serial;

const POD_IDENTITY = "pods.eks.amazonaws.com";
const OTHER_ACCOUNT = "999999999999";
const ISSUER = "oidc.eks.us-west-2.amazonaws.com/id/ABC";
const OIDC_PROVIDER = `arn:aws:iam::${ACCOUNT}:oidc-provider/${ISSUER}`;
const OIDC_KEYS = [`${ISSUER}:sub`, `${ISSUER}:aud`];
const PROD = clusterArnOf("prod");
const NS_TAG = "aws:RequestTag/kubernetes-namespace";
const SA_TAG = "aws:RequestTag/kubernetes-service-account";

interface Rendered {
    trust: PolicyDocument;
    roleArn: string;
    roleName: string;
    permissions?: PolicyDocument;
}

async function render(name: string, args: PodIdentityWorkloadArgs): Promise<Rendered> {
    const r = await run(() => new PodIdentityWorkload(name, args));
    if (r.failures.length > 0) {
        throw new Error(`rendering ${name} failed: ${r.failures.map((e) => e.message).join("; ")}`);
    }
    return {
        trust: JSON.parse(r.get(`${name}-role`).inputs.assumeRolePolicy),
        roleArn: await value(r.result.roleArn),
        roleName: await value(r.result.roleName),
        permissions: r.has(`${name}-permissions`) ? JSON.parse(r.get(`${name}-permissions`).inputs.policy) : undefined,
    };
}

/** Renders once, on first use (from a serial test), and shares the result. */
function shared(name: string, args: PodIdentityWorkloadArgs): () => Promise<Rendered> {
    let rendered: Promise<Rendered> | undefined;
    return () => (rendered ??= render(name, args));
}

// ---- requests ----

interface PodIdentityCall {
    roleArn: string;
    clusterArn?: string;
    sourceAccount?: string;
    namespace?: string;
    serviceAccount?: string;
    /** Session tags EKS attaches; `false`: none (disableSessionTags). Default: all six. */
    sessionTags?: boolean;
    /** Session tags left out of the call. */
    omitTags?: string[];
    action?: "sts:AssumeRole" | "sts:TagSession";
    /** Caller; default the Pod Identity service principal. */
    service?: string;
}

/** The request EKS Pod Identity makes to STS for a pod: AssumeRole (and TagSession) with the six session tags. */
function podIdentityCall(call: PodIdentityCall, trust: PolicyDocument): IamRequest {
    const clusterArn = call.clusterArn ?? PROD;
    const service = call.service ?? POD_IDENTITY;
    const context: Record<string, string | string[]> = {
        "aws:SourceAccount": call.sourceAccount ?? clusterArn.split(":")[4],
        "aws:SourceArn": clusterArn,
        // The evaluator derives no context: the key a service principal's request carries is passed explicitly.
        "aws:PrincipalServiceName": service,
    };
    if (call.sessionTags !== false) {
        const tags: Record<string, string> = {
            "eks-cluster-arn": clusterArn,
            "eks-cluster-name": clusterArn.split("/").pop()!,
            "kubernetes-namespace": call.namespace ?? "orders",
            "kubernetes-service-account": call.serviceAccount ?? "orders",
            "kubernetes-pod-name": "app-7d4b9c-x2x9z",
            "kubernetes-pod-uid": "6f1c1a8e-0d3e-4c39-9f5b-2b0e6f1f0a11",
        };
        const sent = Object.keys(tags).filter((k) => !(call.omitTags ?? []).includes(k));
        for (const key of sent) {
            context[`aws:RequestTag/${key}`] = tags[key];
        }
        context["aws:TagKeys"] = sent;
    }
    return {
        principal: service,
        action: call.action ?? "sts:AssumeRole",
        resource: call.roleArn,
        resourceAccount: ACCOUNT,
        context,
        resourcePolicy: trust,
    };
}

/** sts:AssumeRoleWithWebIdentity by a pod's projected service-account token (IRSA). */
function webIdentityCall(roleArn: string, trust: PolicyDocument, sub: string, aud = "sts.amazonaws.com"): IamRequest {
    return {
        principal: OIDC_PROVIDER,
        action: "sts:AssumeRoleWithWebIdentity",
        resource: roleArn,
        resourceAccount: ACCOUNT,
        context: { [`${ISSUER}:sub`]: sub, [`${ISSUER}:aud`]: aud },
        resourcePolicy: trust,
        unvalidatedKeys: OIDC_KEYS,
    };
}

function sessionArn(roleName: string, session = "eks-prod-app-7d4b9c-6f1c1a8e"): string {
    return assumedRoleArnOf(roleName, session);
}

// ---- assertions ----

async function assertAllowedBy(t: ExecutionContext, request: IamRequest, policy: "resource" | "identity", sid: string, message: string): Promise<Verdict> {
    const verdict = await evaluate(request);
    t.is(verdict.result, "Allowed", message);
    if (verdict.route === "validated") {
        t.deepEqual(allowingStatements(verdict, policy), [sid], `${message}: allowed by ${sid}`);
    } else {
        // The validated run lacked the unvalidated keys: the statement matched except for exactly those conditions.
        const explain = explainOf(verdict, policy, sid);
        t.true(explain.actionMatch && explain.resourceMatch, `${message}: ${sid} covers the action and resource`);
        t.true(explain.principalMatch === "Match" || policy === "identity", `${message}: ${sid} names the caller`);
        const unvalidated = new Set((request.unvalidatedKeys ?? []).map((k) => k.toLowerCase()));
        t.true(
            failedConditions(explain).every((c) => c.missing && unvalidated.has(c.key.toLowerCase())),
            `${message}: only the conditions on the withheld keys stand between ${sid} and the request`,
        );
    }
    t.deepEqual(denyingStatements(verdict, policy), [], `${message}: no explicit deny`);
    return verdict;
}

/**
 * The request is implicitly denied because the named statement's conditions on `keys` (and only those) fail, and
 * the same request is allowed by the same document without those conditions.
 */
async function assertDeniedByConditions(
    t: ExecutionContext,
    request: IamRequest,
    policy: "resource" | "identity",
    sid: string,
    keys: string[],
    message: string,
    options: { missing?: boolean } = {},
): Promise<void> {
    const verdict = await evaluate(request);
    t.is(verdict.result, "ImplicitlyDenied", message);
    t.deepEqual(allowingStatements(verdict, policy), [], `${message}: nothing allows it`);
    t.deepEqual(denyingStatements(verdict, policy), [], `${message}: implicit, not an explicit deny`);
    const explain = explainOf(verdict, policy, sid);
    t.true(explain.actionMatch, `${message}: ${sid} covers the action`);
    t.true(explain.resourceMatch, `${message}: ${sid} covers the resource`);
    t.is(explain.principalMatch, "Match", `${message}: ${sid} names the caller`);
    if (verdict.route === "validated") {
        const failed = failedConditions(explain);
        t.deepEqual(failed.map((c) => c.key), keys, `${message}: fails exactly on ${keys.join(", ")}`);
        if (options.missing !== undefined) {
            t.true(failed.every((c) => c.missing === options.missing), `${message}: ${options.missing ? "because the key is absent" : "on the value"}`);
        }
    } else {
        // The validated run withheld the unvalidated keys: nothing else may fail besides them and `keys`.
        const expected = new Set(keys.map((k) => k.toLowerCase()));
        const withheld = new Set((request.unvalidatedKeys ?? []).map((k) => k.toLowerCase()));
        t.true(
            failedConditions(explain).every((c) => expected.has(c.key.toLowerCase()) || (c.missing && withheld.has(c.key.toLowerCase()))),
            `${message}: no condition outside ${keys.join(", ")} fails`,
        );
    }
    const relaxed = policy === "resource"
        ? { ...request, resourcePolicy: withoutConditionKeys(request.resourcePolicy!, keys) }
        : { ...request, identityPolicies: Object.fromEntries(Object.entries(request.identityPolicies!).map(([n, d]) => [n, withoutConditionKeys(d, keys)])) };
    t.is((await evaluate(relaxed)).result, "Allowed", `${message}: allowed once ${keys.join(", ")} is dropped from the document`);
}

// ---- the harness itself ----

test("harness: an explicit Deny comes back as ExplicitlyDenied, distinct from an implicit deny", async (t) => {
    const request: IamRequest = {
        principal: sessionArn("any-role"),
        action: "s3:PutObject",
        resource: "arn:aws:s3:::orders/a.txt",
        resourceAccount: ACCOUNT,
        identityPolicies: {
            p: {
                Version: "2012-10-17",
                Statement: [
                    { Sid: "All", Effect: "Allow", Action: "s3:*", Resource: "*" },
                    { Sid: "NoWrites", Effect: "Deny", Action: "s3:PutObject", Resource: "*" },
                ],
            },
        },
    };
    const denied = await evaluate(request);
    t.is(denied.result, "ExplicitlyDenied");
    t.deepEqual(denyingStatements(denied, "identity"), ["NoWrites"]);
    const read = await evaluate({ ...request, action: "s3:GetObject" });
    t.is(read.result, "Allowed");
    t.deepEqual(allowingStatements(read, "identity"), ["All"]);
});

test("harness: a context key the evaluator would drop is an error, never a deny", async (t) => {
    const trust = buildTrustPolicy({ clusterArns: [PROD], sourceAccounts: [ACCOUNT], namespaces: [], serviceAccounts: [], additionalStatements: [] });
    const good = podIdentityCall({ roleArn: roleArnOf("r") }, trust);
    t.is((await evaluate(good)).result, "Allowed", "positive control");
    const typo = { ...good, context: { ...good.context, "aws:SourceArnn": PROD } };
    await t.throwsAsync(evaluate(typo), { instanceOf: HarnessError, message: /dropped context keys \["aws:SourceArnn"\]/ });
    const foreign = { ...good, context: { ...good.context, "s3:prefix": "x/" } };
    await t.throwsAsync(evaluate(foreign), { instanceOf: HarnessError, message: /dropped context keys \["s3:prefix"\]/ });
});

test("harness: invalid actions and invalid documents are errors", async (t) => {
    const trust = buildTrustPolicy({ clusterArns: [PROD], sourceAccounts: [ACCOUNT], namespaces: [], serviceAccounts: [], additionalStatements: [] });
    const good = podIdentityCall({ roleArn: roleArnOf("r") }, trust);
    await t.throwsAsync(evaluate({ ...good, action: "sts:AssumeRoles" }), { instanceOf: HarnessError, message: /invalid\.action/ });
    const broken = { Version: "2012-10-17", Statement: [{ ...trust.Statement[0], Effect: "Permit" }] };
    await t.throwsAsync(evaluate({ ...good, resourcePolicy: broken }), { instanceOf: HarnessError, message: /policy\.errors/ });
});

test("harness: unvalidated keys must really be unknown to the evaluator", async (t) => {
    const trust = buildTrustPolicy({ clusterArns: [PROD], sourceAccounts: [ACCOUNT], namespaces: [], serviceAccounts: [], additionalStatements: [] });
    const request = { ...podIdentityCall({ roleArn: roleArnOf("r") }, trust), unvalidatedKeys: ["aws:SourceAccount"] };
    await t.throwsAsync(evaluate(request), { instanceOf: HarnessError, message: /now accepts \["aws:SourceAccount"\]/ });
});

test("evaluator limits: EKS OIDC claim keys are dropped and secretsmanager:ResourceTag/<key> is rejected", async (t) => {
    // Why some requests go through runUnsafeSimulation: the validated path cannot represent them.
    const irsa = await runSimulation(
        {
            request: {
                principal: OIDC_PROVIDER,
                action: "sts:AssumeRoleWithWebIdentity",
                resource: { resource: roleArnOf("r"), accountId: ACCOUNT },
                contextVariables: { [`${ISSUER}:sub`]: "system:serviceaccount:orders:orders", [`${ISSUER}:aud`]: "sts.amazonaws.com" },
            },
            identityPolicies: [],
            serviceControlPolicies: [],
            resourceControlPolicies: [],
        },
        {},
    );
    t.is(irsa.resultType, "single");
    t.deepEqual(irsa.resultType === "single" ? irsa.result.ignoredContextKeys : undefined, OIDC_KEYS);
    await t.throwsAsync(
        runSimulation(
            {
                request: {
                    principal: sessionArn("r"),
                    action: "secretsmanager:GetSecretValue",
                    resource: { resource: secretArnOf("dev-secret-AbCdEf"), accountId: ACCOUNT },
                    contextVariables: { "secretsmanager:ResourceTag/kubernetes-namespace": "dev-ns" },
                },
                identityPolicies: [],
                serviceControlPolicies: [],
                resourceControlPolicies: [],
            },
            {},
        ),
        { message: /Condition key secretsmanager:resourcetag\/kubernetes-namespace not found/ },
    );
});

// ---- trust policy: the secure default ----

const ordersWorkload = shared("orders", { clusterName: "prod", namespace: "orders" });

serial("trust: Pod Identity of this cluster, account, namespace and service account may AssumeRole and TagSession", async (t) => {
    const orders = await ordersWorkload();
    for (const action of ["sts:AssumeRole", "sts:TagSession"] as const) {
        const verdict = await assertAllowedBy(t, podIdentityCall({ roleArn: orders.roleArn, action }, orders.trust), "resource", "EksPodIdentity", action);
        t.is(verdict.route, "validated", `${action}: every context key was evaluated`);
        t.deepEqual(
            explainOf(verdict, "resource", "EksPodIdentity").conditions!.map((c) => [c.conditionKeyValue, c.matches]),
            [["aws:SourceAccount", true], [NS_TAG, true], [SA_TAG, true], ["aws:SourceArn", true]],
            `${action}: all four conditions were evaluated and hold`,
        );
    }
});

serial("trust: another cluster of the same account is denied by aws:SourceArn", async (t) => {
    const orders = await ordersWorkload();
    for (const action of ["sts:AssumeRole", "sts:TagSession"] as const) {
        const call = podIdentityCall({ roleArn: orders.roleArn, clusterArn: clusterArnOf("staging"), action }, orders.trust);
        await assertDeniedByConditions(t, call, "resource", "EksPodIdentity", ["aws:SourceArn"], `${action} from cluster staging`, { missing: false });
    }
});

serial("trust: another account's cluster is denied by aws:SourceAccount and aws:SourceArn", async (t) => {
    const orders = await ordersWorkload();
    const foreign = clusterArnOf("prod", OTHER_ACCOUNT);
    const call = podIdentityCall({ roleArn: orders.roleArn, clusterArn: foreign, sourceAccount: OTHER_ACCOUNT }, orders.trust);
    t.is(call.context!["aws:SourceAccount"], OTHER_ACCOUNT);
    await assertDeniedByConditions(t, call, "resource", "EksPodIdentity", ["aws:SourceAccount", "aws:SourceArn"], "cluster prod of account 999999999999", { missing: false });
});

serial("trust: another namespace's session tag is denied", async (t) => {
    const orders = await ordersWorkload();
    for (const action of ["sts:AssumeRole", "sts:TagSession"] as const) {
        const call = podIdentityCall({ roleArn: orders.roleArn, namespace: "payments", action }, orders.trust);
        await assertDeniedByConditions(t, call, "resource", "EksPodIdentity", [NS_TAG], `${action} for namespace payments`, { missing: false });
    }
});

serial("trust: another service account's session tag is denied", async (t) => {
    const orders = await ordersWorkload();
    const call = podIdentityCall({ roleArn: orders.roleArn, serviceAccount: "default" }, orders.trust);
    await assertDeniedByConditions(t, call, "resource", "EksPodIdentity", [SA_TAG], "service account default", { missing: false });
});

serial("trust: a missing namespace tag is denied, and so is a call without session tags", async (t) => {
    const orders = await ordersWorkload();
    const noNamespace = podIdentityCall({ roleArn: orders.roleArn, omitTags: ["kubernetes-namespace"] }, orders.trust);
    t.false(NS_TAG in noNamespace.context!);
    await assertDeniedByConditions(t, noNamespace, "resource", "EksPodIdentity", [NS_TAG], "no namespace tag", { missing: true });
    const untagged = podIdentityCall({ roleArn: orders.roleArn, sessionTags: false }, orders.trust);
    await assertDeniedByConditions(t, untagged, "resource", "EksPodIdentity", [NS_TAG, SA_TAG], "no session tags", { missing: true });
});

serial("trust: a web-identity (IRSA) caller is denied when IRSA is not enabled", async (t) => {
    const orders = await ordersWorkload();
    const call = webIdentityCall(orders.roleArn, orders.trust, "system:serviceaccount:orders:orders");
    const verdict = await evaluate(call);
    t.is(verdict.result, "ImplicitlyDenied");
    t.deepEqual(allowingStatements(verdict, "resource"), []);
    t.deepEqual(explains(verdict, "resource").map((e) => e.identifier), ["EksPodIdentity"], "the only statement is Pod Identity's");
    const explain = explainOf(verdict, "resource", "EksPodIdentity");
    t.is(explain.principalMatch, "NoMatch", "the OIDC provider is not a trusted principal");
    t.false(explain.actionMatch, "AssumeRoleWithWebIdentity is not a trusted action");
    // Control: the very same request is allowed by the document the builder renders with IRSA enabled.
    const withIrsa = buildTrustPolicy({
        clusterArns: [PROD],
        sourceAccounts: [ACCOUNT],
        namespaces: ["orders"],
        serviceAccounts: ["orders"],
        irsa: { oidcProviderArn: OIDC_PROVIDER, issuer: ISSUER, namespace: "orders", serviceAccount: "orders" },
        additionalStatements: [],
    });
    t.is((await evaluate({ ...call, resourcePolicy: withIrsa })).result, "Allowed", "control: allowed once the IRSA statement exists");
});

serial("trust: another service principal (ec2.amazonaws.com) is denied even with matching context", async (t) => {
    const orders = await ordersWorkload();
    const call = podIdentityCall({ roleArn: orders.roleArn, service: "ec2.amazonaws.com" }, orders.trust);
    const verdict = await evaluate(call);
    t.is(verdict.result, "ImplicitlyDenied");
    t.deepEqual(allowingStatements(verdict, "resource"), []);
    const explain = explainOf(verdict, "resource", "EksPodIdentity");
    t.is(explain.principalMatch, "NoMatch", "only the principal differs");
    t.true(explain.actionMatch);
    t.true(explain.conditionMatch, "every condition holds for this context");
    t.is((await evaluate({ ...call, principal: POD_IDENTITY })).result, "Allowed", "control: the same call from pods.eks.amazonaws.com");
});

serial("trust: the service account defaults to the component name and follows serviceAccountName", async (t) => {
    const reader = await render("reader", { clusterName: "prod", namespace: "reports", serviceAccountName: "report-reader" });
    const call = (serviceAccount: string) => podIdentityCall({ roleArn: reader.roleArn, namespace: "reports", serviceAccount }, reader.trust);
    await assertAllowedBy(t, call("report-reader"), "resource", "EksPodIdentity", "service account report-reader");
    await assertDeniedByConditions(t, call("reader"), "resource", "EksPodIdentity", [SA_TAG], "the component name is not the service account here", { missing: false });
});

// ---- trust policy: the options ----

serial("trust: with irsaOidcProviderArn, web identity is allowed only for this namespace/service account and STS audience", async (t) => {
    const migrating = await render("migrating", { clusterName: "prod", namespace: "legacy", trust: { irsaOidcProviderArn: OIDC_PROVIDER } });
    const call = (sub: string, aud?: string) => webIdentityCall(migrating.roleArn, migrating.trust, sub, aud);

    const allowed = await assertAllowedBy(t, call("system:serviceaccount:legacy:migrating"), "resource", "IrsaMigration", "the workload's own token");
    t.is(allowed.route, "unvalidated-keys");
    t.deepEqual(
        failedConditions(explainOf(allowed, "resource", "IrsaMigration")).map((c) => c.key),
        OIDC_KEYS,
        "the validated run saw the statement match on principal and action, with only the claim conditions left to the unvalidated run",
    );

    for (const sub of ["system:serviceaccount:legacy:default", "system:serviceaccount:orders:migrating", "system:serviceaccount:legacy:migrating-x"]) {
        await assertDeniedByConditions(t, call(sub), "resource", "IrsaMigration", [`${ISSUER}:sub`], `sub ${sub}`);
    }
    await assertDeniedByConditions(t, call("system:serviceaccount:legacy:migrating", "sts.example.com"), "resource", "IrsaMigration", [`${ISSUER}:aud`], "another audience");

    // IRSA does not widen the Pod Identity path.
    await assertAllowedBy(t, podIdentityCall({ roleArn: migrating.roleArn, namespace: "legacy", serviceAccount: "migrating" }, migrating.trust), "resource", "EksPodIdentity", "Pod Identity still works");
    await assertDeniedByConditions(
        t,
        podIdentityCall({ roleArn: migrating.roleArn, namespace: "orders", serviceAccount: "migrating" }, migrating.trust),
        "resource",
        "EksPodIdentity",
        [NS_TAG],
        "Pod Identity from another namespace",
    );
});

serial("trust: blue/green clusterArns admit both clusters and no third", async (t) => {
    const blue = clusterArnOf("blue");
    const green = clusterArnOf("green");
    const bg = await render("checkout", { clusterName: "blue", namespace: "checkout", trust: { clusterArns: [blue, green] } });
    for (const clusterArn of [blue, green]) {
        await assertAllowedBy(t, podIdentityCall({ roleArn: bg.roleArn, clusterArn, namespace: "checkout", serviceAccount: "checkout" }, bg.trust), "resource", "EksPodIdentity", clusterArn);
    }
    await assertDeniedByConditions(
        t,
        podIdentityCall({ roleArn: bg.roleArn, clusterArn: clusterArnOf("canary"), namespace: "checkout", serviceAccount: "checkout" }, bg.trust),
        "resource",
        "EksPodIdentity",
        ["aws:SourceArn"],
        "cluster canary",
        { missing: false },
    );
});

serial("trust: with disableSessionTags the assume succeeds without request tags, still pinned to the cluster", async (t) => {
    const plain = await render("plain", { clusterName: "prod", namespace: "plain", association: { disableSessionTags: true } });
    const verdict = await assertAllowedBy(t, podIdentityCall({ roleArn: plain.roleArn, sessionTags: false }, plain.trust), "resource", "EksPodIdentity", "no session tags");
    t.false(Object.keys(podIdentityCall({ roleArn: plain.roleArn, sessionTags: false }, plain.trust).context!).some((k) => k.startsWith("aws:RequestTag/") || k === "aws:TagKeys"));
    t.deepEqual(explainOf(verdict, "resource", "EksPodIdentity").conditions!.map((c) => c.conditionKeyValue), ["aws:SourceAccount", "aws:SourceArn"]);
    await assertDeniedByConditions(t, podIdentityCall({ roleArn: plain.roleArn, sessionTags: false, clusterArn: clusterArnOf("staging") }, plain.trust), "resource", "EksPodIdentity", ["aws:SourceArn"], "another cluster");
});

test("trust builder: several namespaces are alternatives (StringEquals over a list), a third is denied", async (t) => {
    const trust = buildTrustPolicy({ clusterArns: [PROD], sourceAccounts: [ACCOUNT], namespaces: ["team-a", "team-b"], serviceAccounts: ["reader"], additionalStatements: [] });
    const roleArn = roleArnOf("shared");
    for (const namespace of ["team-a", "team-b"]) {
        await assertAllowedBy(t, podIdentityCall({ roleArn, namespace, serviceAccount: "reader" }, trust), "resource", "EksPodIdentity", namespace);
    }
    await assertDeniedByConditions(t, podIdentityCall({ roleArn, namespace: "team-c", serviceAccount: "reader" }, trust), "resource", "EksPodIdentity", [NS_TAG], "team-c");
});

// ---- permissions: ABAC through session tags (seed 002) ----

const secretsWorkload = shared("secrets-reader", {
    clusterName: "prod",
    namespace: "dev-ns",
    policyStatements: [SECRETS_ABAC_STATEMENT],
});
const ABAC_SID = SECRETS_ABAC_STATEMENT.sid;
const DEV_SECRET = secretArnOf("dev-secret-AbCdEf");
const QA_SECRET = secretArnOf("qa-secret-GhIjKl");
const SM_NS = "secretsmanager:ResourceTag/kubernetes-namespace";
const SM_CLUSTER = "secretsmanager:ResourceTag/eks-cluster-name";

/** A call by a pod's role session; the pod's session tags arrive as principal tags, the secret's tags as resource tags. */
function secretCall(abac: Rendered, action: string, resource: string, principalTags: Record<string, string>, resourceTags: Record<string, string>): IamRequest {
    const context: Record<string, string> = {};
    for (const [k, v] of Object.entries(principalTags)) {
        context[`aws:PrincipalTag/${k}`] = v;
    }
    for (const [k, v] of Object.entries(resourceTags)) {
        context[`secretsmanager:ResourceTag/${k}`] = v;
    }
    return {
        principal: sessionArn(abac.roleName),
        action,
        resource,
        resourceAccount: ACCOUNT,
        context,
        identityPolicies: { permissions: abac.permissions! },
        unvalidatedKeys: Object.keys(resourceTags).map((k) => `secretsmanager:ResourceTag/${k}`),
    };
}
const DEV_POD = { "kubernetes-namespace": "dev-ns", "eks-cluster-name": "prod" };

serial("ABAC: the rendered statement compares the secret's tags with the pod's session tags", async (t) => {
    const abac = await secretsWorkload();
    t.deepEqual(abac.permissions!.Statement.map((s) => s.Condition), [
        { StringEquals: { [SM_NS]: "${aws:PrincipalTag/kubernetes-namespace}", [SM_CLUSTER]: "${aws:PrincipalTag/eks-cluster-name}" } },
    ]);
});

serial("ABAC: a pod reads its own namespace's secret of its own cluster", async (t) => {
    const abac = await secretsWorkload();
    for (const action of ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"]) {
        const verdict = await assertAllowedBy(t, secretCall(abac, action, DEV_SECRET, DEV_POD, { "kubernetes-namespace": "dev-ns", "eks-cluster-name": "prod" }), "identity", ABAC_SID, action);
        t.is(verdict.route, "unvalidated-keys");
        t.deepEqual(failedConditions(explainOf(verdict, "identity", ABAC_SID)).map((c) => c.key), [SM_NS, SM_CLUSTER]);
    }
});

serial("ABAC: another namespace's secret is denied, yet the same role serves that namespace's own pods", async (t) => {
    const abac = await secretsWorkload();
    const qaTags = { "kubernetes-namespace": "qa-ns", "eks-cluster-name": "prod" };
    await assertDeniedByConditions(t, secretCall(abac, "secretsmanager:GetSecretValue", QA_SECRET, DEV_POD, qaTags), "identity", ABAC_SID, [SM_NS], "dev-ns pod, qa-ns secret");
    const qaPod = { "kubernetes-namespace": "qa-ns", "eks-cluster-name": "prod" };
    await assertAllowedBy(t, secretCall(abac, "secretsmanager:GetSecretValue", QA_SECRET, qaPod, qaTags), "identity", ABAC_SID, "qa-ns pod, qa-ns secret");
});

serial("ABAC: an untagged secret is denied", async (t) => {
    const abac = await secretsWorkload();
    const call = secretCall(abac, "secretsmanager:GetSecretValue", secretArnOf("untagged-MnOpQr"), DEV_POD, {});
    const verdict = await evaluate(call);
    t.is(verdict.route, "validated", "no unvalidated keys in this call: decided by the validated run");
    await assertDeniedByConditions(t, call, "identity", ABAC_SID, [SM_NS, SM_CLUSTER], "untagged secret", { missing: true });
});

serial("ABAC: the same namespace's secret of another cluster is denied", async (t) => {
    const abac = await secretsWorkload();
    const call = secretCall(abac, "secretsmanager:GetSecretValue", DEV_SECRET, DEV_POD, { "kubernetes-namespace": "dev-ns", "eks-cluster-name": "staging" });
    await assertDeniedByConditions(t, call, "identity", ABAC_SID, [SM_CLUSTER], "secret of cluster staging");
});

serial("ABAC: a pod without session tags reads nothing", async (t) => {
    const abac = await secretsWorkload();
    const call = secretCall(abac, "secretsmanager:GetSecretValue", DEV_SECRET, {}, { "kubernetes-namespace": "dev-ns", "eks-cluster-name": "prod" });
    const verdict = await evaluate(call);
    t.is(verdict.result, "ImplicitlyDenied");
    t.is((await evaluate(secretCall(abac, "secretsmanager:GetSecretValue", DEV_SECRET, DEV_POD, { "kubernetes-namespace": "dev-ns", "eks-cluster-name": "prod" }))).result, "Allowed", "control: with the tags");
});

serial("ABAC: DeleteSecret is not granted, even on a matching secret", async (t) => {
    const abac = await secretsWorkload();
    const call = secretCall(abac, "secretsmanager:DeleteSecret", DEV_SECRET, DEV_POD, { "kubernetes-namespace": "dev-ns", "eks-cluster-name": "prod" });
    const verdict = await evaluate(call);
    t.is(verdict.result, "ImplicitlyDenied");
    t.deepEqual(allowingStatements(verdict, "identity"), []);
    t.deepEqual(denyingStatements(verdict, "identity"), []);
    const explain = explainOf(verdict, "identity", ABAC_SID);
    t.false(explain.actionMatch, "the statement does not cover DeleteSecret");
    t.true(explain.resourceMatch);
});

// ---- permissions: typed statements (quick start) ----

serial("typed statements: s3:GetObject on the bucket's objects only", async (t) => {
    const quick = await render("quickstart", {
        clusterName: "prod",
        namespace: "quickstart",
        policyStatements: [{ actions: ["s3:GetObject"], resources: ["arn:aws:s3:::orders/*"] }],
    });
    const call = (action: string, resource: string): IamRequest => ({
        principal: sessionArn(quick.roleName),
        action,
        resource,
        resourceAccount: ACCOUNT,
        identityPolicies: { permissions: quick.permissions! },
    });
    const allowed = await evaluate(call("s3:GetObject", "arn:aws:s3:::orders/a.txt"));
    t.is(allowed.result, "Allowed");
    t.is(allowed.route, "validated");
    t.is(allowed.analysis.identityAnalysis!.allowStatements.length, 1);
    t.true(allowed.analysis.sameAccount, "the role session and the bucket share the account: no bucket policy needed");

    const otherBucket = await evaluate(call("s3:GetObject", "arn:aws:s3:::other/a.txt"));
    t.is(otherBucket.result, "ImplicitlyDenied");
    const [onOther] = explains(otherBucket, "identity");
    t.true(onOther.actionMatch);
    t.false(onOther.resourceMatch, "denied for the resource");

    const put = await evaluate(call("s3:PutObject", "arn:aws:s3:::orders/a.txt"));
    t.is(put.result, "ImplicitlyDenied");
    const [onPut] = explains(put, "identity");
    t.false(onPut.actionMatch, "denied for the action");
    t.true(onPut.resourceMatch);
    t.deepEqual(denyingStatements(put, "identity"), []);
});

test("session tags used by the tests are the ones EKS attaches", (t) => {
    const call = podIdentityCall({ roleArn: roleArnOf("r") }, { Version: "2012-10-17", Statement: [] });
    t.deepEqual(call.context!["aws:TagKeys"], [...POD_IDENTITY_SESSION_TAGS]);
});
