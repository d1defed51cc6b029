/**
 * The portal's permission model (examples/portal/permissionPolicy.ts, targetRoles.ts, protectedBuckets.ts): requests
 * that amount to administrator access by effect are refused by default, each naming the field as the request sent it.
 * Every request below was accepted before the model existed.
 */
import test, { ExecutionContext } from "ava";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { FieldProblem, PortalPolicy, WorkloadRequest, componentArgs, parseWorkloadRequest, resolveClusters } from "../../examples/portal/api";
import { permissionSettings, permissionSettingsFromEnvironment } from "../../examples/portal/permissionSettings";
import { protectedBuckets, reachesBucket } from "../../examples/portal/protectedBuckets";
import { startPortal } from "../../examples/portal/server";
import { PodIdentityWorkload } from "../../provider";
import { run } from "../support/harness";
import { ACCOUNT, clusterArnOf } from "../support/awsIds";

const CLUSTER_ARN = "arn:aws:eks:eu-west-1:111122223333:cluster/prod";
const clusters = resolveClusters([{ arn: CLUSTER_ARN }]);
const BASE = { team: "payments", cluster: "prod", namespace: "orders", serviceAccount: "api" };

function problemsOf(extra: Partial<WorkloadRequest>, policy: PortalPolicy = {}): FieldProblem[] {
    return parseWorkloadRequest({ ...BASE, ...extra }, clusters, policy).problems ?? [];
}
const fieldsOf = (extra: Partial<WorkloadRequest>, policy?: PortalPolicy) => problemsOf(extra, policy).map((p) => p.field);

function messageOf(t: ExecutionContext, extra: Partial<WorkloadRequest>, field: string, policy?: PortalPolicy): string {
    const problem = problemsOf(extra, policy).find((p) => p.field === field);
    t.truthy(problem, `a problem at ${field}`);
    return problem?.message ?? "";
}

const target = (roleArn: string, more: Record<string, unknown> = {}) => ({ crossAccount: { targets: [{ roleArn, ...more }] } });

test("cross-account targets: none allowed by default", (t) => {
    t.deepEqual(fieldsOf(target("arn:aws:iam::222233334444:role/reader")), ["crossAccount.targets[0].roleArn"]);
    t.regex(messageOf(t, target("arn:aws:iam::222233334444:role/reader"), "crossAccount.targets[0].roleArn"), /the portal allows no cross-account targets/);
    const allowed = { allowedTargetRoles: ["arn:aws:iam::222233334444:role/team-*"] };
    t.deepEqual(fieldsOf(target("arn:aws:iam::222233334444:role/team-reader"), allowed), []);
    t.deepEqual(fieldsOf(target("arn:aws:iam::222233334444:role/reader"), allowed), ["crossAccount.targets[0].roleArn"]);
    t.deepEqual(fieldsOf(target("arn:aws:iam::333344445555:role/team-reader"), allowed), ["crossAccount.targets[0].roleArn"]);
});

test("same-account targets: refused with any sameAccountReason, unless a pattern spells out the account", (t) => {
    const admin = target("arn:aws:iam::111122223333:role/Admin", { sameAccountReason: "we need it" });
    t.regex(messageOf(t, admin, "crossAccount.targets[0].roleArn"), /well-known administrator role name/);
    const local = target("arn:aws:iam::111122223333:role/orders-reader", { sameAccountReason: "legacy" });
    t.regex(messageOf(t, local, "crossAccount.targets[0].roleArn", { allowedTargetRoles: ["arn:aws:iam::*:role/orders-*"] }), /source role's own account/);
    t.deepEqual(fieldsOf(local, { allowedTargetRoles: ["arn:aws:iam::111122223333:role/orders-*"] }), []);
});

test("well-known administrator roles are refused even when a pattern allows them", (t) => {
    const allowed = { allowedTargetRoles: ["arn:aws:iam::222233334444:role/*"] };
    for (const name of ["OrganizationAccountAccessRole", "organizationaccountaccessrole", "AWSControlTowerExecution", "AWSReservedSSO_AdministratorAccess_0123abcd", "ClusterAdmin", "cdk-hnb659fds-cfn-exec-role-222233334444-eu-west-1"]) {
        t.deepEqual(fieldsOf(target(`arn:aws:iam::222233334444:role/${name}`), allowed), ["crossAccount.targets[0].roleArn"], name);
    }
    t.deepEqual(fieldsOf(target("arn:aws:iam::222233334444:role/reader"), allowed), []);
});

test("escalation and administrator-equivalent actions are refused, named by their field", (t) => {
    const request = { policyStatements: [{ actions: ["s3:GetObject", "eks:CreateAccessEntry", "eks:AssociateAccessPolicy"], resources: ["*"] }, { actions: ["kms:PutKeyPolicy", "LAMBDA:updatefunctioncode", "ssm:Send*"], resources: ["arn:aws:kms:eu-west-1:111122223333:key/k"] }] };
    t.deepEqual(fieldsOf(request), ["policyStatements[0].actions[1]", "policyStatements[0].actions[2]", "policyStatements[1].actions[0]", "policyStatements[1].actions[1]", "policyStatements[1].actions[2]"]);
    t.regex(messageOf(t, request, "policyStatements[1].actions[2]"), /"ssm:Send\*" allows ssm:SendCommand, which runs code on other principals' compute/);
    t.deepEqual(fieldsOf({ policyStatements: [{ actions: ["s3:*"], resources: ["*"] }] }), ["policyStatements[0].actions[0]"], "s3:* includes s3:PutBucketPolicy");
    // Only an operator opts actions back in, by name.
    t.deepEqual(fieldsOf({ policyStatements: [{ actions: ["ssm:SendCommand"], resources: ["arn:aws:ec2:eu-west-1:111122223333:instance/i-0abc"] }] }, { allowedEscalationActions: ["ssm:SendCommand"] }), []);
    t.throws(() => permissionSettings({ allowedEscalationActions: ["ssm:*"] }, {}), { message: /not an escalation action/ });
});

test("an Allow with notResources is refused", (t) => {
    t.deepEqual(fieldsOf({ policyStatements: [{ actions: ["s3:GetObject"], notResources: ["arn:aws:s3:::secret/*"] }] }), ["policyStatements[0].notResources"]);
    t.deepEqual(fieldsOf({ policyStatements: [{ effect: "Deny", actions: ["s3:GetObject"], notResources: ["arn:aws:s3:::orders/*"] }] }), []);
});

test("writes on every resource of a kind are refused; reads, named resources and session-tag scoped statements are not", (t) => {
    const writes = { policyStatements: [{ actions: ["dynamodb:PutItem"], resources: ["arn:aws:dynamodb:eu-west-1:111122223333:table/*"] }, { actions: ["sqs:TagQueue"], resources: ["*"] }] };
    t.deepEqual(fieldsOf(writes), ["policyStatements[0].resources[0]", "policyStatements[1].resources[0]"]);
    t.regex(messageOf(t, writes, "policyStatements[0].resources[0]"), /covers every resource of its kind.*dynamodb:PutItem/);
    t.deepEqual(fieldsOf({ policyStatements: [{ actions: ["s3:GetObject", "sqs:ReceiveMessage"], resources: ["*"] }] }), []);
    t.deepEqual(fieldsOf({ policyStatements: [{ actions: ["dynamodb:PutItem"], resources: ["arn:aws:dynamodb:eu-west-1:111122223333:table/orders-*"] }] }), []);
    t.deepEqual(fieldsOf({ policyStatements: [{ actions: ["secretsmanager:PutSecretValue"], resources: ["*"], sessionTagScope: {} }] }), []);
});

test("the portal's bucket is unreachable: any S3 action on a resource that could match it, * included", (t) => {
    const policy = { protectedBuckets: ["portal-state"] };
    for (const resource of ["*", "arn:aws:s3:::*", "arn:aws:s3:::portal-state", "arn:aws:s3:::portal-state/.pulumi/stacks/x.json", "arn:aws:s3:::portal-*", "arn:aws:s3:::*-data/*"]) {
        t.deepEqual(fieldsOf({ policyStatements: [{ actions: ["s3:GetObject"], resources: [resource] }] }, policy), ["policyStatements[0].resources[0]"], resource);
    }
    t.deepEqual(fieldsOf({ policyStatements: [{ actions: ["s3:GetObject"], resources: ["arn:aws:s3:::orders/*"] }] }, policy), []);
    t.deepEqual(fieldsOf({ policyStatements: [{ actions: ["sqs:ReceiveMessage"], resources: ["*"] }] }, policy), [], "no S3 action, no S3 resource");
    t.false(reachesBucket("arn:aws:s3:::portal-statement/*", "portal-state", "aws"));
    // The backend's bucket is protected without being named.
    t.deepEqual(protectedBuckets({ PULUMI_BACKEND_URL: "s3://portal-state/prefix?region=eu-west-1", PORTAL_PROTECTED_BUCKETS: " audit-archive ," }), ["portal-state", "audit-archive"]);
    t.deepEqual(protectedBuckets({ PULUMI_BACKEND_URL: "file:///var/portal" }), []);
});

test("operator settings come from the environment and are checked at start", (t) => {
    t.deepEqual(permissionSettingsFromEnvironment({ PORTAL_ALLOWED_TARGET_ROLES: "arn:aws:iam::222233334444:role/team-*, ", PORTAL_ALLOWED_ESCALATION_ACTIONS: "ssm:SendCommand" }), {
        allowedTargetRoles: ["arn:aws:iam::222233334444:role/team-*"],
        allowedEscalationActions: ["ssm:SendCommand"],
    });
    t.deepEqual(permissionSettingsFromEnvironment({}), {});
    t.throws(() => permissionSettingsFromEnvironment({ PORTAL_ALLOWED_TARGET_ROLES: "222233334444" }), { message: /PORTAL_ALLOWED_TARGET_ROLES: "222233334444" is not a role ARN pattern/ });
});

test("over HTTP: the protected bucket from the environment is refused with 400 naming the field", async (t) => {
    const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), "portal-permissions-"));
    const token = "portal-permissions-token";
    const portal = await startPortal({ port: 0, root: path.resolve(__dirname, "../../.."), env: { PULUMI_CONFIG_PASSPHRASE: "unused", PORTAL_PROTECTED_BUCKETS: "portal-state" }, stateDir, clusters: [{ arn: CLUSTER_ARN }], token });
    try {
        const response = await fetch(`${portal.url}/workloads`, {
            method: "POST",
            headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
            body: JSON.stringify({ ...BASE, policyStatements: [{ actions: ["s3:GetObject"], resources: ["arn:aws:s3:::*"] }] }),
        });
        const body = (await response.json()) as { problems?: FieldProblem[] };
        t.is(response.status, 400);
        t.deepEqual(body.problems?.map((p) => p.field), ["policyStatements[0].resources[0]"]);
    } finally {
        await portal.close();
        fs.rmSync(stateDir, { recursive: true, force: true });
    }
});

test.serial("every role the portal creates denies the protected buckets, and the component accepts the Deny", async (t) => {
    const cluster = resolveClusters([{ arn: clusterArnOf("prod") }]).get("prod")!;
    t.is(cluster.accountId, ACCOUNT);
    const request = { ...BASE, policyStatements: [{ actions: ["s3:GetObject"], resources: ["arn:aws:s3:::orders/*"] }] };
    const args = componentArgs(request, cluster, "w-000000", ["portal-state"]);
    t.deepEqual(args.policyStatements?.[1], { sid: "DenyPortalBuckets", effect: "Deny", actions: ["s3:*"], resources: ["arn:aws:s3:::portal-state", "arn:aws:s3:::portal-state/*"] });
    t.deepEqual(componentArgs(request, cluster, "w-000000").policyStatements, request.policyStatements, "no protected bucket, no Deny");
    const r = await run(() => new PodIdentityWorkload("w-000000", componentArgs({ ...BASE }, cluster, "w-000000", ["portal-state"])));
    t.deepEqual(r.failures, []);
    t.deepEqual(JSON.parse(r.get("w-000000-permissions").inputs.policy).Statement, [
        { Sid: "DenyPortalBuckets", Effect: "Deny", Action: ["s3:*"], Resource: ["arn:aws:s3:::portal-state", "arn:aws:s3:::portal-state/*"] },
    ]);
});
