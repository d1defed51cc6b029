/**
 * End to end: the self-service portal (examples/portal) over HTTP, running every stack operation with the real
 * Pulumi CLI built by the toolchain, a local file backend (two replicas: an S3 backend on moto's server), the real
 * Kubernetes provider on the test cluster and the aws double.
 *
 *   npm run cluster -- node --test dist/tests/portal/portal.e2e.js
 */
import * as assert from "assert/strict";
import { ChildProcess, spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { performance } from "perf_hooks";
import { after, before, test } from "node:test";
import { TEAM_TAG, WORKLOAD_TAG, workloadId } from "../../examples/portal/api";
import { PROJECT, Portal, startPortal } from "../../examples/portal/server";
import { descendantsOf } from "../../examples/portal/processTree";
import { isRunning } from "../../examples/portal/stackLock";
import { CloudDouble, Hold } from "../e2e/support/cloudDouble";
import { testCluster } from "../cluster/client";
import { missingToolchain, removeEnvironment, ROOT, StackEnvironment, stackEnvironment } from "../e2e/support/environment";
import { applied } from "../e2e/support/scenario";
import { ACCOUNT, providerIdOf, roleArnOf } from "../support/awsIds";
import { S3_CREDENTIALS, startS3Server } from "../support/s3Server";
import { sleep, within } from "../support/waits";

const ROLE = "aws:iam/role:Role";
const ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy";
const ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment";
const ASSOCIATION = "aws:eks/podIdentityAssociation:PodIdentityAssociation";
const TOKEN = "portal-e2e-token";

const problem = missingToolchain();
if (problem) throw new Error(`the portal end-to-end suite needs the toolchain: ${problem}`);

let cloud: CloudDouble;
let environment: StackEnvironment;
let portal: Portal;

before(async () => {
    cloud = new CloudDouble("prod");
    environment = stackEnvironment("portal", await cloud.start(testCluster(), "portal"));
    // Recovery looks associations up in the double's EKS API, with the credentials it accepts.
    Object.assign(environment.env, cloud.eksEnv());
    portal = await startPortal({
        port: 0,
        root: ROOT,
        env: environment.env,
        stateDir: path.join(environment.dir, "portal"),
        clusters: [{ arn: cloud.clusterArn() }],
        token: TOKEN,
        // Cross-account targets are refused unless allowed: the chained reader, and a same-account role the component refuses.
        policy: { allowedTargetRoles: ["arn:aws:iam::222233334444:role/reader", roleArnOf("same-account")] },
    });
});

after(async () => {
    await portal?.close();
    await cloud?.stop();
    if (environment) removeEnvironment(environment);
});

// ---- HTTP helpers ----

interface Reply {
    status: number;
    body: any;
}

async function call(method: string, route: string, body?: unknown, headers: Record<string, string> = {}, base = portal.url): Promise<Reply> {
    const response = await fetch(base + route, {
        method,
        headers: { authorization: `Bearer ${TOKEN}`, ...(body === undefined ? {} : { "content-type": "application/json" }), ...headers },
        body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : undefined };
}

interface Sse {
    id: string;
    event: string;
    data: any;
    /** When the test received it (ms since the epoch). */
    receivedAt: number;
}

/** Reads a server-sent event stream to its end (the portal ends it after the `done` event), as the events arrive. */
async function events(method: string, route: string, base = portal.url): Promise<{ status: number; contentType: string; events: Sse[] }> {
    const response = await fetch(base + route, { method, headers: { authorization: `Bearer ${TOKEN}`, accept: "text/event-stream" } });
    const parsed: Sse[] = [];
    const decoder = new TextDecoder();
    let buffer = "";
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(chunk, { stream: true });
        let boundary: number;
        while ((boundary = buffer.indexOf("\n\n")) >= 0) {
            const block = buffer.slice(0, boundary);
            buffer = buffer.slice(boundary + 2);
            const fields: Record<string, string> = {};
            for (const line of block.split("\n")) {
                const match = /^(id|event|data): (.*)$/.exec(line);
                if (match) fields[match[1]] = match[2];
            }
            if (fields.event) parsed.push({ id: fields.id, event: fields.event, data: JSON.parse(fields.data), receivedAt: Date.now() });
        }
    }
    return { status: response.status, contentType: response.headers.get("content-type") ?? "", events: parsed };
}

const done = (stream: Sse[]) => {
    const last = stream.at(-1);
    assert.equal(last?.event, "done", `the stream ends with done: ${JSON.stringify(stream.slice(-3))}`);
    return last!.data;
};

// ---- cloud helpers ----

/** What the aws double and the API server hold for one workload: found by the portal's tags and the roles they mark. */
async function liveOf(id: string, namespace: string) {
    const roles = cloud.live(ROLE).filter((r) => r.tags?.[WORKLOAD_TAG] === id);
    const roleNames = new Set(roles.map((r) => r.name));
    return {
        roles,
        inlinePolicies: cloud.live(ROLE_POLICY).filter((p) => roleNames.has(p.role)),
        attachments: cloud.live(ATTACHMENT).filter((a) => roleNames.has(a.role)),
        associations: cloud.live(ASSOCIATION).filter((a) => a.tags?.[WORKLOAD_TAG] === id),
        kubernetes: (
            await Promise.all(
                ["Namespace", "ServiceAccount", "ConfigMap", "Deployment"].map(async (kind) =>
                    (await cloud.liveObjects(kind)).filter((o) => (kind === "Namespace" ? o.name === namespace : o.namespace === namespace)),
                ),
            )
        ).flat(),
    };
}

async function assertNothingLive(id: string, namespace: string): Promise<void> {
    const live = await liveOf(id, namespace);
    for (const [kind, items] of Object.entries(live)) assert.deepEqual(items, [], `${kind} of ${id}: nothing left`);
}

/** Stacks of the portal's project in the file backend. */
function stackFiles(): string[] {
    const dir = path.join(environment.dir, "state", ".pulumi", "stacks", PROJECT);
    return fs.existsSync(dir) ? fs.readdirSync(dir).sort() : [];
}

/** The stack's checkpoint in the file backend, or undefined when the stack does not exist. */
function checkpoint(id: string): any {
    const file = path.join(environment.dir, "state", ".pulumi", "stacks", PROJECT, `${id}.json`);
    return fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, "utf8")) : undefined;
}

function request(namespace: string, extra: Record<string, unknown> = {}) {
    return {
        team: "payments",
        cluster: "prod",
        namespace,
        serviceAccount: "api",
        policyStatements: [{ actions: ["s3:GetObject"], resources: [`arn:aws:s3:::${namespace}-data/*`] }],
        ...extra,
    };
}

const auditFile = () => path.join(environment.dir, "portal", "audit.log");

/** The audit log's lines about one workload. */
function auditOf(id: string): any[] {
    return fs.readFileSync(auditFile(), "utf8").trimEnd().split("\n").map((line) => JSON.parse(line)).filter((entry) => entry.workload === id);
}

async function destroyWorkload(id: string): Promise<void> {
    const run = await events("DELETE", `/workloads/${id}`);
    assert.equal(done(run.events).status, "destroyed", JSON.stringify(done(run.events)));
}

// ---- the five cases ----

test("create → preview → apply → outputs → destroy", { timeout: 180_000 }, async () => {
    const body = request("orders", {
        managedPolicyArns: ["arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"],
        crossAccount: { targets: [{ roleArn: "arn:aws:iam::222233334444:role/reader" }] },
        workload: { image: "public.ecr.aws/aws-cli/aws-cli:2.17.0", runAsUser: 1000 },
    });
    const id = workloadId(body);

    // Preview: a plan and the rendered documents; nothing reaches the cloud.
    let mark = cloud.mark();
    const created = await call("POST", "/workloads", body);
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.equal(created.body.id, id);
    assert.equal(created.body.status, "previewed");
    assert.deepEqual(created.body.links, { self: `/workloads/${id}`, apply: `/workloads/${id}/apply`, events: `/workloads/${id}/events` });
    const planned = created.body.preview.resources as { op: string; type: string; name: string }[];
    assert.deepEqual(
        planned.map((r) => `${r.op} ${r.type}`).sort(),
        [
            "create aws:eks/podIdentityAssociation:PodIdentityAssociation",
            "create aws:iam/role:Role",
            "create aws:iam/rolePolicy:RolePolicy",
            "create aws:iam/rolePolicy:RolePolicy",
            "create aws:iam/rolePolicyAttachment:RolePolicyAttachment",
            "create eks-pod-identity:index:PodIdentityWorkload",
            "create kubernetes:apps/v1:Deployment",
            "create kubernetes:core/v1:ConfigMap",
            "create kubernetes:core/v1:Namespace",
            "create kubernetes:core/v1:ServiceAccount",
        ],
    );
    assert.equal(created.body.preview.changes.create, 11, "ten resources and the stack");
    const policies = created.body.preview.policies;
    assert.deepEqual(policies.trustPolicy.Statement[0].Condition, {
        StringEquals: {
            "aws:SourceAccount": ACCOUNT,
            "aws:RequestTag/kubernetes-namespace": "orders",
            "aws:RequestTag/kubernetes-service-account": "api",
        },
        ArnEquals: { "aws:SourceArn": cloud.clusterArn() },
    });
    assert.deepEqual(policies.inlinePolicies.permissions, {
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Action: ["s3:GetObject"], Resource: ["arn:aws:s3:::orders-data/*"] }],
    });
    assert.deepEqual(policies.inlinePolicies["cross-account"].Statement[0].Resource, ["arn:aws:iam::222233334444:role/reader"]);
    assert.deepEqual(policies.managedPolicyArns, ["arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"]);
    assert.deepEqual(applied(cloud.since(mark), "Create", ROLE), [], "a preview creates nothing");
    assert.ok(cloud.since(mark, "Create").every((c) => c.preview), "every Create of the preview was a preview");
    await assertNothingLive(id, "orders");
    assert.ok(checkpoint(id), "the preview made the workload's stack");
    assert.equal((await call("GET", `/workloads/${id}`)).body.status, "previewed");

    // Apply: 202, progress on the event stream, outputs from the cloud.
    mark = cloud.mark();
    const accepted = await call("POST", `/workloads/${id}/apply`);
    assert.equal(accepted.status, 202, JSON.stringify(accepted.body));
    assert.deepEqual([accepted.body.status, accepted.body.operation], ["applying", "apply"]);
    const stream = await events("GET", `/workloads/${id}/events`);
    assert.equal(stream.status, 200);
    assert.match(stream.contentType, /^text\/event-stream/);
    assert.deepEqual([stream.events[0].event, stream.events[0].data], ["status", { status: "applying", operation: "apply", message: "apply started" }]);
    const finished = (type: string) => stream.events.some((e) => e.event === "resource" && e.data.phase === "done" && e.data.type === type && e.data.op === "create");
    for (const type of [ROLE, ASSOCIATION, "kubernetes:apps/v1:Deployment"]) assert.ok(finished(type), `the stream reports ${type} created`);
    assert.ok(stream.events.some((e) => e.event === "output"), "the CLI's output is streamed");
    assert.ok(stream.events.some((e) => e.event === "summary" && e.data.changes.create === 11));
    const result = done(stream.events);
    assert.deepEqual([result.result, result.status], ["succeeded", "applied"]);
    assert.deepEqual(stream.events.map((e) => Number(e.id.split(".")[1])), stream.events.map((_, i) => i + 1), "event ids count up");

    const live = await liveOf(id, "orders");
    assert.equal(live.roles.length, 1);
    assert.equal(live.associations.length, 1);
    assert.deepEqual(live.inlinePolicies.map((p) => p.name).sort(), ["cross-account", "permissions"]);
    assert.deepEqual(live.attachments.map((a) => a.policyArn), ["arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"]);
    assert.deepEqual(live.kubernetes.map((o) => o.kind).sort(), ["ConfigMap", "Deployment", "Namespace", "ServiceAccount"]);
    assert.equal(live.roles[0].tags[TEAM_TAG], "payments", "the role is tagged with the team");
    const calls = cloud.since(mark);
    const [role] = applied(calls, "Create", ROLE);
    const [association] = applied(calls, "Create", ASSOCIATION);
    const [deployment] = applied(calls, "Create", "kubernetes:apps/v1:Deployment");
    assert.ok(role.end! < association.start && association.end! < deployment.start, "role → association → pods");
    assert.equal(cloud.rollouts.at(-1)?.credentialsInjected, true, "the pods started after their association");

    const status = await call("GET", `/workloads/${id}`);
    assert.equal(status.status, 200);
    assert.equal(status.body.status, "applied");
    assert.equal(status.body.lastOperation.result, "succeeded");
    const outputs = status.body.outputs;
    assert.equal(outputs.roleArn, live.roles[0].arn);
    assert.equal(outputs.associationArn, live.associations[0].associationArn);
    assert.equal(live.associations[0].roleArn, live.roles[0].arn);
    assert.deepEqual([outputs.namespace, outputs.serviceAccountName, outputs.awsProfiles], ["orders", "api", ["reader"]]);
    assert.deepEqual(outputs.trustPolicy, policies.trustPolicy, "the applied trust policy is the previewed one");
    assert.deepEqual(JSON.parse(live.roles[0].assumeRolePolicy), policies.trustPolicy);
    assert.deepEqual(result.outputs, outputs, "the done event carries the outputs");

    // Destroy: streamed on the DELETE itself; the cloud and the backend are left empty.
    mark = cloud.mark();
    const destroyed = await events("DELETE", `/workloads/${id}`);
    assert.equal(destroyed.status, 200);
    assert.deepEqual(destroyed.events[0].data, { status: "destroying", operation: "destroy", message: "destroy started" });
    const end = done(destroyed.events);
    assert.deepEqual([end.result, end.status, end.changes.delete], ["succeeded", "destroyed", 11]);
    const deletes = cloud.since(mark, "Delete").filter((c) => !c.error);
    const deleted = (type: string) => deletes.find((c) => c.type === type)!;
    assert.ok(deleted(ASSOCIATION).end! < deleted(ROLE).start && deleted(ROLE_POLICY).end! < deleted(ROLE).start, "the role goes last");
    await assertNothingLive(id, "orders");
    assert.equal(checkpoint(id), undefined, "the stack is removed");
    assert.equal((await call("GET", `/workloads/${id}`)).status, 404);
    assert.deepEqual((await call("GET", "/workloads")).body.workloads, []);

    // The audit log: each change request and each operation's end, by the principal, never the token.
    const audit = auditOf(id).map(({ principal, team, role, action, result, httpStatus }) => [principal, team, role, action, result, httpStatus ?? null]);
    const admin = ["portal-token", "platform", "admin"];
    assert.deepEqual(audit, [
        [...admin, "create", "succeeded", null],
        [...admin, "create", "accepted", 201],
        [...admin, "apply", "accepted", 202],
        [...admin, "apply", "succeeded", null],
        [...admin, "destroy", "accepted", 200],
        [...admin, "destroy", "succeeded", null],
    ]);
    assert.ok(!fs.readFileSync(auditFile(), "utf8").includes(TOKEN), "the audit log holds no token");
});

test("two different workloads at once: separate stacks, both succeed", { timeout: 180_000 }, async () => {
    const bodies = [request("billing"), request("ledger", { team: "finance" })];
    const ids = bodies.map(workloadId);
    const created = await Promise.all(bodies.map((b) => call("POST", "/workloads", b)));
    assert.deepEqual(created.map((c) => c.status), [201, 201]);
    assert.deepEqual(created.map((c) => c.body.id), ids);
    const applyMark = cloud.mark();
    const runs = await Promise.all(ids.map((id) => events("POST", `/workloads/${id}/apply`)));
    for (const run of runs) assert.equal(done(run.events).result, "succeeded", JSON.stringify(done(run.events)));

    // Both updates ran at the same time (neither waited in the queue), each on its own stack.
    for (const run of runs) assert.deepEqual(run.events.map((e) => e.data.status).filter((s) => s === "queued"), []);
    const started = runs.map((run) => run.events.find((e) => e.event === "status" && e.data.status === "applying")!.receivedAt);
    const ended = runs.map((run) => run.events.at(-1)!.receivedAt);
    assert.ok(started[0] < ended[1] && started[1] < ended[0], `the two applies overlapped: started ${started}, ended ${ended}`);
    const roleCreates = ids.map((id) => applied(cloud.since(applyMark), "Create", ROLE).filter((c) => c.inputs?.tags?.[WORKLOAD_TAG] === id));
    assert.deepEqual(roleCreates.map((c) => c.length), [1, 1], "each workload created its own role");
    for (const [i, id] of ids.entries()) {
        const namespace = bodies[i].namespace;
        const live = await liveOf(id, namespace);
        assert.equal(live.roles.length, 1);
        assert.deepEqual(live.associations.map((a) => [a.namespace, a.serviceAccount, a.roleArn]), [[namespace, "api", live.roles[0].arn]]);
        const state = checkpoint(id);
        const stateRoles = state.checkpoint.latest.resources.filter((r: any) => r.type === ROLE);
        assert.deepEqual(stateRoles.map((r: any) => r.id), [live.roles[0].name], `${id}'s stack holds its own role only`);
        const status = (await call("GET", `/workloads/${id}`)).body;
        assert.deepEqual([status.status, status.outputs.roleArn], ["applied", live.roles[0].arn]);
    }

    await Promise.all(ids.map(destroyWorkload));
    for (const [i, id] of ids.entries()) await assertNothingLive(id, bodies[i].namespace);
});

test("a conflicting pair: the second request for a busy or existing workload gets 409", { timeout: 180_000 }, async () => {
    const body = request("checkout");
    const id = workloadId(body);
    const created = await call("POST", "/workloads", body);
    assert.equal(created.status, 201, JSON.stringify(created.body));

    // Two applies at the same moment: one runs, one is refused while it runs.
    const mark = cloud.mark();
    const pair = await Promise.all([call("POST", `/workloads/${id}/apply`), call("POST", `/workloads/${id}/apply`)]);
    assert.deepEqual(pair.map((r) => r.status).sort(), [202, 409]);
    const refused = pair.find((r) => r.status === 409)!.body;
    assert.match(refused.error, /is busy: an apply is running/);
    assert.equal(refused.links.events, `/workloads/${id}/events`);
    // While it runs, a DELETE and a second POST of the same workload are refused too.
    assert.equal((await call("DELETE", `/workloads/${id}`)).status, 409);
    const again = await call("POST", "/workloads", body);
    assert.equal(again.status, 409);
    assert.equal(again.body.id, id);
    const stream = await events("GET", `/workloads/${id}/events`);
    assert.equal(done(stream.events).result, "succeeded");
    assert.equal(applied(cloud.since(mark), "Create", ROLE).length, 1, "one update ran: one role");
    assert.equal(applied(cloud.since(mark), "Create", ASSOCIATION).length, 1);

    // Once applied, posting it again is still a conflict; so is another team claiming its service account.
    assert.equal((await call("POST", "/workloads", body)).status, 409);
    const otherTeam = await call("POST", "/workloads", { ...body, team: "growth" });
    assert.equal(otherTeam.status, 409);
    assert.equal(otherTeam.body.id, id);
    assert.equal(otherTeam.body.problems[0].field, "serviceAccount");
    assert.match(otherTeam.body.problems[0].message, /one association per service account/);
    const sameNamespace = await call("POST", "/workloads", { ...body, serviceAccount: "worker" });
    assert.equal(sameNamespace.status, 409, "the namespace is already created by the first workload");
    assert.equal(sameNamespace.body.problems[0].field, "createNamespace");
    assert.equal(cloud.live(ASSOCIATION).filter((a) => a.namespace === "checkout").length, 1);

    await destroyWorkload(id);
    await assertNothingLive(id, "checkout");
});

test("bad requests: 400 naming the field, nothing created", { timeout: 120_000 }, async () => {
    const mark = cloud.mark();
    const stacksBefore = stackFiles();

    assert.equal((await call("GET", "/workloads", undefined, { authorization: "Bearer wrong" })).status, 401);
    assert.equal((await call("POST", "/workloads", "{ not json")).status, 400);
    assert.equal((await call("POST", "/workloads", "team=x", { "content-type": "application/x-www-form-urlencoded" })).status, 415);

    // Shape: missing, mistyped and unknown fields, all reported at once.
    const shape = await call("POST", "/workloads", { cluster: "prod", namespace: "orders", serviceAccount: 7, managedPolicyArns: "arn", rolArn: "x" });
    assert.equal(shape.status, 400);
    assert.equal(shape.body.error, "the request is invalid");
    const fields = (reply: Reply) => reply.body.problems.map((p: { field: string }) => p.field).sort();
    assert.deepEqual(fields(shape), ["managedPolicyArns", "rolArn", "serviceAccount", "team"]);

    // The portal's own policy: managed clusters only, no administrator policies, no actions that extend access.
    const policy = await call(
        "POST",
        "/workloads",
        request("orders", {
            cluster: "staging",
            managedPolicyArns: ["arn:aws:iam::aws:policy/AdministratorAccess"],
            policyStatements: [
                { actions: ["s3:GetObject", "iam:PassRole"], resources: ["*"] },
                { notActions: ["s3:DeleteBucket"], resources: ["*"] },
                { actions: ["*"], resources: ["*"] },
            ],
        }),
    );
    assert.equal(policy.status, 400);
    assert.deepEqual(fields(policy), ["cluster", "managedPolicyArns[0]", "policyStatements[0].actions[1]", "policyStatements[1].notActions", "policyStatements[2].actions[0]"]);

    // The component's own validation, mapped to the request's field names: DNS names, cross-account targets…
    const names = await call(
        "POST",
        "/workloads",
        request("Orders_NS", { crossAccount: { targets: [{ roleArn: roleArnOf("same-account") }] } }),
    );
    assert.equal(names.status, 400, JSON.stringify(names.body));
    assert.deepEqual(fields(names), ["crossAccount.targets[0].roleArn", "namespace"]);
    const messages = new Map<string, string>(names.body.problems.map((p: { field: string; message: string }) => [p.field, p.message]));
    assert.match(messages.get("namespace")!, /not a valid DNS-1123 label/);
    assert.match(messages.get("crossAccount.targets[0].roleArn")!, /in the source role's own account/);
    // … IAM actions that do not exist, resources that are not ARNs.
    const statements = await call(
        "POST",
        "/workloads",
        request("orders", { policyStatements: [{ actions: ["s3:GetObjekt"], resources: ["arn:aws:s3:::orders/*"] }, { actions: ["s3:GetObject"], resources: ["orders-bucket"] }] }),
    );
    assert.equal(statements.status, 400, JSON.stringify(statements.body));
    assert.deepEqual(fields(statements), ["policyStatements[0].actions[0]", "policyStatements[1].resources[0]"]);
    assert.match(statements.body.problems[0].message, /did you mean "GetObject"/);
    assert.match(statements.body.problems[1].message, /is not an ARN/);

    // Nothing was created: no provider call at all, no stack, no record.
    assert.deepEqual(cloud.since(mark), [], "validation never reached the engine");
    assert.deepEqual(stackFiles(), stacksBefore, "no stack was made");
    assert.deepEqual((await call("GET", "/workloads")).body.workloads, []);
    assert.equal((await call("GET", `/workloads/${workloadId(request("orders"))}`)).status, 404);
});

test("a failure mid-apply leaves a recoverable stack; the retry succeeds", { timeout: 180_000 }, async () => {
    const body = request("refunds", { managedPolicyArns: ["arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"] });
    const id = workloadId(body);
    const created = await call("POST", "/workloads", body);
    assert.equal(created.status, 201, JSON.stringify(created.body));

    cloud.failCreatesOf.add(ASSOCIATION);
    let mark = cloud.mark();
    const failed = await events("POST", `/workloads/${id}/apply`);
    cloud.failCreatesOf.delete(ASSOCIATION);
    const end = done(failed.events);
    assert.deepEqual([end.result, end.status, end.recoverable], ["failed", "failed", true]);
    assert.match(end.error, /ServiceUnavailable/);
    assert.ok(end.hint.includes(`retry POST /workloads/${id}/apply`), end.hint);
    assert.ok(
        failed.events.some((e) => e.event === "resource" && e.data.phase === "failed" && e.data.type === ASSOCIATION),
        "the stream names the resource that failed",
    );
    assert.ok(failed.events.some((e) => e.event === "diagnostic" && e.data.severity === "error" && /ServiceUnavailable/.test(e.data.message)));

    // What was created before the failure is in the stack: nothing orphaned, nothing pending.
    const status = (await call("GET", `/workloads/${id}`)).body;
    assert.deepEqual([status.status, status.recoverable, status.lastOperation.operation, status.lastOperation.result], ["failed", true, "apply", "failed"]);
    assert.ok(status.hint.includes(`DELETE /workloads/${id}`), status.hint);
    assert.deepEqual(status.lastOperation.state.pendingOperations, []);
    const live = await liveOf(id, "refunds");
    assert.equal(live.roles.length, 1, "the role was created before the association failed");
    assert.deepEqual(live.associations, []);
    const state = checkpoint(id).checkpoint.latest;
    assert.ok(state.resources.some((r: any) => r.type === ROLE && r.id === live.roles[0].name), "the stack records the live role");
    assert.equal(status.lastOperation.state.resources, state.resources.filter((r: any) => r.custom && !r.type.startsWith("pulumi:providers:")).length);
    assert.equal(state.pending_operations?.length ?? 0, 0);
    assert.equal(applied(cloud.since(mark), "Create", ASSOCIATION).length, 0);

    // The fault is gone: the retry refreshes, keeps the role, and creates the rest.
    mark = cloud.mark();
    const retry = await events("POST", `/workloads/${id}/apply`);
    const retried = done(retry.events);
    assert.deepEqual([retried.result, retried.status], ["succeeded", "applied"], JSON.stringify(retried));
    const calls = cloud.since(mark);
    assert.ok(calls.some((c) => c.method === "Read" && c.type === ROLE), "the retry refreshed the stack first");
    assert.equal(applied(calls, "Create", ROLE).length, 0, "the role is reused, not created twice");
    assert.equal(applied(calls, "Create", ASSOCIATION).length, 1);
    const after = await liveOf(id, "refunds");
    assert.equal(after.roles.length, 1);
    assert.equal(after.associations[0].roleArn, after.roles[0].arn);
    const recovered = (await call("GET", `/workloads/${id}`)).body;
    assert.equal(recovered.status, "applied");
    assert.equal(recovered.recoverable, undefined);
    assert.equal(recovered.outputs.associationArn, after.associations[0].associationArn);

    await destroyWorkload(id);
    await assertNothingLive(id, "refunds");
});

test("namespace ownership: another team is refused, the creator outlives the workloads that joined it", { timeout: 240_000 }, async () => {
    const creator = request("shared");
    const joiner = request("shared", { serviceAccount: "worker", createNamespace: false });
    const [creatorId, joinerId] = [workloadId(creator), workloadId(joiner)];
    for (const [body, id] of [[creator, creatorId], [joiner, joinerId]] as const) {
        const created = await call("POST", "/workloads", body);
        assert.equal(created.status, 201, JSON.stringify(created.body));
        assert.equal(done((await events("POST", `/workloads/${id}/apply`)).events).result, "succeeded");
        // Applied: the namespace is payments' from now on.
        if (id === creatorId) {
            const intruder = await call("POST", "/workloads", request("shared", { team: "growth", serviceAccount: "intruder", createNamespace: false }));
            assert.equal(intruder.status, 409, JSON.stringify(intruder.body));
            assert.equal(intruder.body.problems[0].field, "namespace");
            assert.match(intruder.body.problems[0].message, /belongs to team payments/);
        }
    }
    assert.equal((await call("POST", "/workloads", request("kube-system", { createNamespace: false }))).status, 400);

    // Destroying the creator would delete the namespace under the joiner: refused, nothing touched.
    const mark = cloud.mark();
    const refused = await call("DELETE", `/workloads/${creatorId}`);
    assert.equal(refused.status, 409, JSON.stringify(refused.body));
    assert.deepEqual(refused.body.workloads, [joinerId]);
    assert.deepEqual(cloud.since(mark, "Delete"), []);
    assert.equal((await liveOf(creatorId, "shared")).kubernetes.filter((o) => o.kind === "Namespace").length, 1, "the namespace is still there");
    assert.equal((await call("GET", `/workloads/${creatorId}`)).body.status, "applied");
    assert.ok(auditOf(creatorId).some((e) => e.action === "destroy" && e.result === "refused" && e.httpStatus === 409));

    await destroyWorkload(joinerId);
    await destroyWorkload(creatorId);
    await assertNothingLive(creatorId, "shared");
    await assertNothingLive(joinerId, "shared");
});

/** The portal as its own process (`node dist/examples/portal/main.js`), on `stateDir`; resolves with it and its URL. */
async function startPortalProcess(stateDir: string, env: Record<string, string> = {}): Promise<{ child: ChildProcess; url: string }> {
    const child = spawn(process.execPath, [path.join(ROOT, "dist", "examples", "portal", "main.js")], {
        env: { ...environment.env, PORTAL_CLUSTERS: cloud.clusterArn(), PORTAL_TOKEN: TOKEN, PORTAL_PORT: "0", PORTAL_STATE_DIR: stateDir, ...env },
        stdio: ["ignore", "pipe", "inherit"],
    });
    const url = await new Promise<string>((resolve, reject) => {
        let out = "";
        child.stdout!.on("data", (chunk) => {
            out += chunk;
            const match = /listening on (\S+)/.exec(out);
            if (match) resolve(match[1]);
        });
        child.once("exit", (code) => reject(new Error(`the portal exited (${code}): ${out}`)));
    });
    return { child, url };
}

/** Processes (but this one) whose command line mentions `text`. */
function processesMentioning(text: string): number[] {
    return fs
        .readdirSync("/proc")
        .filter((e) => /^\d+$/.test(e) && Number(e) !== process.pid)
        .filter((e) => {
            try {
                return fs.readFileSync(`/proc/${e}/cmdline`, "utf8").includes(text) && isRunning(Number(e));
            } catch {
                return false;
            }
        })
        .map(Number);
}

type PortalProcess = { child: ChildProcess; url: string };

async function stopPortalProcess(portal: PortalProcess | undefined): Promise<void> {
    if (!portal || portal.child.exitCode !== null || portal.child.signalCode !== null) return;
    const exited = new Promise((resolve) => portal.child.once("exit", resolve));
    portal.child.kill("SIGTERM");
    await exited;
}

/**
 * SIGKILL of the portal while the aws double holds one call of the operation, then: nothing of the killed run still
 * runs, and a restarted portal reports the operation interrupted with what the stack holds.
 */
async function killDuring(portal: PortalProcess, id: string, stateDir: string, start: () => Promise<void>, hold: Hold): Promise<PortalProcess> {
    await start();
    await hold.reached;
    assert.ok(processesMentioning(id).length > 0, "the CLI runs the stack's operation");
    // The worker, the CLI and its plugins (in process groups of their own).
    const run = descendantsOf(portal.child.pid!);
    assert.ok(run.length >= 3, `the portal's run: ${run}`);
    portal.child.kill("SIGKILL");
    const killedAt = performance.now();
    const alive = () => run.filter(isRunning);
    while (alive().length > 0 && performance.now() - killedAt < 60_000) await sleep(50);
    // The double sees the CLI's connection close before it answers (or, for a call AWS already acted on, fails to).
    await within(60_000, hold.abandoned);
    hold.release();
    assert.deepEqual(alive(), [], "nothing of the killed portal's run still works on the stack");
    assert.deepEqual(processesMentioning(id), []);
    const restarted = await startPortalProcess(stateDir);
    const status = (await call("GET", `/workloads/${id}`, undefined, {}, restarted.url)).body;
    assert.deepEqual([status.status, status.recoverable, status.lastOperation.result], ["failed", true, "failed"], JSON.stringify(status));
    assert.match(status.lastOperation.error, /interrupted/);
    // What the stack holds, read back at start.
    const pending = checkpoint(id).checkpoint.latest.pending_operations?.map((p: any) => `${p.type} ${p.resource.urn}`) ?? [];
    assert.deepEqual(status.lastOperation.state.pendingOperations, pending);
    return restarted;
}

/** The workload's roles in the double (by the portal's tag). */
const rolesOf = (id: string) => cloud.live(ROLE).filter((r) => r.tags?.[WORKLOAD_TAG] === id);

/**
 * Previews a workload in `namespace`, then kills its apply while `hold` holds a call (killDuring); returns the
 * restarted portal, which reports the create of `pendingType` pending.
 */
async function killedApply(portal: PortalProcess, namespace: string, stateDir: string, hold: Hold, pendingType: string): Promise<PortalProcess> {
    const body = request(namespace);
    const id = workloadId(body);
    assert.equal((await call("POST", "/workloads", body, {}, portal.url)).status, 201);
    const restarted = await killDuring(
        portal,
        id,
        stateDir,
        async () => assert.equal((await call("POST", `/workloads/${id}/apply`, undefined, {}, portal.url)).status, 202),
        hold,
    );
    const { state } = (await call("GET", `/workloads/${id}`, undefined, {}, restarted.url)).body.lastOperation;
    assert.ok(state.pendingOperations.some((op: string) => op.startsWith("creating ") && op.includes(`$${pendingType}::`)), JSON.stringify(state));
    return restarted;
}

test("SIGKILL of the portal at each phase of an apply and a destroy: after a restart, no duplicate role or association, GET reports the stack, nothing left after DELETE", { timeout: 540_000 }, async () => {
    const stateDir = path.join(environment.dir, "portal-crash");
    let portal: PortalProcess | undefined = await startPortalProcess(stateDir);
    try {
        // Two chains, each killing an apply then a destroy: once before AWS acts on the held call, once after AWS acted
        // but before its answer reached the CLI (the create or delete happened; the stack does not know).
        for (const [namespace, applyReachedAws, destroyReachedAws] of [["crash", false, true], ["crash-late", true, false]] as const) {
            const id = workloadId(request(namespace));
            const mark = cloud.mark();
            portal = await killedApply(portal, namespace, stateDir, cloud.hold("Create", ROLE, { applied: applyReachedAws }), ROLE);
            assert.equal(rolesOf(id).length, applyReachedAws ? 1 : 0, "the role exists in AWS only if its create reached it");

            // The retry: a role that AWS created is imported (not created again), one that it did not is created.
            const retry = await events("POST", `/workloads/${id}/apply`, portal.url);
            assert.deepEqual([done(retry.events).result, done(retry.events).status], ["succeeded", "applied"], JSON.stringify(done(retry.events)));
            const roles = rolesOf(id);
            const roleCalls = cloud.since(mark).filter((c) => c.type === ROLE && !c.preview && c.method !== "Check").map(({ method, start, end, id, error, inputs }) => ({ method, start, end, id, error, name: inputs?.name }));
            assert.equal(roles.length, 1, `one role: ${JSON.stringify(roleCalls)}; events: ${JSON.stringify(retry.events.filter((e) => e.event === "status" || e.event === "diagnostic").map((e) => e.data))}`);
            assert.equal(applied(cloud.since(mark), "Create", ROLE).length, 1, "one create of the role was applied by AWS, in all");
            const state = checkpoint(id).checkpoint.latest;
            assert.equal(state.pending_operations?.length ?? 0, 0);
            assert.deepEqual(state.resources.filter((r: any) => r.type === ROLE).map((r: any) => r.id), [roles[0].name], "the stack holds the live role");
            assert.equal((await call("GET", `/workloads/${id}`, undefined, {}, portal.url)).body.outputs.roleArn, roles[0].arn, "GET reports what the stack holds");

            // A destroy killed while the role's delete is held (everything else of the workload is gone by then).
            const destroying: PortalProcess = portal;
            portal = await killDuring(
                destroying,
                id,
                stateDir,
                async () => assert.equal((await call("DELETE", `/workloads/${id}`, undefined, {}, destroying.url)).status, 202),
                cloud.hold("Delete", ROLE, { applied: destroyReachedAws }),
            );
            assert.equal(rolesOf(id).length, destroyReachedAws ? 0 : 1, "the role is gone from AWS only if its delete reached it");
            const destroyed = await events("DELETE", `/workloads/${id}`, portal.url);
            assert.equal(done(destroyed.events).status, "destroyed", JSON.stringify(done(destroyed.events)));
            await assertNothingLive(id, namespace);
            assert.equal(checkpoint(id), undefined, "the stack is removed");
            assert.equal((await call("GET", `/workloads/${id}`, undefined, {}, portal.url)).status, 404);
        }

        // An apply killed once EKS made the association but before its answer reached the CLI: the retry finds it in
        // EKS (ListPodIdentityAssociations, then DescribePodIdentityAssociation for its role) and adopts it.
        const id = workloadId(request("crash-association"));
        const mark = cloud.mark();
        portal = await killedApply(portal, "crash-association", stateDir, cloud.hold("Create", ASSOCIATION, { applied: true }), ASSOCIATION);
        const [made] = cloud.live(ASSOCIATION).filter((a) => a.tags?.[WORKLOAD_TAG] === id);
        assert.ok(made, "EKS made the association before the kill");
        const lookupsBefore = cloud.eksRequests.length;
        const retry = await events("POST", `/workloads/${id}/apply`, portal.url);
        assert.deepEqual([done(retry.events).result, done(retry.events).status], ["succeeded", "applied"], JSON.stringify(done(retry.events)));
        const adoptedId = providerIdOf.podIdentityAssociation(cloud.clusterName, made.associationId);
        const recovery = retry.events.find((e) => e.event === "status" && Array.isArray(e.data.imports))?.data;
        assert.ok(recovery?.imports.some((i: any) => i.id === adoptedId && /PodIdentityAssociation/.test(i.urn)), JSON.stringify(recovery));
        // What crossed the boundary: the lookup and the description, signed (the double refuses anything else).
        const lookups = cloud.eksRequests.slice(lookupsBefore).map(({ method, path, query, status }) => ({ method, path, query, status }));
        assert.deepEqual(lookups, [
            { method: "GET", path: `/clusters/${cloud.clusterName}/pod-identity-associations`, query: { namespace: "crash-association", serviceAccount: "api" }, status: 200 },
            { method: "GET", path: `/clusters/${cloud.clusterName}/pod-identity-associations/${made.associationId}`, query: {}, status: 200 },
        ]);
        const live = await liveOf(id, "crash-association");
        assert.deepEqual([live.associations.length, live.roles.length], [1, 1], "exactly one association and one role");
        assert.equal(live.associations[0].associationId, made.associationId, "the association EKS made before the kill");
        assert.equal(live.associations[0].roleArn, live.roles[0].arn);
        assert.equal(applied(cloud.since(mark), "Create", ASSOCIATION).length, 1, "one create of the association was applied by EKS, in all");
        const state = checkpoint(id).checkpoint.latest;
        assert.equal(state.pending_operations?.length ?? 0, 0);
        assert.deepEqual(state.resources.filter((r: any) => r.type === ASSOCIATION).map((r: any) => r.id), [adoptedId], "the stack holds the live association");
        const outputs = (await call("GET", `/workloads/${id}`, undefined, {}, portal.url)).body.outputs;
        assert.deepEqual([outputs.associationId, outputs.associationArn, outputs.roleArn], [made.associationId, made.associationArn, live.roles[0].arn], "GET reports what the stack holds");
        const destroyed = await events("DELETE", `/workloads/${id}`, portal.url);
        assert.equal(done(destroyed.events).status, "destroyed", JSON.stringify(done(destroyed.events)));
        await assertNothingLive(id, "crash-association");
        assert.equal(checkpoint(id), undefined, "the stack is removed");
    } finally {
        await stopPortalProcess(portal);
    }
});

test("a portal killed after the CLI finished but before it recorded the result: the restarted portal reads the result from the stack's history", { timeout: 240_000 }, async () => {
    const stateDir = path.join(environment.dir, "portal-history");
    const held = path.join(environment.dir, "portal-history-held");
    const body = request("history");
    const id = workloadId(body);
    const record = () => JSON.parse(fs.readFileSync(path.join(stateDir, "workloads", `${id}.json`), "utf8"));
    /** Runs the operation on a portal that holds before recording it, SIGKILLs it there, and starts a portal again. */
    const killedBeforeRecording = async (start: (portal: PortalProcess) => Promise<void>): Promise<PortalProcess> => {
        fs.rmSync(held, { force: true });
        const holding = await startPortalProcess(stateDir, { PORTAL_TEST_HOLD_BEFORE_RECORDING: held });
        try {
            await start(holding);
            assert.ok(await waitFor(async () => fs.existsSync(held), 120_000), "the worker ended and the portal holds before recording");
            assert.match(record().status, /^(applying|destroying)$/, "the record still says the operation runs");
        } finally {
            const exited = new Promise((resolve) => holding.child.once("exit", resolve));
            holding.child.kill("SIGKILL");
            await exited;
        }
        return startPortalProcess(stateDir);
    };
    let portal: PortalProcess | undefined = await startPortalProcess(stateDir);
    try {
        assert.equal((await call("POST", "/workloads", body, {}, portal.url)).status, 201);
        await stopPortalProcess(portal);
        portal = await killedBeforeRecording(async (p) => assert.equal((await call("POST", `/workloads/${id}/apply`, undefined, {}, p.url)).status, 202));
        const status = (await call("GET", `/workloads/${id}`, undefined, {}, portal.url)).body;
        assert.deepEqual([status.status, status.lastOperation.operation, status.lastOperation.result], ["applied", "apply", "succeeded"], JSON.stringify(status));
        assert.equal(status.recoverable, undefined);
        assert.equal(status.outputs.roleArn, rolesOf(id)[0].arn, "the outputs, read from the checkpoint");
        assert.deepEqual(status.outputs.trustPolicy, JSON.parse(rolesOf(id)[0].assumeRolePolicy), "documents parsed, as the worker reports them");
        assert.equal(status.lastOperation.changes.create > 0, true, JSON.stringify(status.lastOperation));
        await stopPortalProcess(portal);
        portal = await killedBeforeRecording(async (p) => assert.equal((await call("DELETE", `/workloads/${id}`, undefined, {}, p.url)).status, 202));
        assert.equal((await call("GET", `/workloads/${id}`, undefined, {}, portal.url)).status, 404, "the destroy is recorded as done");
        await assertNothingLive(id, "history");
    } finally {
        await stopPortalProcess(portal);
    }
});

test("two replicas on one S3 backend (moto's S3 server): one wins a workload, the other gets 409; different workloads run side by side; either answers for any", { timeout: 300_000 }, async () => {
    const s3 = await startS3Server("portal-state");
    const replicaEnv = { ...S3_CREDENTIALS, PULUMI_BACKEND_URL: s3.backendUrl };
    const stateDirs = [path.join(environment.dir, "replica-a"), path.join(environment.dir, "replica-b")];
    const replicas: PortalProcess[] = [];
    try {
        for (const dir of stateDirs) replicas.push(await startPortalProcess(dir, replicaEnv));
        const [a, b] = replicas;
        const on = (replica: PortalProcess, method: string, route: string, body?: unknown) => call(method, route, body, {}, replica.url);

        // The same workload asked of both at once: one preview runs, the other replica refuses with 409.
        const same = request("replicated");
        const sameId = workloadId(same);
        const both = await Promise.all([on(a, "POST", "/workloads", same), on(b, "POST", "/workloads", same)]);
        assert.deepEqual(both.map((r) => r.status).sort(), [201, 409], JSON.stringify(both.map((r) => r.body)));
        // Two teams claiming one namespace at once, on different replicas: one gets it.
        const contested = await Promise.all([
            on(a, "POST", "/workloads", request("contested", { team: "payments" })),
            on(b, "POST", "/workloads", request("contested", { team: "growth", serviceAccount: "worker" })),
        ]);
        assert.deepEqual(contested.map((r) => r.status).sort(), [201, 409], JSON.stringify(contested.map((r) => r.body)));
        const loser = contested.find((r) => r.status === 409)!;
        assert.equal(loser.body.problems[0].field, "namespace");
        assert.match(loser.body.problems[0].message, /held by a preview of team (payments|growth)/);

        // Apply on both at once: one replica runs it, the other answers 409 naming the one that does.
        const applies = await Promise.all([on(a, "POST", `/workloads/${sameId}/apply`), on(b, "POST", `/workloads/${sameId}/apply`)]);
        assert.deepEqual(applies.map((r) => r.status).sort(), [202, 409], JSON.stringify(applies.map((r) => r.body)));
        const runner = applies[0].status === 202 ? a : b;
        const other = runner === a ? b : a;
        assert.match(applies.find((r) => r.status === 409)!.body.error, /busy/);
        // While it runs, the CLI's lock is in the bucket and the other replica refuses a DELETE.
        const locked = await waitFor(async () => (await s3.bucket.list(`.pulumi/locks/organization/${PROJECT}/${sameId}/`)).length > 0, 60_000);
        assert.ok(locked, "the apply holds the stack's lock in the bucket");
        assert.equal((await on(other, "DELETE", `/workloads/${sameId}`)).status, 409);
        assert.equal(done((await events("GET", `/workloads/${sameId}/events`, runner.url)).events).status, "applied");
        // The other replica answers for it, from the records in the bucket.
        const seen = (await on(other, "GET", `/workloads/${sameId}`)).body;
        assert.equal(seen.status, "applied");
        assert.equal(seen.outputs.roleArn, rolesOf(sameId)[0].arn);
        assert.equal(rolesOf(sameId).length, 1);

        // Different workloads on different replicas: both run, side by side.
        const [first, second] = [request("replica-one"), request("replica-two")];
        const created = await Promise.all([on(a, "POST", "/workloads", first), on(b, "POST", "/workloads", second)]);
        assert.deepEqual(created.map((r) => r.status), [201, 201], JSON.stringify(created.map((r) => r.body)));
        const ids = [workloadId(first), workloadId(second)];
        const runs = await Promise.all([events("POST", `/workloads/${ids[0]}/apply`, a.url), events("POST", `/workloads/${ids[1]}/apply`, b.url)]);
        assert.deepEqual(runs.map((r) => done(r.events).status), ["applied", "applied"], JSON.stringify(runs.map((r) => done(r.events))));
        for (const id of ids) assert.equal(rolesOf(id).length, 1);
        const listed = (await on(b, "GET", "/workloads")).body.workloads.map((w: any) => w.id).sort();
        const contestedId = workloadId(contested.find((r) => r.status === 201)!.body.request);
        assert.deepEqual(listed, [sameId, contestedId, ...ids].sort());

        // Records live in the bucket only: no replica keeps a record file.
        for (const dir of stateDirs) assert.equal(fs.existsSync(path.join(dir, "workloads")), false, `${dir} has no record files`);
        assert.deepEqual((await s3.bucket.list("portal/workloads/")).sort(), listed.map((id: string) => `portal/workloads/${id}.json`).sort());

        // Each deleted by the replica that did not apply it.
        const deletes = await Promise.all([
            events("DELETE", `/workloads/${sameId}`, other.url),
            events("DELETE", `/workloads/${ids[0]}`, b.url),
            events("DELETE", `/workloads/${ids[1]}`, a.url),
            events("DELETE", `/workloads/${contestedId}`, b.url),
        ]);
        assert.deepEqual(deletes.map((d) => done(d.events).status), ["destroyed", "destroyed", "destroyed", "destroyed"], JSON.stringify(deletes.map((d) => done(d.events))));
        for (const [id, namespace] of [[sameId, "replicated"], [ids[0], "replica-one"], [ids[1], "replica-two"], [contestedId, "contested"]]) await assertNothingLive(id, namespace);
        assert.deepEqual(await s3.bucket.list("portal/workloads/"), []);
    } finally {
        for (const replica of replicas) await stopPortalProcess(replica);
        await s3.stop();
    }
});

test("a replica on another host frozen mid-apply ends its run itself before the other replica counts its lease expired, is SIGKILLed: the other answers 409 until a whole lease has passed on its own clock, then reconciles the apply as interrupted and a retry succeeds", { timeout: 300_000 }, async (t) => {
    const s3 = await startS3Server("portal-lease");
    // Long enough that the local replica never fences itself while a busy machine slows its renewals (it fences at two
    // thirds of the lease without a confirmed renewal): only the frozen replica may lose its lease here.
    const leaseMs = 12_000;
    const replicaEnv = { ...S3_CREDENTIALS, PULUMI_BACKEND_URL: s3.backendUrl, PORTAL_REPLICA_LEASE_MS: String(leaseMs) };
    let local: PortalProcess | undefined;
    let remote: PortalProcess | undefined;
    try {
        local = await startPortalProcess(path.join(environment.dir, "lease-local"), replicaEnv);
        // Runs here, but records another host: the local replica cannot probe its pids, only its lease.
        remote = await startPortalProcess(path.join(environment.dir, "lease-remote"), { ...replicaEnv, PORTAL_REPLICA_HOST: "another-host" });
        const body = request("leased");
        const id = workloadId(body);
        assert.equal((await call("POST", "/workloads", body, {}, remote.url)).status, 201);
        const hold = cloud.hold("Create", ROLE);
        assert.equal((await call("POST", `/workloads/${id}/apply`, undefined, {}, remote.url)).status, 202);
        await hold.reached;
        const run = descendantsOf(remote.child.pid!);
        assert.ok(run.length >= 3, `the remote replica's run: ${run}`);
        // Frozen (a paused VM): it renews nothing and cannot stop its workers; they end on their own, at two thirds
        // of the lease since its last renewal.
        remote.child.kill("SIGSTOP");

        // The local replica first reads the frozen heartbeat while it answers this request, and counts a lease from then.
        const firstAskedAt = performance.now();
        const busy = await call("POST", `/workloads/${id}/apply`, undefined, {}, local.url);
        assert.equal(busy.status, 409, JSON.stringify(busy.body));
        assert.match(busy.body.error, /another portal replica \(another-host:\d+:/);

        // Then: look at the run, ask the local replica, until it reports the apply interrupted. It reconciles only
        // while it answers a request, so a process of the run still there after the answer that reported the apply
        // reconciled was running when it was reconciled: two runners at once.
        let killed = false;
        const killRemote = async () => {
            const exited = new Promise((resolve) => remote!.child.once("exit", resolve));
            remote!.child.kill("SIGKILL");
            await exited;
            killed = true;
            // The double sees the CLI's connection close before it answers.
            await within(60_000, hold.abandoned);
            hold.release();
        };
        let status: any;
        let reconciledAt: number | undefined;
        for (const until = performance.now() + 120_000; reconciledAt === undefined && performance.now() < until; await sleep(50)) {
            // Ended on its own, its replica frozen all along: the replica is killed outright.
            if (!killed && !run.some(isRunning)) await killRemote();
            status = (await call("GET", `/workloads/${id}`, undefined, {}, local.url)).body;
            if (status.status === "failed") reconciledAt = performance.now();
            else assert.equal(status.status, "applying", JSON.stringify(status));
        }
        assert.ok(reconciledAt !== undefined, `not reconciled: ${JSON.stringify(status)}`);
        assert.deepEqual(run.filter(isRunning), [], "the frozen replica's run was still working on the stack when the other replica reconciled the apply");
        if (!killed) await killRemote(); // its run ended while the local replica answered the request that reconciled it
        // Measured from before the request in which the local replica first saw the heartbeat: however slow the
        // machine, at least a lease of its clock had passed (a slow machine only makes this longer).
        assert.ok(reconciledAt - firstAskedAt >= leaseMs, `reconciled ${Math.round(reconciledAt - firstAskedAt)} ms after it first saw the frozen heartbeat, before a whole lease (${leaseMs} ms)`);
        t.diagnostic(`reconciled ${Math.round(reconciledAt - firstAskedAt)} ms after the local replica first saw the frozen heartbeat (lease ${leaseMs} ms)`);
        assert.deepEqual([status.recoverable, status.lastOperation.result], [true, "failed"]);
        assert.match(status.lastOperation.error, /interrupted/);

        // The retry on the local replica: the stale lock (a dead pid of this host) is removed, one role in the end.
        const retry = await events("POST", `/workloads/${id}/apply`, local.url);
        assert.deepEqual([done(retry.events).result, done(retry.events).status], ["succeeded", "applied"], JSON.stringify(done(retry.events)));
        assert.equal(rolesOf(id).length, 1);
        const destroyed = done((await events("DELETE", `/workloads/${id}`, local.url)).events);
        assert.equal(destroyed.status, "destroyed", JSON.stringify(destroyed));
        await assertNothingLive(id, "leased");
    } finally {
        remote?.child.kill("SIGKILL"); // still frozen when an assertion failed: SIGTERM would wait for good
        await stopPortalProcess(remote);
        await stopPortalProcess(local);
        await s3.stop();
    }
});

async function waitFor(condition: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
        if (await condition()) return true;
        await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return false;
}
